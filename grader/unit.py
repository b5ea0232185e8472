"""One submission in, its verdicts out, as plain data: the unit of work of every way of grading.

    from grader.unit import grade_submission
    result = grade_submission(job)

    job = {"student": str, "assignment": str,   # one of course.assignments.ASSIGNMENTS
           "notebook": str,                      # the submitted .ipynb file's text (may be anything)
           "files": [{"name", "kind": "file"|"symlink"|"dir"|"other", "size"}],  # listed beside it, never read
           "cell_timeout": float,                # seconds per cell (default 60)
           "budget": float,                      # seconds for the whole notebook (default 600)
           "cpu_seconds": int,                   # the learner's process's CPU time (default budget + 30)
           "allow_unsandboxed": bool,            # the instructor accepts an unsandboxed run (default false)
           "seed": str}                          # the learner's seed for the hidden tests' inputs (grader/seeds.py;
                                                 # absent: the notebook's default seed, as in a plain run)

    result = {"student", "assignment", "sha256",                # of the notebook text as UTF-8
              "status": "graded" | "unreadable" | "internal-error",
              "score", "max_score",
              "cells": {grade_id: {"points", "max_points",
                                   "outcome": grader.results.Outcome,  # its plain string value
                                   "message"}},                 # every graded cell, always
              "flagged": bool, "reasons": [str],                # review flags; points are kept
              "notes": [str], "seconds": float,
              "seed": str | None,                               # the seed the hidden tests drew their inputs from
              "notebook": dict | None}                          # the graded notebook (nbformat v4 JSON)

grade_submission never raises and never writes outside a temporary folder of its own. It runs the
judge (grader/judge.py) in a child process, forked from a warm judge of this process
(grader/zygote.py) that has the judge's libraries imported already; a crash there is an
"internal-error" result for this submission, not the end of a class (and not a grade: the driver records
nothing for it and the next run retries it). The judge in turn runs the learner's code in the sandbox.
A machine that cannot sandbox (checked once per process, grader.sandbox.unavailable_reason) runs nothing
and answers "internal-error", unless the job allows an unsandboxed run.
It is safe to call from a process pool or a Dask worker, on a machine where the course is installed.
"""

import atexit
import contextlib
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from course import notebooks
from course.assignments import ASSIGNMENTS, ROOT
from grader.defaults import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT
from grader.results import Outcome, zero_verdict
from grader.sandbox import ALLOW_ENV
from grader.seeds import valid_seed
from grader.store import clean

JSON_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")   # a surrogate written as a JSON escape


def _env():
    return dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="agg", OPENBLAS_NUM_THREADS="1")


def _judge_env(allow_unsandboxed):
    """The judge's environment: whether an unsandboxed run was accepted is the job's say, never inherited."""
    env = _env()
    env.pop(ALLOW_ENV, None)
    if allow_unsandboxed:
        env[ALLOW_ENV] = "1"
    return env


class _Zygote:
    """The warm judge of this process (grader/zygote.py): one forked child per submission.

    When it cannot be started or dies, the submission is judged by a fresh `python -m grader.judge`.
    """

    def __init__(self, allow_unsandboxed=False):
        self.owner, self.proc, self.lock, self.buffer, self.home = os.getpid(), None, threading.Lock(), b"", None
        self.allow_unsandboxed = bool(allow_unsandboxed)

    def _start(self):
        self.buffer = b""
        self.home = tempfile.mkdtemp(prefix="charlm-zygote-")  # its prebuilt trusted folder, removed by close()
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.zygote"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                                     env=dict(_judge_env(self.allow_unsandboxed), CHARLM_ZYGOTE_HOME=self.home))

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
                return _judge_in_a_new_process(job_path, result_path, deadline - time.monotonic(),
                                               self.allow_unsandboxed)
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
_SANDBOX_CHECKED = set()   # pids of processes where the sandbox was found to work


def _zygote(allow_unsandboxed=False):
    global _ZYGOTE
    if _ZYGOTE is not None and _ZYGOTE.owner == os.getpid() and _ZYGOTE.allow_unsandboxed != bool(allow_unsandboxed):
        _ZYGOTE.close()   # another run's choice about unsandboxed runs (a Dask worker serves many)
        _ZYGOTE = None
    if _ZYGOTE is None or _ZYGOTE.owner != os.getpid():  # a forked worker process makes its own
        _ZYGOTE = _Zygote(allow_unsandboxed)
        atexit.register(_ZYGOTE.close)
    return _ZYGOTE


def cannot_sandbox(job):
    """'' when this job's learner code may run here, else why not: no sandbox, and no unsandboxed run accepted."""
    if job.get("allow_unsandboxed") or os.getpid() in _SANDBOX_CHECKED:
        return ""
    from grader.sandbox import unavailable_reason

    why = unavailable_reason()
    if not why:
        _SANDBOX_CHECKED.add(os.getpid())
    return why


def _error_tail(result_path):
    path = result_path + ".err"
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().strip().splitlines()
    return lines[-1][:300] if lines else ""


def _judge_in_a_new_process(job_path, result_path, timeout, allow_unsandboxed=False):
    try:
        proc = subprocess.run([sys.executable, "-m", "grader.judge", job_path, result_path], cwd=ROOT,
                              env=_judge_env(allow_unsandboxed),
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
            cells = {gid: zero_verdict(pts, Outcome.NO_RESULT, reason)
                     for gid, pts in notebooks.graded_cells(assignment).items()}
        except Exception:  # noqa: BLE001 (the course itself is broken: say so in the reason)
            cells = {}
    return {"student": job.get("student"), "assignment": assignment,
            "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), "status": status,
            "score": 0.0, "max_score": float(sum(c["max_points"] for c in cells.values())), "cells": cells,
            "flagged": True, "reasons": [reason], "notes": [], "seconds": round(seconds, 2), "notebook": None}


def without_lone_surrogates(text):
    """The notebook's JSON text with each lone surrogate in its strings (a JSON escape such as \\udce9 that is not
    half of a pair) written as its backslash escape, as grader.store.printable writes it.

    JSON may say anything; UTF-8, which the judge and every file it writes use, cannot encode a lone surrogate.
    In a code cell's string literal the escape means the same string to Python; Markdown shows it as written.
    The text is returned unchanged when it has none (or is not JSON: the judge says it is unreadable)."""
    if not JSON_SURROGATE.search(text):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    cleaned = clean(data)
    return text if cleaned is data else json.dumps(cleaned, ensure_ascii=False)


def make_job(student, assignment, notebook=None, files=(), cell_timeout=DEFAULT_CELL_TIMEOUT,
             budget=DEFAULT_BUDGET, allow_unsandboxed=False, seed=None):
    """The job of one submission, built in this one place for `grade` (grader/driver.py) and the learner's
    self-check (grader/selfcheck.py), so that both hand the unit the same fields.

    `notebook` may join later (the driver adds the text only when a worker takes the job);
    `allow_unsandboxed` is set by the self-check, for a learner checking their own notebook on a machine without
    bubblewrap, and by `grade --allow-unsandboxed`, when the instructor accepts an unsandboxed run;
    `seed` is the learner's seed for the hidden tests' inputs (grader/seeds.py): `grade` derives it from the
    course's secret, the self-check from the learner's seed token (or it is the practice seed). The job never
    holds the course's secret.
    """
    job = {"student": student, "assignment": assignment, "files": list(files),
           "cell_timeout": float(cell_timeout), "budget": float(budget)}
    if seed is not None:
        job["seed"] = seed
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
    job["allow_unsandboxed"] = bool(job.get("allow_unsandboxed"))
    if job.get("seed") is not None and not valid_seed(job["seed"]):  # ours: never grade with another seed
        return _fallback(job, "internal-error", "the job's seed is not one the grader makes (grader/seeds.py)", 0.0)
    if isinstance(job.get("notebook"), str):
        job["notebook"] = without_lone_surrogates(job["notebook"])
    why = cannot_sandbox(job)
    if why:
        return _fallback(job, "internal-error", f"this machine cannot sandbox learners' code ({why}), so nothing "
                         "was run: install bubblewrap on it (`make sandbox`), or grade with --allow-unsandboxed",
                         time.monotonic() - t0)
    work = tempfile.mkdtemp(prefix="charlm-unit-")
    try:
        job_path, result_path = os.path.join(work, "job.json"), os.path.join(work, "result.json")
        with open(job_path, "w", encoding="utf-8") as f:
            json.dump(job, f)
        failure = _zygote(job["allow_unsandboxed"]).grade(job_path, result_path, job["assignment"],
                                                          job["budget"] + 180)
        if failure:
            return _fallback(job, "internal-error", f"internal error in the judge ({failure}); regrade",
                             time.monotonic() - t0)
        with open(result_path, encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
