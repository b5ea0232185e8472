"""Grading on a dask.distributed cluster: the same unit of work, submitted to a running scheduler.

Each submission is one task (`grader.driver.run_unit(spec, job)`), submitted with pure=False (two identical
notebooks are still two students) and retries; at most WINDOW tasks per worker thread are in flight, so a class
of 20,000 notebooks never sits in the scheduler's memory at once. Results come back as data and are written by
the coordinator as they complete. A worker lost mid-task (killed, out of memory, machine gone) is noticed by the
scheduler, which runs its tasks again on another worker; a task that keeps killing workers (Dask's
`allowed-failures`, 3 by default) ends as KilledWorker, and that submission alone gets an internal-error result.

The workers must have this repository and its venv (and bubblewrap) installed, with the repository on
PYTHONPATH; see README ("Grading on a Dask cluster").
"""

import time

from grader.driver import internal_error, run_unit

WINDOW = 4


def run_dask(address, spec, jobs, materialize, on_result, log):
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout="30s")
    except OSError as e:
        raise RuntimeError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        threads = sum(client.nthreads().values())
        log(f"dask: {len(client.nthreads())} worker(s), {threads} thread(s) at {address}")
        window = max(WINDOW * max(threads, 1), 8)
        queue = list(jobs)
        by_key = {}
        pending = as_completed()
        stamp = int(time.time() * 1000)

        def submit():
            job = queue.pop(0)
            fut = client.submit(run_unit, spec, materialize(job), pure=False, retries=2,
                                key=f"grade-{job['assignment']}-{job['student']}-{stamp}")
            by_key[fut.key] = job
            pending.add(fut)

        while queue and len(by_key) < window:
            submit()
        for fut in pending:
            job = by_key.pop(fut.key)
            try:
                result = fut.result()
            except Exception as e:  # KilledWorker after repeated worker deaths, or the task's own failure
                result = internal_error(job, f"on the Dask cluster: {type(e).__name__}: {e}")
            fut.release()
            on_result(job, result)
            if queue:
                submit()
    finally:
        client.close()
