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
judge (grader/judge.py) in a child process, forked from a warm judge of this process
(grader/zygote.py) that has the judge's libraries imported already; a crash there is an
"internal-error" result for this submission, not the end of a class. The judge in turn runs the
learner's code in the sandbox.
It is safe to call from a process pool or a Dask worker, on a machine where the course is installed.
"""

import atexit
import contextlib
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from tools.assignments import ASSIGNMENTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CELL_TIMEOUT = 60.0
DEFAULT_BUDGET = 600.0


def _env():
    return dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="agg", OPENBLAS_NUM_THREADS="1")


class _Zygote:
    """The warm judge of this process (grader/zygote.py): one forked child per submission.

    When it cannot be started or dies, the submission is judged by a fresh `python -m grader.judge`.
    """

    def __init__(self):
        self.owner, self.proc, self.lock, self.buffer, self.home = os.getpid(), None, threading.Lock(), b"", None

    def _start(self):
        self.buffer = b""
        self.home = tempfile.mkdtemp(prefix="charlm-zygote-")  # its prebuilt trusted folder, removed by close()
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.zygote"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                                     env=dict(_env(), CHARLM_ZYGOTE_HOME=self.home))

    def _line(self, deadline):
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def grade(self, job_path, result_path, assignment, timeout):
        """Judge one job; '' when the result file is written, else what went wrong."""
        with self.lock:
            deadline = time.monotonic() + timeout
            try:
                if self.proc is None or self.proc.poll() is not None:
                    self._start()
                self.proc.stdin.write(f"{job_path}\t{result_path}\t{assignment}\n".encode())
                self.proc.stdin.flush()
                started = self._line(time.monotonic() + 120)
                if not started or not started.startswith("pid "):
                    raise OSError("the warm judge did not start")
            except OSError:
                self.close()
                return _judge_in_a_new_process(job_path, result_path, deadline - time.monotonic())
            done = self._line(deadline)
            if done is None:  # past the time limit: stop that child, and the zygote with it
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(started.split()[1]), signal.SIGKILL)
                self.close()
                return "the judge did not finish in time"
            if done != "done 0" or not os.path.exists(result_path):
                return _error_tail(result_path) or f"the judge ended with status {done.split()[-1]}"
            return ""

    def close(self):
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None


_ZYGOTE = None


def _zygote():
    global _ZYGOTE
    if _ZYGOTE is None or _ZYGOTE.owner != os.getpid():  # a forked worker process makes its own
        _ZYGOTE = _Zygote()
        atexit.register(_ZYGOTE.close)
    return _ZYGOTE


def _error_tail(result_path):
    path = result_path + ".err"
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().strip().splitlines()
    return lines[-1][:300] if lines else ""


def _judge_in_a_new_process(job_path, result_path, timeout):
    try:
        proc = subprocess.run([sys.executable, "-m", "grader.judge", job_path, result_path], cwd=ROOT, env=_env(),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=max(timeout, 1))
    except subprocess.TimeoutExpired:
        return "the judge did not finish in time"
    if proc.returncode != 0 or not os.path.exists(result_path):
        return ((proc.stderr or "").strip().splitlines()[-1:] or ["no message"])[0][:300]
    return ""


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


def make_job(student, assignment, notebook=None, files=(), cell_timeout=DEFAULT_CELL_TIMEOUT,
             budget=DEFAULT_BUDGET, allow_unsandboxed=False):
    """The job of one submission, built in this one place for `grade` (grader/driver.py) and the learner's
    self-check (grader/selfcheck.py), so that both hand the unit the same fields.

    `notebook` may join later (the driver adds the text only when a worker takes the job);
    `allow_unsandboxed` is set only by the self-check, for a learner checking their own notebook on a machine
    without bubblewrap (the grader itself never sets it).
    """
    job = {"student": student, "assignment": assignment, "files": list(files),
           "cell_timeout": float(cell_timeout), "budget": float(budget)}
    if notebook is not None:
        job["notebook"] = notebook
    if allow_unsandboxed:
        job["allow_unsandboxed"] = True
    return job


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
        failure = _zygote().grade(job_path, result_path, job["assignment"], job["budget"] + 180)
        if failure:
            return _fallback(job, "internal-error", f"internal error in the judge ({failure}); regrade",
                             time.monotonic() - t0)
        with open(result_path, encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
