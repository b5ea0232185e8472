"""Where the grading unit runs: here, in a local process pool, or on a Dask cluster. Each executor reads a job's
notebook (`materialize`) just before handing it out, and calls `on_result(job, result)` in the coordinator's
process as results arrive; none of them raises for one submission's sake. A submission that cannot be graded
because of something of ours gets `internal_error(job, why)`, which is never written as a grade (`is_ours`).

The unit is `grader.unit:grade_submission`, or what CHARLM_GRADER_UNIT names (the tests' fake unit).

Dask:

Each submission is one task (`run_unit(spec, job)`), submitted with pure=False (two identical
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

import importlib
import os
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from grader.results import INTERNAL, internal_error
from grader.store import cap

UNIT_ENV = "CHARLM_GRADER_UNIT"
DEFAULT_UNIT = "grader.unit:grade_submission"
ATTEMPTS = 3            # a submission whose grading process dies this many times is not graded in this run


def unit_spec():
    return os.environ.get(UNIT_ENV) or DEFAULT_UNIT


def load_unit(spec):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "grade_submission")


def why_ours(result):
    """One line saying why a result of ours is not a grade."""
    if not isinstance(result, dict):
        return f"the grading unit returned {type(result).__name__}, not a result"
    reasons = [str(r) for r in result.get("reasons") or []]
    text = (reasons[-1] if reasons else "no reason given").removeprefix(f"{INTERNAL}: ")
    return cap(" ".join(text.split()), 300)


def run_unit(spec, job):
    """Call the unit named by spec on one job, in whatever process this runs in; never raises."""
    try:
        result = load_unit(spec)(job)
        if not isinstance(result, dict) or "cells" not in result:
            return internal_error(job, f"the grading unit returned {type(result).__name__}, not a result")
        return result
    except Exception as e:  # the unit promises never to raise; if it does, this submission alone pays
        return internal_error(job, f"{type(e).__name__}: {e} ({traceback.format_exc(limit=-1).strip()[-300:]})")


def run_serial(spec, jobs, materialize, on_result):
    for job in jobs:
        on_result(job, run_unit(spec, materialize(job)))


def _pool_round(spec, jobs, workers, materialize, on_result):
    """Run jobs in one process pool until they are done or the pool breaks (a grading process was killed).
    Returns (lost, unstarted): the jobs that were in the pool when it broke, and those never handed to it."""
    queue, running, lost = list(jobs), {}, []
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        while (queue or running) and not lost:
            while queue and len(running) < 2 * workers:
                job = queue.pop(0)
                running[pool.submit(run_unit, spec, materialize(job))] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                done, _ = wait(running)  # a broken pool ends every job in it: collect what finished first
            for fut in done:
                job = running.pop(fut)
                if isinstance(fut.exception(), BrokenProcessPool):
                    lost.append(job)
                else:
                    on_result(job, fut.result())
    return lost, queue


def run_pool(spec, jobs, workers, materialize, on_result):
    """N submissions at once in a process pool; a pool broken by a killed process is rebuilt. The jobs that were
    in it when it broke are then graded one at a time, each in a pool of its own, so that only a submission that
    kills its own grading process is blamed: ATTEMPTS deaths alone and it is not graded in this run (ours)."""
    pending, suspects = list(jobs), []
    attempts = {id(j): 0 for j in pending}
    while pending or suspects:
        while suspects:
            job = suspects.pop(0)
            lost, _ = _pool_round(spec, [job], 1, materialize, on_result)
            if lost:
                attempts[id(job)] += 1
                if attempts[id(job)] >= ATTEMPTS:
                    on_result(job, internal_error(job, f"the grading process died {ATTEMPTS} times (graded alone)"))
                else:
                    suspects.append(job)
        if pending:
            lost, pending = _pool_round(spec, pending, workers, materialize, on_result)
            if lost:
                suspects += lost
                print(f"a grading process died; grading the {len(lost)} submission(s) it held one at a time",
                      file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Dask

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
