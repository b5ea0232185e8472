"""Grading on a dask.distributed cluster: the same unit of work, submitted to a running scheduler.

Each submission is one task (`grader.driver.run_unit(spec, job)`), submitted with pure=False (two identical
notebooks are still two students) and retries; at most WINDOW tasks per worker thread are in flight, so a class
of 20,000 notebooks never sits in the scheduler's memory at once. Results come back as data and are written by
the coordinator as they complete. A worker lost mid-task (killed, out of memory, machine gone) is noticed by the
scheduler, which runs its tasks again on another worker; a task that keeps killing workers (Dask's
`allowed-failures`, 3 by default) ends as KilledWorker: that submission alone is not graded in this run (our
fault, not the learner's), and the next run retries it.

Before the class is submitted, one probe task checks that the cluster can run the job at all: a worker is
connected, and the scheduler and that worker can load the grading unit (the scheduler unpickles every task, so
it too needs the course on its path). When it cannot, nothing is submitted and nothing is graded
(ClusterUnusable): the coordinator says why and exits non-zero, and a plain rerun grades everyone once the
cluster is fixed.

The scheduler and the workers run in this repository with its venv (and bubblewrap on the workers):
`make dask-scheduler` and `make dask-worker` (docs/scaling.md).
"""

import time

from grader.driver import internal_error, load_unit, run_unit

WINDOW = 4
WAIT_FOR_WORKERS = 60   # seconds to wait for a first worker
PROBE_TIMEOUT = 300     # seconds for the probe task (it waits behind other clients' tasks)
HOW_TO_FIX = ("start the scheduler and every worker with the commands of docs/scaling.md (`make dask-scheduler`, "
              "`make dask-worker`) in the course's folder, then run the same command again")


class ClusterUnusable(Exception):
    """The cluster cannot run the grading job at all; the message says why and what to do."""


def probe(spec):
    """Run on a worker: the grading unit (and so the course) can be imported there."""
    load_unit(spec)
    return "ok"


def _first_line(err):
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}"[:300]


def run_dask(address, spec, jobs, materialize, on_result, log):
    from distributed import Client, as_completed

    try:
        client = Client(address, timeout="30s")
    except OSError as e:
        raise ClusterUnusable(f"cannot reach the Dask scheduler at {address} ({_first_line(e)}); "
                              f"{HOW_TO_FIX}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
        except Exception:  # noqa: BLE001 (TimeoutError, or the scheduler went away)
            raise ClusterUnusable(f"no Dask worker connected to {address} within {WAIT_FOR_WORKERS} s; "
                                  f"{HOW_TO_FIX}") from None
        stamp = int(time.time() * 1000)
        try:
            client.submit(probe, spec, pure=False, key=f"grade-probe-{stamp}").result(timeout=PROBE_TIMEOUT)
        except Exception as e:  # noqa: BLE001 (whatever it is, the cluster cannot run the job)
            raise ClusterUnusable(f"the Dask cluster at {address} cannot run the grading unit ({_first_line(e)}); "
                                  f"{HOW_TO_FIX}") from None
        threads = sum(client.nthreads().values())
        log(f"dask: {len(client.nthreads())} worker(s), {threads} thread(s) at {address}")
        window = max(WINDOW * max(threads, 1), 8)
        queue = list(jobs)
        by_key = {}
        pending = as_completed()

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
            except Exception as e:  # noqa: BLE001 (KilledWorker after repeated worker deaths, a lost cluster...)
                result = internal_error(job, f"on the Dask cluster: {_first_line(e)}")
            fut.release()
            on_result(job, result)
            if queue:
                submit()
    finally:
        client.close()
