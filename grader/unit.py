"""One submission in, its verdicts out, as plain data: the unit of work of every way of grading.

    from grader.unit import grade_submission
    result = grade_submission(job)

    job = {"student": str, "assignment": str,   # one of tools.assignments.ASSIGNMENTS
           "notebook": str,                      # the submitted .ipynb file's text (may be anything)
           "files": [{"name", "kind": "file"|"symlink"|"dir"|"other", "size"}],  # listed beside it, never read
           "cell_timeout": float,                # seconds per cell (default 60)
           "budget": float}                      # seconds for the whole notebook (default 600)

    result = {"student", "assignment", "sha256",                # of the notebook text as UTF-8
              "status": "graded" | "unreadable" | "internal-error",
              "score", "max_score",
              "cells": {grade_id: {"points", "max_points",
                                   "outcome": "passed"|"failed"|"error"|"timeout"|"limit"|"no-result",
                                   "message"}},                 # every graded cell, always
              "flagged": bool, "reasons": [str],                # review flags; points are kept
              "notes": [str], "seconds": float,
              "notebook": dict | None}                          # the graded notebook (nbformat v4 JSON)

grade_submission never raises and never writes outside a temporary folder of its own. It runs the
judge (grader/judge.py) as a child process, so a crash there is an "internal-error" result for this
submission, not the end of a class; the judge in turn runs the learner's code in the sandbox.
It is safe to call from a process pool or a Dask worker, on a machine where the course is installed.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from tools.assignments import ASSIGNMENTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CELL_TIMEOUT = 60.0
DEFAULT_BUDGET = 600.0


def _fallback(job, status, reason, seconds):
    """A result for a submission the judge could not finish: zero, flagged, with the reason."""
    text = job.get("notebook") if isinstance(job.get("notebook"), str) else ""
    cells = {}
    assignment = job.get("assignment")
    if assignment in ASSIGNMENTS:
        try:
            from grader.judge import Assignment

            a = Assignment(assignment)
            cells = {gid: {"points": 0.0, "max_points": pts, "outcome": "no-result", "message": reason}
                     for gid, pts in a.points.items()}
        except Exception:  # noqa: BLE001 (the course itself is broken: say so in the reason)
            cells = {}
    return {"student": job.get("student"), "assignment": assignment,
            "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), "status": status,
            "score": 0.0, "max_score": float(sum(c["max_points"] for c in cells.values())), "cells": cells,
            "flagged": True, "reasons": [reason], "notes": [], "seconds": round(seconds, 2), "notebook": None}


def grade_submission(job):
    """Grade one submission; see the module docstring for `job` and the result."""
    t0 = time.monotonic()
    job = dict(job)
    if job.get("assignment") not in ASSIGNMENTS:
        return _fallback(job, "internal-error", f"unknown assignment {job.get('assignment')!r}", 0.0)
    job["cell_timeout"] = float(job.get("cell_timeout") or DEFAULT_CELL_TIMEOUT)
    job["budget"] = float(job.get("budget") or DEFAULT_BUDGET)
    work = tempfile.mkdtemp(prefix="charlm-unit-")
    try:
        job_path, result_path = os.path.join(work, "job.json"), os.path.join(work, "result.json")
        with open(job_path, "w", encoding="utf-8") as f:
            json.dump(job, f)
        env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="agg", OPENBLAS_NUM_THREADS="1")
        try:
            proc = subprocess.run([sys.executable, "-m", "grader.judge", job_path, result_path], cwd=work, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=job["budget"] + 180)
        except subprocess.TimeoutExpired:
            return _fallback(job, "internal-error", "internal error: the judge did not finish in time; regrade",
                             time.monotonic() - t0)
        if proc.returncode != 0 or not os.path.exists(result_path):
            tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no message"]
            return _fallback(job, "internal-error", f"internal error in the judge ({tail[0][:300]}); regrade",
                             time.monotonic() - t0)
        with open(result_path, encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
