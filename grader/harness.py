"""The learner's side of grading: runs inside the sandbox, executes cells and calls, answers as data.

The judge (grader/judge.py) starts this file inside bubblewrap (grader/sandbox.py) with two pipe
ends as file descriptors 3 (requests in) and 4 (replies out), and nothing else of the grader but
grader/rpc.py beside it. It copies the read-only submission folder into a private writable folder,
makes an IPython shell there, and then serves requests until it is told to stop or is killed:

- exec: run one cell's code; reply with its outputs (streams, rich displays, the result, the error),
  each capped in size;
- call: call a global of the notebook (a learner's function) or an object it returned earlier, with
  arguments that arrived as data (random generators as real generators re-created from their state;
  a function of the grader as a proxy lent for this call only, see grader/rpc.py); reply with the
  value (as data, or a reference for other objects), what it printed, the warnings it raised and the
  final state of its mutable arguments and generators. `overrides` rebinds globals for the duration
  of the call (a test that judges one function with a reference version of another, lent likewise);
- getattr / getitem / len / list: read an object that stayed here.

Nothing here decides a grade: whatever this process says is only what the learner's code returned,
and the judge compares it outside. Time limits are cooperative here (a cell or call past its time
gets CellTimeout raised in the learner's code); the judge kills the sandbox when that is not enough.

usage (by the judge only): python harness.py SUBMISSION_DIR WORK_DIR --in FD --out FD
"""

import os
import sys

if "CHARLM_DROP_TO" in os.environ:  # first of all: become the sandbox's own unprivileged uid
    _uid = int(os.environ.pop("CHARLM_DROP_TO"))
    os.setgroups([])
    os.setresgid(_uid, _uid, _uid)
    os.setresuid(_uid, _uid, _uid)

import functools
import shutil
import signal
import traceback
import warnings

try:  # inside the sandbox rpc.py sits beside this file; the judge imports both from the grader package
    import rpc
except ImportError:
    from grader import rpc

MAX_TEXT = 20_000  # characters kept of each stream of a cell
MAX_DATA = 2_000_000  # characters kept of one rich output (a PNG figure is ~50,000)
MAX_OUTPUTS = 40  # rich outputs kept per cell
MAX_CALL_TEXT = 64_000_000  # characters a function may print while a test calls it (the test may read them all)
KEPT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg", "image/svg+xml")


class CellTimeout(BaseException):
    """Raised in the learner's code when a cell or call runs past its time."""


class _Clock:
    """A SIGALRM timer that interrupts only the learner's code, never the harness's own I/O."""

    def __init__(self):
        self.armed, self.pending, self.limit = False, False, 0.0
        signal.signal(signal.SIGALRM, self._ring)

    def _ring(self, signum, frame):
        if self.armed:
            self.armed = False
            raise CellTimeout(f"ran past the time limit of {self.limit:g} s")
        self.pending = True

    def start(self, seconds):
        self.limit, self.pending = seconds, False
        signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 0.001))
        self.armed = True

    def stop(self):
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)

    def pause(self):
        was, self.armed = self.armed, False
        return was

    def resume(self, was):
        if was and self.pending:
            self.pending = False
            raise CellTimeout(f"ran past the time limit of {self.limit:g} s")
        self.armed = was


CLOCK = None


@functools.cache
def _shell_class():
    """The shell class, made once per process: a second class of the same name would be a sibling singleton."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.interactiveshell import InteractiveShell

    class QuietHook(DisplayHook):
        """Keeps the value of a cell's last expression as an execute_result instead of printing Out[n]."""

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.last_result = {"data": format_dict, "metadata": md_dict or {}}

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        """IPython without a terminal: GUI event loops are not needed for the inline backend."""

        last_result = None
        last_traceback = None

        def enable_gui(self, gui=None):
            pass

        def _showtraceback(self, etype, evalue, stb):
            self.last_traceback = {"ename": getattr(etype, "__name__", str(etype)), "evalue": str(evalue)[:MAX_TEXT],
                                   "traceback": [line[:MAX_TEXT] for line in stb[-60:]]}

    Shell.displayhook_class = QuietHook
    return Shell


def _make_shell():
    """A new shell (IPython's singleton, so that get_ipython() in a cell finds it): an earlier one of ours in this
    process is replaced (the judge builds one per namespace); a shell of someone else's is an error of IPython's."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    Shell = _shell_class()
    if isinstance(InteractiveShell._instance, Shell):
        Shell.clear_instance()
    config = Config()
    config.HistoryManager.enabled = False  # no history file and no thread saving it (the judge forks)
    return Shell.instance(config=config, colors="NoColor")


def _cap_text(text):
    text = str(text)
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"\n[... {len(text) - MAX_TEXT:,} more characters not kept]\n"
    return text


def _rich(data, metadata):
    kept = {}
    for mime in KEPT_MIME:
        value = data.get(mime) if isinstance(data, dict) else None
        if isinstance(value, list):
            value = "".join(str(v) for v in value)
        if isinstance(value, str):
            kept[mime] = value if len(value) <= MAX_DATA else (
                value[:MAX_TEXT] if mime.startswith("text/") else None)
    kept = {k: v for k, v in kept.items() if v is not None}
    if not kept:
        return None
    md = {k: v for k, v in (metadata or {}).items() if k in KEPT_MIME and isinstance(v, dict)}
    return kept, md


def run_cell(shell, code, seconds):
    from IPython.utils.capture import capture_output

    shell.last_result, shell.last_traceback = None, None
    timed_out = False
    with capture_output(stdout=True, stderr=True, display=True) as cap:
        try:
            CLOCK.start(seconds)
            try:
                result = shell.run_cell(code, store_history=True)
            finally:
                CLOCK.stop()
        except CellTimeout as exc:  # raised between statements IPython guards
            timed_out, result = True, None
            shell.last_traceback = {"ename": "CellTimeout", "evalue": str(exc), "traceback": [f"CellTimeout: {exc}"]}
        except Exception as exc:  # noqa: BLE001 (code that breaks IPython's own compiler: RecursionError, ...)
            result = None
            shell.last_traceback = {"ename": type(exc).__name__, "evalue": str(exc)[:MAX_TEXT], "traceback": []}
    outputs = []
    for name, text in (("stdout", cap.stdout), ("stderr", cap.stderr)):
        if text:
            outputs.append({"output_type": "stream", "name": name, "text": _cap_text(text)})
    for rich in cap.outputs[:MAX_OUTPUTS]:
        kept = _rich(rich.data, rich.metadata)
        if kept:
            outputs.append({"output_type": "display_data", "data": kept[0], "metadata": kept[1]})
    if shell.last_result is not None:
        kept = _rich(shell.last_result["data"], shell.last_result["metadata"])
        if kept:
            outputs.append({"output_type": "execute_result", "data": kept[0], "metadata": kept[1]})
    error = None
    if result is not None and not result.success:
        exc = result.error_in_exec or result.error_before_exec
        timed_out = timed_out or isinstance(exc, CellTimeout)
        error = shell.last_traceback or {"ename": type(exc).__name__, "evalue": str(exc)[:MAX_TEXT], "traceback": []}
    elif result is None:
        error = shell.last_traceback
    if error:
        outputs.append({"output_type": "error", **error})
    return {"outputs": outputs, "error": error, "timed_out": timed_out}


class Server:
    def __init__(self, endpoint, shell):
        self.endpoint, self.shell = endpoint, shell

    def handle(self, req):
        op = req.get("op")
        if op == "hello":
            import numpy

            return {"value": {"pid": os.getpid(), "uid": os.getuid(), "cwd": os.getcwd(), "numpy": numpy.__version__}}
        if op == "exec":
            return {"value": run_cell(self.shell, str(req["code"]), float(req.get("timeout", 60)))}
        if op == "call":
            return self.call(req)
        target = self.endpoint.local(req.get("ref"))
        if op == "getattr":
            return {"value": getattr(target, str(req["name"]))}
        if op == "getitem":
            return {"value": target[req["key"]]}
        if op == "len":
            return {"value": len(target)}
        if op == "list":
            return {"value": list(target)}
        raise ValueError(f"unknown request {op!r}")

    def call(self, req):
        ns = self.shell.user_ns
        target = req.get("target") or {}
        if "global" in target:
            name = str(target["global"])
            if name not in ns:
                raise NameError(f"name '{name}' is not defined")
            func = ns[name]
        else:
            func = self.endpoint.local(target.get("ref"))
        args, kwargs = list(req.get("args") or []), dict(req.get("kwargs") or {})
        overrides = dict(req.get("overrides") or {})
        saved = {k: ns[k] for k in overrides if k in ns}
        ns.update(overrides)
        out, err = _Capture(MAX_CALL_TEXT), _Capture(MAX_TEXT)
        old = sys.stdout, sys.stderr
        caught = []
        try:
            sys.stdout, sys.stderr = out, err
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                CLOCK.start(float(req.get("timeout", 60)))
                try:
                    value = func(*args, **kwargs)
                finally:
                    CLOCK.stop()
        except CellTimeout as exc:
            raise TimeoutError(str(exc)) from None
        except (KeyboardInterrupt, SystemExit, GeneratorExit) as exc:
            raise RuntimeError(f"the function raised {type(exc).__name__}") from None
        finally:
            sys.stdout, sys.stderr = old
            for k in overrides:
                if k in saved:
                    ns[k] = saved[k]
                else:
                    ns.pop(k, None)
        return {"value": value, "after": rpc.copied_back(req, args, kwargs), "stdout": out.getvalue(),
                "warnings": [{"category": w.category.__name__, "message": str(w.message)[:2000]} for w in caught[:100]]}


class _Capture:
    """A stream that keeps the first `limit` characters written to it."""

    def __init__(self, limit):
        self.parts, self.size, self.limit = [], 0, limit

    def write(self, text):
        text = str(text)
        if self.size < self.limit:
            self.parts.append(text[:self.limit - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def getvalue(self):
        return "".join(self.parts)


def _guard_endpoint(endpoint):
    """Requests this side makes (a learner's code calling back into the grader) pause the clock."""
    plain_request, plain_call = endpoint.request, endpoint.call

    def request(body):
        was = CLOCK.pause()
        try:
            return plain_request(body)
        finally:
            CLOCK.resume(was)

    def call(target, args, kwargs, extra=None):
        was = CLOCK.pause()
        try:
            return plain_call(target, args, kwargs, extra)
        finally:
            CLOCK.resume(was)

    endpoint.request, endpoint.call = request, call


def main(argv):
    global CLOCK
    submission, work = argv[0], argv[1]
    fd_in, fd_out = int(argv[argv.index("--in") + 1]), int(argv[argv.index("--out") + 1])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    shutil.copytree(submission, work, symlinks=False, dirs_exist_ok=True)
    os.chdir(work)
    sys.path[:] = [work] + [p for p in sys.path if p and p != os.path.dirname(os.path.abspath(__file__))]
    CLOCK = _Clock()
    shell = _make_shell()
    endpoint = rpc.Endpoint(fd_in, fd_out, "sandbox")
    endpoint.handler = Server(endpoint, shell).handle
    _guard_endpoint(endpoint)
    while True:
        try:
            message = endpoint.receive()
        except rpc.ChannelClosed:
            return 0
        if message["kind"] != "request":
            continue
        if message.get("op") == "bye":
            return 0
        try:
            endpoint.serve(message)
        except CellTimeout:  # fired after the reply's value was computed: say so, the judge decides
            endpoint.send({"kind": "reply", "id": message.get("id"), "ok": False,
                           "error": {"types": ["TimeoutError"], "message": "ran past the time limit"}})


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:  # noqa: BLE001 (the judge reads this on stderr)
        traceback.print_exc()
        sys.exit(70)
