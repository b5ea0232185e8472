"""The coordinator: which submissions need grading, grading them (here, in a process pool or on Dask), and
keeping every result safe on disk as it arrives.

State lives in the course folder, one file per submission, each written atomically (temp file, fsync,
os.replace), so a run killed at any moment (kill -9 included) leaves only whole files:

    <course>/results/<assignment>/<student>.json       the unit's result (without the notebook), the content key
    <course>/autograded/<student>/<assignment>/<nb>    the graded notebook (written before the result)
    <course>/grader-state.json                         which results are already in the gradebook and feedback

A rerun grades a submission again only when its key changed (sha256 of the notebook text and of the listing
of the files beside it), or with --regrade; the gradebook, the CSV, feedback and the summary are then brought
up to date from the result files. One result file per student and assignment is what makes "exactly one grade
each" hold whatever happened before. Only this process writes the gradebook and the CSV.
"""

import fcntl
import hashlib
import importlib
import json
import os
import sys
import tempfile
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from grader.unit import make_job
from tools.assignments import ASSIGNMENTS

UNIT_ENV = "CHARLM_GRADER_UNIT"
DEFAULT_UNIT = "grader.unit:grade_submission"
ATTEMPTS = 3            # a submission whose grading process dies this many times gets an internal-error result
STATE = "grader-state.json"


# ---------------------------------------------------------------------------------------------------------------
# files written atomically

def write_atomic(path, data):
    """Write bytes or text to path so that a reader (or a rerun after kill -9) sees the old file or the new one."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def say(message):
    print(message, flush=True)


def write_json(path, obj):
    write_atomic(path, json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def read_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def load_state(course):
    return read_json(os.path.join(course, STATE), {}) or {}


def save_state(course, state):
    write_json(os.path.join(course, STATE), state)


class CourseLock:
    """One grading run per course folder at a time (an flock, released by the kernel even after kill -9)."""

    def __init__(self, course):
        self.path = os.path.join(course, ".grader.lock")

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise RuntimeError(f"another grading run is using {os.path.dirname(self.path)}; wait for it") from None
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# ---------------------------------------------------------------------------------------------------------------
# the unit of work

def unit_spec():
    return os.environ.get(UNIT_ENV) or DEFAULT_UNIT


def load_unit(spec):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "grade_submission")


def graded_cells(assignment):
    """[(grade_id, points)] of the assignment's graded cells, in notebook order (from the instructor notebook)."""
    from tools.assignments import ROOT
    path = os.path.join(ROOT, "source", assignment, ASSIGNMENTS[assignment][0])
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    cells = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            cells.append((meta["grade_id"], float(meta.get("points", 0) or 0)))
    return cells


def internal_error(job, why):
    """A result for a submission the unit could not grade: zero for every cell, flagged, with the reason."""
    cells = {gid: {"points": 0.0, "max_points": pts, "outcome": "no-result", "message": why}
             for gid, pts in graded_cells(job["assignment"])}
    text = job.get("notebook", "")
    return {"student": job["student"], "assignment": job["assignment"],
            "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "status": "internal-error", "score": 0.0, "max_score": sum(c["max_points"] for c in cells.values()),
            "cells": cells, "flagged": True, "reasons": [f"internal-error: {why}"], "notes": [], "seconds": 0.0,
            "notebook": None}


def run_unit(spec, job):
    """Call the unit named by spec on one job, in whatever process this runs in; never raises."""
    try:
        result = load_unit(spec)(job)
        if not isinstance(result, dict) or "cells" not in result:
            return internal_error(job, f"the grading unit returned {type(result).__name__}, not a result")
        return result
    except Exception as e:  # the unit promises never to raise; if it does, this submission alone pays
        return internal_error(job, f"{type(e).__name__}: {e} ({traceback.format_exc(limit=-1).strip()[-300:]})")


def version(record):
    """What identifies one grading of a submission (a regrade of the same notebook is a new version)."""
    return record.get("id") or record["key"]


def job_key(text, files):
    """What decides whether a submission is new or changed: its notebook's text and the files beside it."""
    h = hashlib.sha256()
    h.update(text.encode("utf-8", "surrogatepass"))
    h.update(json.dumps(files, sort_keys=True).encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# executors: each reads a job's notebook (materialize) just before handing it out, and calls
# on_result(job, result) in this process as results arrive

def run_serial(spec, jobs, materialize, on_result):
    for job in jobs:
        on_result(job, run_unit(spec, materialize(job)))


def run_pool(spec, jobs, workers, materialize, on_result):
    """N submissions at once in a process pool; a pool broken by a killed process is rebuilt, its jobs retried."""
    pending = list(jobs)
    attempts = {id(j): 0 for j in pending}
    while pending:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            queue, running = list(pending), {}
            broken = False
            while (queue or running) and not broken:
                while queue and len(running) < 2 * workers:
                    job = queue.pop(0)
                    running[pool.submit(run_unit, spec, materialize(job))] = job
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        running[fut] = job
                        continue
                    pending.remove(job)
                    on_result(job, result)
        if broken:
            for job in pending:
                attempts[id(job)] += 1
            for job in [j for j in pending if attempts[id(j)] >= ATTEMPTS]:
                pending.remove(job)
                on_result(job, internal_error(job, f"the grading process died {ATTEMPTS} times"))
            if pending:
                print(f"a grading process died; retrying {len(pending)} submission(s)", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# the run

def result_path(course, assignment, student):
    return os.path.join(course, "results", assignment, f"{student}.json")


def autograded_path(course, assignment, student):
    return os.path.join(course, "autograded", student, assignment, ASSIGNMENTS[assignment][0])


def load_results(course, assignment):
    """{student: record} of every result file of the assignment in the course."""
    folder = os.path.join(course, "results", assignment)
    records = {}
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json") and not name.startswith("."):
                record = read_json(os.path.join(folder, name))
                if isinstance(record, dict) and "result" in record:
                    records[name[:-5]] = record
    return records


def grade(course, assignment, submissions, *, workers=1, scheduler=None, cell_timeout=60.0, budget=600.0,
          regrade=False, log=None):
    """Grade the submissions that are new or changed (all with regrade); return (graded, skipped) counts."""
    log = log or say
    existing = load_results(course, assignment)
    todo, extras = [], {}
    for sub in submissions:
        key = job_key(sub.text(), sub.files)
        old = existing.get(sub.student)
        if not regrade and old and old.get("key") == key:
            continue
        # the notebook's text joins the job only when it is handed to a worker (see materialize)
        job = make_job(sub.student, assignment, files=sub.files, cell_timeout=cell_timeout, budget=budget)
        extras[sub.student] = (key, sub)
        todo.append(job)
    skipped = len(submissions) - len(todo)
    if not todo:
        return 0, skipped
    spec = unit_spec()
    if scheduler is None:
        load_unit(spec)   # fail early and clearly when the unit cannot be imported here
    done = [0]
    t0 = time.time()

    def materialize(job):
        sub = extras[job["student"]][1]
        return dict(job, notebook=sub.text())

    def on_result(job, result):
        key, sub = extras[job["student"]]
        notebook = result.pop("notebook", None)
        # what the intake found before the unit ran (several notebooks, renamed id) joins the unit's findings
        if sub.flags:
            result["flagged"] = True
            result["reasons"] = list(result.get("reasons", [])) + [f"intake: {f}" for f in sub.flags]
        result["notes"] = [f"intake: {n}" for n in sub.notes] + list(result.get("notes", []))
        nb_path = autograded_path(course, assignment, job["student"])
        if notebook is not None:
            write_atomic(nb_path, json.dumps(notebook, ensure_ascii=False))
        elif os.path.exists(nb_path):
            os.unlink(nb_path)   # ours, from an earlier submission of this student: it no longer applies
        record = {"key": key, "id": uuid.uuid4().hex, "origin": sub.origin,
                  "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "has_notebook": notebook is not None, "result": result}
        write_json(result_path(course, assignment, job["student"]), record)
        done[0] += 1
        log(f"[{done[0]}/{len(todo)}] {job['student']}: {result.get('status')} {result.get('score', 0):g}/"
            f"{result.get('max_score', 0):g}{'  FLAGGED' if result.get('flagged') else ''} "
            f"({result.get('seconds', 0):.1f} s)")

    if scheduler:
        from grader.distributed import run_dask
        run_dask(scheduler, spec, todo, materialize, on_result, log=log)
    elif workers > 1:
        run_pool(spec, todo, workers, materialize, on_result)
    else:
        run_serial(spec, todo, materialize, on_result)
    log(f"{assignment}: graded {len(todo)} submission(s) in {time.time() - t0:.1f} s"
        f" ({(time.time() - t0) / len(todo):.2f} s each, {workers if not scheduler else 'dask'} worker(s)); "
        f"{skipped} unchanged")
    return len(todo), skipped
