"""The coordinator: which submissions need grading, grading them (here, in a process pool or on Dask), and
keeping every result safe on disk as it arrives.

State lives in the course folder, one file per submission, each written atomically (temp file, fsync,
os.replace), so a run killed at any moment (kill -9 included) leaves only whole files:

    <course>/results/<assignment>/<student>.json       the unit's result (without the notebook), the content key
    <course>/autograded/<student>/<assignment>/<nb>    the graded notebook (written before the result)
    <course>/grader-state.json                         which results are already in the gradebook and feedback,
                                                       and the generation of each assignment's tests (--regrade)
    <course>/regrades/<assignment>.json                the last --regrade: every grade as it was before it began
                                                       (report.last_regrade turns it into the changes it made)
    <course>/grader-secret                             the course's secret (0600, made on first need): each
                                                       learner's seed for the hidden tests' inputs comes from it
                                                       (grader/seeds.py); it never leaves this process

A rerun grades a submission again when its key changed (sha256 of the notebook text and of the listing of the
files beside it), when its result is of an older generation than the assignment's (a --regrade starts a new
generation before it grades anything, so a regrade that was killed or failed for some students is finished by
the next plain run), or with --regrade; the gradebook, the CSV, feedback and the summary are then brought up to
date from the result files. One result file per student and assignment is what makes "exactly one grade each"
hold whatever happened before. Only this process writes the gradebook and the CSV.

Our faults are not grades: a submission that could not be graded because of something of ours (the unit or the
judge crashed, a grading process or a Dask worker was lost, a cluster that cannot run the job, a machine that
cannot sandbox) gets no result file at all. Its earlier result, if any, stays as it was; the run says why and
ends non-zero; the next plain run grades it (its key or generation still differ from what was asked).

A dry run (`grade --dry-run`) calls `grade` with a scratch folder as its course: `scratch_course` copies the
assignment's result files there (reading the course folder, never writing it), and `grade` writes only there.

Text that leaves this process (console, result files, CSV, gradebook, summary) may hold anything a learner's
code printed or raised, including lone surrogates: `clean` escapes them (\\udce9) and `bound` caps what one
submission's messages can add, before a result is written.
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
from dataclasses import dataclass, field
from multiprocessing import get_context

from course.assignments import ASSIGNMENTS

UNIT_ENV = "CHARLM_GRADER_UNIT"
DEFAULT_UNIT = "grader.unit:grade_submission"
ATTEMPTS = 3            # a submission whose grading process dies this many times is not graded in this run
STATE = "grader-state.json"
INTERNAL = "internal-error"   # the status of a result that is our fault: never recorded as a grade

MAX_MESSAGE = 2000      # characters kept of one cell's message
MAX_TEXT = 500          # characters kept of one review reason or note
MAX_LISTED = 40         # review reasons, and notes, kept per result (then one line saying how many more)


# ---------------------------------------------------------------------------------------------------------------
# text that leaves this process

def printable(text):
    """str(text), with lone surrogates (undecodable file names, a learner's odd strings) written as escapes
    (backslashreplace), so that it can be encoded as UTF-8 wherever it goes."""
    text = str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean(obj):
    """A JSON-like value with every string (keys too) made printable; the value itself when nothing needs it."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return obj
    except UnicodeEncodeError:
        return _clean(obj)


def _clean(obj):
    if isinstance(obj, str):
        return printable(obj)
    if isinstance(obj, dict):
        return {printable(k) if isinstance(k, str) else k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def cap(text, limit):
    """text, cut to limit characters with a note of how many were left out."""
    text = printable(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def bound(result):
    """The result with what one submission's messages can add capped: reasons, notes and cell messages."""
    result = dict(result)
    for name in ("reasons", "notes"):
        items = [cap(x, MAX_TEXT) for x in (result.get(name) or [])[:MAX_LISTED + 1]]
        more = len(result.get(name) or []) - MAX_LISTED
        if more > 0:
            items = items[:MAX_LISTED] + [f"... and {more:,} more"]
        result[name] = items
    cells = result.get("cells")
    if isinstance(cells, dict):
        result["cells"] = {gid: dict(c, message=cap(c.get("message", ""), MAX_MESSAGE)) if isinstance(c, dict) else c
                           for gid, c in cells.items()}
    return result


# ---------------------------------------------------------------------------------------------------------------
# files written atomically

def write_atomic(path, data):
    """Write bytes or text to path so that a reader (or a rerun after kill -9) sees the old file or the new one.

    Text is written as UTF-8 with any lone surrogate escaped (see printable): whatever the text, it is written."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8", "backslashreplace") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def say(message):
    print(printable(message), flush=True)


def write_json(path, obj):
    write_atomic(path, json.dumps(clean(obj), indent=1, sort_keys=True, ensure_ascii=False) + "\n")


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
    """One grading run per course folder at a time (an flock, released by the kernel even after kill -9).

    The lock file `.grader.lock` stays empty: only its flock matters. A reader (`shared=True`, a dry run) takes a
    shared lock, so it never reads a course while a run writes it, and never creates the file: where there is none,
    no run has ever written this course, and the reader goes on without a lock."""

    def __init__(self, course, shared=False):
        self.path = os.path.join(course, ".grader.lock")
        self.shared = shared
        self.fd = None

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDONLY if self.shared else os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            if self.shared:
                return self
            raise
        try:
            fcntl.flock(self.fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise RuntimeError(f"another grading run is using {os.path.dirname(self.path)}; wait for it") from None
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


# ---------------------------------------------------------------------------------------------------------------
# the unit of work

def unit_spec():
    return os.environ.get(UNIT_ENV) or DEFAULT_UNIT


def load_unit(spec):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "grade_submission")


def graded_cells(assignment):
    """[(grade_id, points)] of the assignment's graded cells, in notebook order (from the instructor notebook)."""
    from course import notebooks

    return list(notebooks.graded_cells(assignment).items())


def internal_error(job, why):
    """The result of a submission we could not grade (our fault): never written as a grade (see is_ours)."""
    return {"student": job["student"], "assignment": job["assignment"], "status": INTERNAL, "score": 0.0,
            "max_score": 0.0, "cells": {}, "flagged": True, "reasons": [f"{INTERNAL}: {why}"], "notes": [],
            "seconds": 0.0, "notebook": None}


def is_ours(result):
    """Whether a result says the grading failed for a reason of ours, not the learner's (no grade then)."""
    return not isinstance(result, dict) or result.get("status") == INTERNAL or not isinstance(result.get("cells"),
                                                                                               dict)


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

class NoSandbox(Exception):
    """This machine cannot run learners' code sandboxed, and the run did not accept an unsandboxed one."""


@dataclass
class Outcome:
    """What one grading run did: how many were graded and skipped, and which were not graded (our fault) and why."""

    graded: int = 0
    skipped: int = 0
    not_graded: dict = field(default_factory=dict)   # student -> why (one line)


def result_path(course, assignment, student):
    return os.path.join(course, "results", assignment, f"{student}.json")


def autograded_path(course, assignment, student):
    return os.path.join(course, "autograded", student, assignment, ASSIGNMENTS[assignment][0])


def load_results(course, assignment):
    """{student: record} of every grade of the assignment in the course (a result of ours, written by an earlier
    version of the grader, is not a grade: it is left out, and graded again)."""
    folder = os.path.join(course, "results", assignment)
    records = {}
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json") and not name.startswith("."):
                record = read_json(os.path.join(folder, name))
                if isinstance(record, dict) and isinstance(record.get("result"), dict) and not is_ours(
                        record["result"]):
                    records[name[:-5]] = record
    return records


def regrade_log_path(course, assignment):
    return os.path.join(course, "regrades", f"{assignment}.json")


MAX_COMPARED = 500      # characters of a cell's message kept for comparing a grade before and after a regrade


def compact(record, assignment, order=None):
    """What a regrade can change of one grade, for comparing two gradings of a student: the total (the graded
    cells' points, as grades.csv adds them), each cell's points, outcome and message (capped), the review flag and
    its reasons, the status; with the notebook's key and the grading's id, which say whether it was graded again
    and on which notebook. `order`: the assignment's graded cells (graded_cells), when the caller has read them."""
    result = record["result"]
    cells = result.get("cells") or {}
    known = [gid for gid, _ in order or graded_cells(assignment)]
    out = {}
    for gid in known + sorted(g for g in cells if g not in known):
        cell = cells.get(gid)
        if isinstance(cell, dict):
            out[gid] = {"points": float(cell.get("points") or 0), "max_points": float(cell.get("max_points") or 0),
                        "outcome": printable(cell.get("outcome", "")),
                        "message": cap(str(cell.get("message") or "").strip(), MAX_COMPARED)}
    return {"key": record.get("key"), "id": version(record), "status": printable(result.get("status", "")),
            "score": sum(out[g]["points"] for g in known if g in out), "max_score": float(result.get("max_score") or 0),
            "flagged": bool(result.get("flagged")), "reasons": [cap(r, 300) for r in result.get("reasons") or []],
            "cells": out}


def scratch_course(course, assignment, scratch):
    """Make `scratch` (a folder outside the course) stand in for the course in a dry run: a copy of the assignment's
    result files, so that `grade(scratch, ...)` skips and grades what it would in the course. Reads the course folder,
    never writes it."""
    folder = os.path.join(course, "results", assignment)
    into = os.path.join(scratch, "results", assignment)
    os.makedirs(into, exist_ok=True)
    copied = 0
    if os.path.isdir(folder):
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.endswith(".json") and not name.startswith(".") and os.path.isfile(path) \
                    and not os.path.islink(path):
                with open(path, "rb") as f:
                    data = f.read()
                write_atomic(os.path.join(into, name), data)
                copied += 1
    return copied


def generation(state, assignment, new=False):
    """The generation of the assignment's tests: a new one for --regrade (results of older ones are graded again)."""
    known = state.setdefault("generation", {})
    if new:
        known[assignment] = uuid.uuid4().hex
    return known.get(assignment)


def sandbox_refusal(allow_unsandboxed):
    """'' when learners' code can run here (sandboxed, or unsandboxed by the instructor's choice), else why not."""
    if allow_unsandboxed:
        return ""
    from grader.sandbox import unavailable_reason

    why = unavailable_reason()
    return (f"{why}: refusing to run learners' code without the sandbox (install bubblewrap with `make sandbox`, "
            "or pass --allow-unsandboxed to accept an unsandboxed run)") if why else ""


def grade(course, assignment, submissions, *, workers=1, scheduler=None, cell_timeout=60.0, budget=600.0,
          regrade=False, allow_unsandboxed=False, state=None, log=None, secret=None):
    """Grade the submissions that are new or changed (all with regrade); returns an Outcome.

    `state` (grader-state.json, saved here when a regrade starts a new generation) says which generation of the
    tests the results must be of. Each job carries its student's seed for the hidden tests' inputs, derived from
    `secret` (default: the course's own, grader/seeds.py, made on first need); the secret itself stays here.
    Raises NoSandbox, before grading anything, when this machine cannot sandbox and allow_unsandboxed is false
    (on a Dask cluster each worker checks for itself)."""
    log = log or say
    state = load_state(course) if state is None else state
    current = generation(state, assignment)
    existing = load_results(course, assignment)
    todo, extras = [], {}
    from grader import seeds
    from grader.unit import make_job  # (the unit imports this module's text helpers)

    for sub in submissions:
        key = job_key(sub.text(), sub.files)
        old = existing.get(sub.student)
        if not regrade and old and old.get("key") == key and old.get("generation") == current:
            continue
        extras[sub.student] = (key, sub)
    outcome = Outcome(skipped=len(submissions) - len(extras))
    if not extras:
        return outcome
    secret = seeds.course_secret(course) if secret is None else secret
    for student, (_key, sub) in extras.items():
        # the notebook's text joins the job only when it is handed to a worker (see materialize)
        todo.append(make_job(student, assignment, files=sub.files, cell_timeout=cell_timeout, budget=budget,
                             allow_unsandboxed=allow_unsandboxed, seed=seeds.seed_for(secret, student, assignment)))
    spec = unit_spec()
    if scheduler is None:
        load_unit(spec)   # fail early and clearly when the unit cannot be imported here
        refusal = sandbox_refusal(allow_unsandboxed)
        if refusal:
            raise NoSandbox(refusal)
    if regrade:   # before anything is graded: a regrade killed midway is finished by the next plain run
        current = generation(state, assignment, new=True)
        order = graded_cells(assignment)
        # every grade as it was, for the summary's "last regrade" (written before the generation it belongs to)
        write_json(regrade_log_path(course, assignment),
                   {"generation": current, "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "submitted": sorted(sub.student for sub in submissions),
                    "before": {s: compact(r, assignment, order) for s, r in existing.items()}})
        save_state(course, state)
    done = [0]
    t0 = time.time()

    def materialize(job):
        sub = extras[job["student"]][1]
        return dict(job, notebook=sub.text())

    def on_result(job, result):
        student = job["student"]
        done[0] += 1
        try:
            if is_ours(result):
                raise Ours(why_ours(result))
            record(job, result)
        except Exception as e:  # noqa: BLE001 (a result we cannot write is ours too: this student alone)
            why = str(e) if isinstance(e, Ours) else f"writing the result failed: {type(e).__name__}: {e}"
            outcome.not_graded[student] = printable(why)
            log(f"[{done[0]}/{len(todo)}] {student}: NOT GRADED, a fault of ours ({cap(why, 300)}); "
                "nothing recorded, the next run grades it")

    def record(job, result):
        key, sub = extras[job["student"]]
        notebook = result.pop("notebook", None)
        # what the intake found before the unit ran (several notebooks, renamed id) joins the unit's findings
        if sub.flags:
            result["flagged"] = True
            result["reasons"] = list(result.get("reasons", [])) + [f"intake: {f}" for f in sub.flags]
        result["notes"] = [f"intake: {n}" for n in sub.notes] + list(result.get("notes", []))
        result["seed"] = job.get("seed")   # the seed this run gave the student's hidden tests (grader/seeds.py)
        result = bound(clean(result))
        nb_path = autograded_path(course, assignment, job["student"])
        if notebook is not None:
            write_atomic(nb_path, json.dumps(clean(notebook), ensure_ascii=False))
        elif os.path.exists(nb_path):
            os.unlink(nb_path)   # ours, from an earlier submission of this student: it no longer applies
        write_json(result_path(course, assignment, job["student"]),
                   {"key": key, "id": uuid.uuid4().hex, "origin": printable(sub.origin), "generation": current,
                    "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "has_notebook": notebook is not None, "result": result})
        outcome.graded += 1
        log(f"[{done[0]}/{len(todo)}] {job['student']}: {result.get('status')} {result.get('score', 0):g}/"
            f"{result.get('max_score', 0):g}{'  FLAGGED' if result.get('flagged') else ''} "
            f"({result.get('seconds', 0):.1f} s)")

    if scheduler:
        from grader.distributed import ClusterUnusable, run_dask
        try:
            run_dask(scheduler, spec, todo, materialize, on_result, log=log)
        except ClusterUnusable as e:
            log(f"dask: {e}")
            for job in todo:
                outcome.not_graded.setdefault(job["student"], str(e))
    elif workers > 1:
        run_pool(spec, todo, workers, materialize, on_result)
    else:
        run_serial(spec, todo, materialize, on_result)
    log(f"{assignment}: graded {outcome.graded} submission(s) in {time.time() - t0:.1f} s"
        f" ({(time.time() - t0) / len(todo):.2f} s each, {workers if not scheduler else 'dask'} worker(s)); "
        f"{outcome.skipped} unchanged" + (f"; {len(outcome.not_graded)} NOT graded (ours)" if outcome.not_graded
                                          else ""))
    return outcome


class Ours(Exception):
    """A result that is our fault, with why."""
