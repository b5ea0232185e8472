"""The course folder: every file the grader keeps there, written atomically, and the text that goes into them.

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
                                                       (grader/seeds.py); it never leaves the coordinator

A lock file (CourseLock) keeps a second run off a course folder. A dry run (`grade --dry-run`) grades into a
scratch folder: `scratch_course` copies the assignment's result files there (reading the course folder, never
writing it).

Text that leaves the coordinator (console, result files, CSV, gradebook, summary) may hold anything a learner's
code printed or raised, including lone surrogates: `clean` escapes them (\\udce9) and `bound` caps what one
submission's messages can add, before a result is written.
"""

import fcntl
import hashlib
import json
import os
import tempfile
import uuid

from course.assignments import ASSIGNMENTS
from grader.results import is_ours

STATE = "grader-state.json"
MAX_MESSAGE = 2000      # characters kept of one cell's message
MAX_TEXT = 500          # characters kept of one review reason or note
MAX_LISTED = 40         # review reasons, and notes, kept per result (then one line saying how many more)


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


def graded_cells(assignment):
    """[(grade_id, points)] of the assignment's graded cells, in notebook order (from the instructor notebook)."""
    from course import notebooks

    return list(notebooks.graded_cells(assignment).items())


def version(record):
    """What identifies one grading of a submission (a regrade of the same notebook is a new version)."""
    return record.get("id") or record["key"]


def job_key(text, files):
    """What decides whether a submission is new or changed: its notebook's text and the files beside it."""
    h = hashlib.sha256()
    h.update(text.encode("utf-8", "surrogatepass"))
    h.update(json.dumps(files, sort_keys=True).encode())
    return h.hexdigest()


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
