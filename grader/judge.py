"""The trusted side of grading one submission: the tests and their verdicts live here, never in the sandbox.

For one submitted notebook the judge
1. reads it as data (grader/intake.py): repairs, notes, and findings for the instructor's review;
2. starts the learner's process in the sandbox (grader/sandbox.py, grader/harness.py) on a folder
   holding the notebook and the assignment's released helper files, nothing else of the submission;
3. builds the tests' namespace here, in its own process, by running the instructor's notebook
   (source/) without its test and %%demo cells: the checks, expected values, data and helpers are
   the course's own, and every function or class the learner writes is replaced by a proxy; the job's
   seed (the learner's own, grader/seeds.py) is set there per submission, for the hidden tests to draw
   their inputs from (`hidden_rng`, utils/grading.py), and recorded in the result;
4. walks the learner's notebook in order: each code cell runs in the sandbox (locked cells as
   released), and where a graded test cell stands, the instructor's test code (hidden tests
   included) runs HERE; its calls to the learner's functions go to the sandbox with their arguments
   as data and come back as data (grader/rpc.py), so the comparison, the reference values and the
   verdict never touch the learner's process. Nothing the sandbox sends back is written into the
   test's objects: the state a call left an argument in is read through `after_call` (utils/grading.py),
   the random generators a test passes are the one exception (they get the state the call left them
   in). A function a test passes (a `predict`, a reference swapped in for another learner function) is
   lent for that one call and refused afterwards. Every call is recorded (`Judge.calls`, a `Call` each:
   arguments, the states they were left in, the value, the error, the time), for the messages built on
   them. The judge's own work for a test (its code, decoding what the sandbox sent, a lent function
   running) ends at the test's deadline plus a grace period, as a time limit;
5. returns the verdict of every graded cell with a reason and the kind of mistake (grader/kinds.py),
   the review flags, and the graded notebook (learner outputs capped and made safe for a browser,
   grader/sanitize.py; test cells show their verdict, hidden tests never their code).

Zero comes only from evidence: a wrong or missing value, an error, a time or resource limit hit,
or a learner process that ended itself. Static findings only flag. Output on stderr never fails a
test. A failed test names the function and the kind of mistake with a hint (grader/kinds.py); a
visible test also says what was expected and what came back, a hidden test never its inputs, its
expected values, what the learner's code returned or its labels: its message is one of a fixed set.

usage (by grader/unit.py): python -m grader.judge JOB.json RESULT.json
"""

import ast
import contextlib
import copy
import dataclasses
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import warnings

import nbformat
import numpy as np

from course import notebooks
from course.assignments import ASSIGNMENTS, ROOT
from grader import intake, kinds, rpc, sanitize
from grader.defaults import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT
from grader.results import Outcome, zero_verdict
from grader.sandbox import Limits, Sandbox
from grader.seeds import valid_seed

GRACE = 5.0  # seconds a cell or test may run past its limit before the sandbox is killed
OVERTIME = 1.0  # seconds after that before the judge's own work for it is stopped (waits end first)
START_TIMEOUT = 60.0
JUDGE_MEMORY = 8 * 1024 ** 3  # bytes of address space for this process
OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error"}
KEPT_MIME = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml"}
MAX_TEXT, MAX_DATA, MAX_OUTPUTS = 20_000, 2_000_000, 40


class SandboxGone(Exception):
    """The learner's process no longer answers (it ended, was killed, or broke the channel)."""


class JudgeOvertime(rpc.WireTimeout):
    """The judge's own work for a test (or a cell) went past its deadline (raised by the alarm)."""


class _Alarm:
    """A one-shot SIGALRM just past the hard deadline of a test or cell: the judge's work for it ends there.

    It interrupts whatever the judge is doing (the test's code, decoding what the sandbox sent, a lent
    function); inside a call of the learner's code that ends the call as a timeout and stops the sandbox,
    since the channel may be mid-frame (a wait past the same deadline would do so anyway).
    """

    def __init__(self):
        self.what = ""
        try:
            signal.signal(signal.SIGALRM, self._ring)
            self.installed = True
        except ValueError:  # not the main thread: the waits' own deadlines still hold
            self.installed = False

    def _ring(self, signum, frame):
        raise JudgeOvertime(f"{self.what} ran past its time limit")

    @contextlib.contextmanager
    def until(self, deadline, what):
        if not self.installed:
            yield
            return
        self.what = what
        signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


class SandboxDidNotStart(RuntimeError):
    """The learner's sandboxed process never answered its first message: nothing of the learner's ran."""


@dataclasses.dataclass(eq=False)
class Call:
    """One call of the learner's code by a test, recorded where it happens.

    `args` and `kwargs` are the test's own objects (never written by what came back); `after` pairs each
    mutable argument with the state the call left the learner's copy in; `value` is what came back,
    `error` the exception it raised (None when it returned); `key` a digest of the function, the arguments
    and their random generators' states as the call was made (kinds.fingerprint; None for a method).
    """

    target: str
    args: tuple
    kwargs: dict
    after: list = dataclasses.field(default_factory=list)
    value: object = None
    error: BaseException = None
    seconds: float = 0.0
    key: str = None


def _find_after(orig, new, obj, budget):
    """The state `obj` (held within `orig`, or `orig` itself) was left in, given `orig`'s state `new`."""
    stack = [(orig, new)]
    while stack and budget > 0:
        o, n = stack.pop()
        budget -= 1
        if o is obj:
            return True, n
        if type(o) is dict and type(n) is dict:
            stack.extend((o[k], n[k]) for k in o if k in n)
        elif type(o) in (list, tuple) and type(n) is type(o) and len(o) == len(n):
            stack.extend(zip(o, n))
    return False, None


# ---------------------------------------------------------------------------------------------
# the assignment, as the instructor wrote it


class Assignment:
    """What the judge needs of one assignment: source and release notebooks, tests, learner names."""

    def __init__(self, name):
        if name not in ASSIGNMENTS:
            raise ValueError(f"unknown assignment {name!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
        self.name = name
        self.notebook, self.files = ASSIGNMENTS[name]
        self.source = notebooks.read(os.path.join(ROOT, "source", name, self.notebook))
        self.release_dir = os.path.join(ROOT, "release", name)
        self.release = notebooks.read(os.path.join(self.release_dir, self.notebook))
        self.release_cells = notebooks.cells_by_id(self.release)
        self.tests, self.points, self.hidden, self.subjects = {}, {}, set(), {}
        for cell in self.source.cells:
            meta = notebooks.nbgrader(cell)
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                gid = meta["grade_id"]
                self.tests[gid] = notebooks.strip_markers(cell.source)
                self.points[gid] = float(meta.get("points", 0))
                self.subjects[gid] = kinds.subject(cell.source)
                if notebooks.regions(cell.source, "HIDDEN TESTS"):
                    self.hidden.add(gid)
        self.learner_names = learner_names(self.source)

    def trusted_folder(self, parent=None):
        """A private folder with the course's own helper modules and data (never the learner's copies)."""
        folder = tempfile.mkdtemp(prefix=f"charlm-judge-{self.name}-", dir=parent)
        for rel in self.files:
            shutil.copy(os.path.join(ROOT, rel), os.path.join(folder, os.path.basename(rel)))
        return folder

    def submission_folder(self, notebook_text):
        """The folder the sandbox sees: the released helpers and data, and the learner's notebook only."""
        folder = tempfile.mkdtemp(prefix=f"charlm-submission-{self.name}-")
        for entry in os.listdir(self.release_dir):
            path = os.path.join(self.release_dir, entry)
            if entry != self.notebook and os.path.isfile(path) and not os.path.islink(path):
                shutil.copy(path, os.path.join(folder, entry))
                os.chmod(os.path.join(folder, entry), 0o644)
        with open(os.path.join(folder, self.notebook), "w", encoding="utf-8") as f:
            f.write(notebook_text)
        os.chmod(os.path.join(folder, self.notebook), 0o644)
        os.chmod(folder, 0o755)
        return folder


def learner_names(source):
    """Functions and classes the learner writes: top-level definitions holding a SOLUTION region."""
    names = set()
    for cell in source.cells:
        if cell.cell_type != "code" or not notebooks.is_solution(cell):
            continue
        regions, kept = notebooks.marked_lines(cell.source, "SOLUTION")
        try:
            tree = ast.parse("\n".join(line for _, line in kept))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                first, last = kept[node.lineno - 1][0], kept[node.end_lineno - 1][0]
                if any(first <= b <= last or b <= first <= e for b, e in regions):
                    names.add(node.name)
    return names


# ---------------------------------------------------------------------------------------------
# the tests' namespace, built here from the instructor's notebook


class LearnerFunction:
    """A name the learner defines; calling it calls the learner's current definition in the sandbox."""

    def __init__(self, judge, name):
        self._judge, self.name = judge, name

    def __call__(self, *args, **kwargs):
        return self._judge.call_learner(self.name, args, kwargs)

    def __repr__(self):
        return f"<the learner's {self.name}>"


def build_namespace(assignment, folder):
    """Run the instructor's notebook, less its tests and %%demo cells, in a shell of this process."""
    from grader.harness import _make_shell

    shell = _make_shell()
    os.chdir(folder)
    sys.path.insert(0, folder)
    for cell in assignment.source.cells:
        meta = notebooks.nbgrader(cell)
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        code = notebooks.strip_markers(cell.source)
        if code.lstrip().startswith("%%demo"):
            continue
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            result = shell.run_cell(code, store_history=False)
        if not result.success:
            err = result.error_in_exec or result.error_before_exec
            raise RuntimeError(f"the instructor notebook's cell {meta.get('grade_id') or '(unlabelled)'} failed "
                               f"while building the tests' namespace: {type(err).__name__}: {err}")
    return shell.user_ns


_PREBUILT = {}  # assignment name -> (Assignment, trusted folder, namespace), built once by the warm judge


def prebuild(name, parent):
    """Build one assignment's tests' namespace ahead of its submissions (grader/zygote.py calls this).

    The warm judge builds it once and every forked child inherits a copy of its own, so no child
    runs the instructor's notebook again (about 2 s a submission for text8) and no child's changes
    reach another. Only the latest assignment is kept; if the build fails, each child builds (and
    reports the failure) itself.
    """
    if name in _PREBUILT:
        return
    _PREBUILT.clear()
    assignment = Assignment(name)
    trusted = assignment.trusted_folder(parent)
    try:
        namespace = build_namespace(assignment, trusted)
    finally:
        os.chdir(ROOT)
    _PREBUILT[name] = (assignment, trusted, namespace)


# ---------------------------------------------------------------------------------------------
# verdicts


def clean_outputs(outputs):
    """Outputs that came from the sandbox, reduced to what nbformat allows and capped in size."""
    kept = []
    if not isinstance(outputs, list):
        return kept
    for out in outputs[:MAX_OUTPUTS + 3]:
        if not isinstance(out, dict) or out.get("output_type") not in OUTPUT_TYPES:
            continue
        kind = out["output_type"]
        if kind == "stream":
            name = out.get("name") if out.get("name") in ("stdout", "stderr") else "stdout"
            kept.append(nbformat.v4.new_output("stream", name=name, text=str(out.get("text", ""))[:MAX_TEXT + 200]))
        elif kind == "error":
            tb = out.get("traceback") if isinstance(out.get("traceback"), list) else []
            kept.append(nbformat.v4.new_output("error", ename=str(out.get("ename", "Error"))[:200],
                                               evalue=str(out.get("evalue", ""))[:MAX_TEXT],
                                               traceback=[str(t)[:MAX_TEXT] for t in tb[-60:]]))
        else:
            data = out.get("data") if isinstance(out.get("data"), dict) else {}
            data = {k: v for k, v in data.items() if k in KEPT_MIME and isinstance(v, str) and len(v) <= MAX_DATA}
            if not data:
                continue
            meta = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
            meta = {k: v for k, v in meta.items() if k in KEPT_MIME and isinstance(v, dict)}
            made = nbformat.v4.new_output(kind, data=data, metadata=meta)
            if kind == "execute_result":
                made["execution_count"] = None
            kept.append(made)
    return kept


class Judge:
    def __init__(self, job):
        self.job = job
        self.cell_timeout = float(job.get("cell_timeout") or DEFAULT_CELL_TIMEOUT)
        self.budget = float(job.get("budget") or DEFAULT_BUDGET)
        # the learner's process's CPU time (RLIMIT_CPU): past the wall-time budget, so that the budget usually
        # ends a slow notebook first; the job (made by the instructor's side, grader/unit.py) may set it
        self.cpu_seconds = int(job.get("cpu_seconds") or int(self.budget) + 30)
        self.sandbox, self.endpoint, self.ns, self.proxies = None, None, None, {}
        self.gone = ""  # why the learner's process is gone ('' while it answers)
        self.gone_outcome = Outcome.NO_RESULT  # the outcome of a test that its going cut short
        self.test_deadline = None
        self.outputs = sanitize.NotebookOutputs()  # cell index -> outputs of a cell the sandbox ran (made
        # safe for a browser as they are stored, and capped per notebook: grader/sanitize.py)
        self.calls = []  # the current test's calls of the learner's code (a Call each)
        self.alarm = None
        self._depth = 0  # calls of the learner's code in progress (a lent function may call it again)

    # --- calls into the sandbox -------------------------------------------------------------
    def call_learner(self, name, args, kwargs):
        return self.call_target({"global": name}, args, kwargs)

    def call_target(self, target, args, kwargs):
        """Call the learner's code (a global, or a method of an object it returned) with data.

        Functions among the arguments and the overrides (a test's reference versions of learner names)
        are lent for this call only; the test's objects are never written by what comes back.
        """
        if self.gone:
            raise SandboxGone(self.gone)
        overrides = {m: self.ns.get(m) for m, proxy in self.proxies.items()
                     if m in self.ns and self.ns.get(m) is not proxy}
        now = time.monotonic()
        remaining = max(self.test_deadline - now, 0.01) if self.test_deadline else self.cell_timeout
        record = Call(str(target.get("global") or kinds.METHOD), tuple(args), dict(kwargs),
                      key=kinds.fingerprint(target, args, kwargs))
        if self._depth == 0:
            self.endpoint.revoke()  # (already done when the last call returned, unless an alarm cut in)
        self._depth += 1
        try:
            record.value = self.endpoint.call(target, args, kwargs, {"overrides": overrides, "timeout": remaining})
            return record.value
        except rpc.Unsendable as err:  # the test's own argument: the instructor's mistake, not the learner's
            record.error = TypeError(str(err))
            raise record.error from None
        except rpc.WireError as err:
            record.error = err
            self._lost(err)
            raise SandboxGone(self.gone) from None
        except BaseException as err:
            record.error = err
            if self.gone:  # a lent function's own call of the learner's code stopped the sandbox
                raise SandboxGone(self.gone) from None
            raise
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.endpoint.revoke()  # nothing lent outlives the call it was lent for
            record.after = self.endpoint.last_after
            self.endpoint.last_after = []
            record.seconds = time.monotonic() - now
            self.calls.append(record)

    def after_call(self, obj):
        """The state the learner's last call that received `obj` (or a container holding it) left it in.

        `obj` itself when no call of the current test received it (as in a plain kernel, where the
        argument is the very object the learner's code changed), and for anything but a container.
        """
        if not isinstance(obj, (dict, list, set, tuple, np.ndarray)):
            return obj
        for record in reversed(self.calls):
            for orig, new in record.after:
                found, state = _find_after(orig, new, obj, 100_000)
                if found:
                    return state
        return obj

    def serve(self, request):
        """What the learner's code may ask of the judge: call a function lent to the call in progress."""
        op = request.get("op")
        if op != "call":
            raise PermissionError(f"{op!r}: the grader only answers calls of the functions it passes to your code")
        target = request.get("target")
        target = self.endpoint.local(target.get("ref") if isinstance(target, dict) else None)
        if self.test_deadline is not None and time.monotonic() > self.test_deadline:
            raise TimeoutError("the call ran past its time limit")
        args, kwargs = list(request.get("args") or []), dict(request.get("kwargs") or {})
        value = target(*args, **kwargs)
        return {"value": value, "after": rpc.copied_back(request, args, kwargs)}

    def _lost(self, err):
        if self.gone:
            return
        if isinstance(err, JudgeOvertime):
            self.gone = f"did not finish in time ({err}, the grader's work for it included) and was stopped (killed)"
            self.gone_outcome = Outcome.TIMEOUT
        elif isinstance(err, rpc.WireTimeout):
            self.gone = "did not answer in time and was stopped (killed)"
            self.gone_outcome = Outcome.TIMEOUT
        elif isinstance(err, rpc.ChannelClosed):
            time.sleep(0.2)
            self.gone = self.sandbox.exit_reason() or "closed its channel to the grader"
            self.gone_outcome = self.sandbox.exit_outcome()  # LIMIT when the kernel stopped it at a limit
        else:
            self.gone = f"sent something that is not a result ({err}) and was stopped"
        self.sandbox.kill()
        self.gone = f"the notebook's process {self.gone}"

    # --- the walk ---------------------------------------------------------------------------
    def run(self):
        job, t0 = self.job, time.monotonic()
        prebuilt = _PREBUILT.get(str(job.get("assignment")))
        assignment = prebuilt[0] if prebuilt else Assignment(str(job.get("assignment")))
        text = job.get("notebook") if isinstance(job.get("notebook"), str) else ""
        result = {"student": job.get("student"), "assignment": assignment.name,
                  "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
                  "status": "graded", "score": 0.0, "max_score": sum(assignment.points.values()),
                  "cells": {gid: zero_verdict(pts, Outcome.NO_RESULT, "the test did not run")
                            for gid, pts in assignment.points.items()},
                  "flagged": False, "reasons": [], "notes": [], "seconds": 0.0, "notebook": None,
                  "seed": job.get("seed") if valid_seed(job.get("seed")) else None}  # None: the default
        cells = result["cells"]
        for entry in job.get("files") or []:
            name, kind = str(entry.get("name"))[:200], entry.get("kind")
            if kind == "symlink":
                result["reasons"].append(f"{name}: a symbolic link beside the notebook was refused (never followed)")
            else:
                result["notes"].append(f"{name}: not used (only the notebook is graded)")
        try:
            nb = nbformat.reads(text, as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("it has no list of cells")
        except Exception as err:  # noqa: BLE001 (whatever the file is, the learner gets a reason)
            result["status"] = "unreadable"
            reason = f"the notebook could not be read: {type(err).__name__}: {str(err)[:200]}"
            for c in cells.values():
                c["message"] = reason
            result["reasons"].append(reason)
            return self._finish(result, t0, assignment)
        nb.cells = [c for c in nb.cells if isinstance(c, dict) and c.get("cell_type") in ("code", "markdown", "raw")]
        for c in nb.cells:
            if not isinstance(c.get("source"), str):
                c["source"] = "".join(map(str, c.get("source"))) if isinstance(c.get("source"), list) else ""
        trusted = prebuilt[1] if prebuilt else assignment.trusted_folder()
        submission = None
        try:
            try:
                notes, findings = intake.check(nb, assignment.source, assignment.release, trusted)
            except Exception as err:  # noqa: BLE001
                notes = intake.normalize_metadata(nb, set(assignment.points) | set(assignment.release_cells))
                findings = [f"the notebook could not be checked statically ({type(err).__name__}); graded anyway"]
            result["notes"] += notes
            result["reasons"] += findings
            plan = self._plan(nb, assignment)
            submission = assignment.submission_folder(nbformat.writes(nb))
            self.sandbox = Sandbox(submission, Limits(cpu_seconds=self.cpu_seconds), handler=self.serve)
            if not self.sandbox.sandboxed:
                result["reasons"].append("NOT SANDBOXED: bubblewrap is unavailable here, the notebook ran as a plain "
                                         "process with resource limits only")
            self.endpoint = self.sandbox.start()
            if prebuilt:
                os.chdir(trusted)  # as build_namespace leaves it: the tests run where the notebook ran
                self.ns = prebuilt[2]
            else:
                self.ns = build_namespace(assignment, trusted)
            self.proxies = {n: LearnerFunction(self, n) for n in assignment.learner_names}
            self.ns.update(self.proxies)
            self.endpoint.call_hook = self.call_target  # a learner's object's methods are called the same way
            grading = sys.modules.get("grading")  # the trusted checks the tests import
            if grading is not None and hasattr(grading, "after_call"):
                grading._after_call_hook = self.after_call
            if grading is not None and hasattr(grading, "hidden_rng"):
                grading._hidden_seed = result["seed"]  # this learner's hidden inputs (set here, after the fork)
            self.alarm = _Alarm()
            self.endpoint.deadline = time.monotonic() + START_TIMEOUT
            try:
                self.endpoint.request({"op": "hello"})
            except rpc.WireError as err:
                # no learner code has run yet: a sandbox that cannot start is a fault of ours or of the machine,
                # never the learner's zero (grader/unit.py turns this into an internal error: no grade, retried)
                reason = self.sandbox.exit_reason() if self.sandbox is not None else ""
                raise SandboxDidNotStart(f"the sandboxed process did not start ({type(err).__name__}: {err}"
                                         f"{'; ' + reason if reason else ''})") from None
            self._walk(plan, assignment, result, t0)
        finally:
            if self.sandbox is not None:
                self.sandbox.close()
            os.chdir(ROOT)
            if not prebuilt:  # the warm judge's folder outlives this child (grader/unit.py removes it)
                shutil.rmtree(trusted, ignore_errors=True)
            if submission:
                shutil.rmtree(submission, ignore_errors=True)
        result["notebook"] = self._graded_notebook(nb, plan, assignment, result)
        return self._finish(result, t0, assignment)

    def _plan(self, nb, assignment):
        """(cell index, 'run' code | 'test' grade_id) for every code cell, in the learner's order."""
        plan = []
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            gid = notebooks.grade_id(cell)
            meta = notebooks.nbgrader(cell)
            if gid in assignment.tests:
                plan.append((i, "test", gid))
            elif gid in assignment.release_cells and not meta.get("solution"):
                plan.append((i, "run", assignment.release_cells[gid].source))  # locked cells run as released
            else:
                plan.append((i, "run", cell.source))
        return plan

    def _walk(self, plan, assignment, result, t0):
        for index, kind, what in plan:
            if not self.gone and time.monotonic() - t0 > self.budget:
                self.gone = f"the notebook used up its time budget of {self.budget:g} s"
                self.gone_outcome = Outcome.LIMIT
                self.sandbox.kill()
            if kind == "run":
                if self.gone:
                    continue
                self.endpoint.deadline = time.monotonic() + self.cell_timeout + GRACE
                try:
                    with self.alarm.until(self.endpoint.deadline + OVERTIME, f"cell {index + 1}"):
                        reply = self.endpoint.request({"op": "exec", "code": what, "timeout": self.cell_timeout})
                    reply = reply if isinstance(reply, dict) else {}
                    self.outputs[index] = clean_outputs(reply.get("outputs"))
                    if reply.get("timed_out"):
                        result["notes"].append(f"cell {index + 1} ran past the time limit ({self.cell_timeout:g} s) "
                                               "and was interrupted")
                except rpc.WireError as err:
                    self._lost(err)
                except Exception as err:  # noqa: BLE001 (the cell broke IPython itself: its own error, no verdict)
                    self.outputs[index] = clean_outputs([{"output_type": "error", "ename": type(err).__name__,
                                                          "evalue": str(err), "traceback": []}])
            else:
                result["cells"][what] = self._test(what, assignment)

    def _test(self, gid, assignment):
        points = assignment.points[gid]
        verdict = {"points": 0.0, "max_points": points}
        if self.gone:
            # not run: a limit when a limit ended the notebook's process, else no result (a timeout is the
            # outcome of the test it cut short only)
            outcome = Outcome.LIMIT if self.gone_outcome == Outcome.LIMIT else Outcome.NO_RESULT
            return self._failed(gid, assignment, outcome, None, f"not run: {self.gone}", [])
        self.test_deadline = time.monotonic() + self.cell_timeout
        self.endpoint.deadline = self.test_deadline + GRACE
        self.calls, self._depth = [], 0
        self.endpoint.revoke()
        code = assignment.tests[gid]
        sink = io.StringIO()
        try:
            with (self.alarm.until(self.endpoint.deadline + OVERTIME, f"the test {gid}"),
                  contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings()):
                exec(compile(code, f"<test {gid}>", "exec"), self.ns)  # noqa: S102 (the instructor's test code)
        except AssertionError as err:
            return self._failed(gid, assignment, Outcome.FAILED, err, "")
        except SandboxGone as err:  # the outcome _lost recorded from the cause (a deadline, a signal)
            return self._failed(gid, assignment, self.gone_outcome, err, str(err))
        except JudgeOvertime as err:  # the test's own work, outside any call of the learner's code
            return self._failed(gid, assignment, Outcome.TIMEOUT, err, str(err))
        except rpc.ValueRefused as err:
            return self._failed(gid, assignment, Outcome.LIMIT, err, f"the learner's function returned a value "
                                                                     f"over a limit of the grader: {err}")
        except TimeoutError as err:
            return self._failed(gid, assignment, Outcome.TIMEOUT, err, f"the learner's function {err}")
        except Exception as err:  # noqa: BLE001 (what the learner returned broke the test: a wrong answer)
            return self._failed(gid, assignment, Outcome.ERROR, err, "")
        finally:
            self.ns.update(self.proxies)  # a test that rebinds a learner's name never leaks into the next
        return {**verdict, "points": points, "outcome": Outcome.PASSED, "message": "passed"}

    def _failed(self, gid, assignment, outcome, err, text, calls=None):
        """The verdict of a test that did not pass: its kind decided from the error and this test's calls, its
        message as a visible or a hidden test may say it (grader/kinds.py)."""
        calls = self.calls if calls is None else calls
        try:
            failure = kinds.explain(outcome, err, calls, text, assignment.subjects.get(gid, ""))
        except Exception as crash:  # noqa: BLE001 (a fault of ours in telling the kind never costs the verdict)
            failure = kinds.Failure(kinds.Kind.VALUES, assignment.subjects.get(gid) or "the test",
                                    kinds.KINDS[kinds.Kind.VALUES][0], text or str(err).split("\n")[0])
            print(f"judge: the kind of {gid}'s failure could not be told: {type(crash).__name__}: {crash}",
                  file=sys.stderr)
        return verdict_of(failure, outcome, gid, assignment)

    def _graded_notebook(self, nb, plan, assignment, result):
        graded = copy.deepcopy(nb)
        for cell in graded.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            released = assignment.release_cells.get(notebooks.grade_id(cell))
            if released is not None:  # points, checksums and flags are the course's, whatever the copy said
                cell.metadata["nbgrader"] = copy.deepcopy(released.metadata["nbgrader"])
                if not released.metadata["nbgrader"].get("solution"):
                    cell.source = released.source
        for index, kind, what in plan:
            cell = graded.cells[index]
            if kind == "run":
                cell.outputs = self.outputs.get(index, [])
                continue
            v = result["cells"][what]  # (its source is the release's: hidden tests never leave the judge)
            head = f"{what}: {v['outcome']} ({v['points']:g} of {v['max_points']:g} points)"
            if v["outcome"] == "passed":
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=head + "\n")]
            else:
                cell.outputs = [nbformat.v4.new_output("error", ename=v["outcome"], evalue=v["message"],
                                                       traceback=[head, v["message"]])]
        # no active content for the formgrader or the feedback page; Markdown the course wrote is kept as it is
        result["notes"] += self.outputs.notes + sanitize.clean_notebook(
            graded, trusted=sanitize.markdown_sources(assignment.release))
        return json.loads(nbformat.writes(graded))

    def _finish(self, result, t0, assignment):
        for gid, cell in result["cells"].items():
            if "kind" not in cell and cell["outcome"] != "passed":  # not run: the notebook was not read, or
                # the walk never reached the cell; its message is fixed like every other's
                unread = result["status"] == "unreadable"
                failure = kinds.explain("no-result", None, [], cell["message"], assignment.subjects.get(gid, ""))
                if unread:
                    failure.what = "was not run: the notebook could not be read"
                result["cells"][gid] = verdict_of(failure, cell["outcome"], gid, assignment)
        result["score"] = float(sum(c["points"] for c in result["cells"].values()))
        if self.gone:
            result["reasons"].append(self.gone)
        result["flagged"] = bool(result["reasons"])
        result["seconds"] = round(time.monotonic() - t0, 2)
        return result


def verdict_of(failure, outcome, gid, assignment):
    """A failed cell's entry: no points, the outcome (an error when the learner's own code raised), the message
    (the fixed one for a hidden test), the kind (its value) and the function it is about."""
    hidden = gid in assignment.hidden
    if failure.raised and outcome == Outcome.FAILED:
        outcome = Outcome.ERROR
    if hidden and failure.function not in assignment.learner_names:
        failure.function = assignment.subjects.get(gid) or "the test"
    return {**zero_verdict(assignment.points[gid], outcome, kinds.message(failure, hidden, assignment.name)),
            "kind": failure.kind.value, "function": failure.function}


def judge(job):
    """Grade one submission (see grader/unit.py for the job and result formats)."""
    return Judge(job).run()


def main(argv):
    # the judge is trusted, but what the learner's code asks of it (a callback with a huge size) is not
    resource.setrlimit(resource.RLIMIT_AS, (JUDGE_MEMORY, JUDGE_MEMORY))
    job_path, result_path = argv
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    os.environ.setdefault("MPLBACKEND", "agg")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    result = judge(job)
    with open(result_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(result_path + ".tmp", result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
