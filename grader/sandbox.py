"""A minimal sandbox for one submission: bubblewrap over an allow-list, an unprivileged uid, rlimits.

What the learner's process sees (built from nothing, not from the host's root):
- read-only: /usr (with the /bin, /lib, /lib64 links), the Python installation and the course's
  virtual environment, the harness (grader/harness.py, grader/rpc.py) under /opt/grader, and the
  submission folder (the notebook and the assignment's helper files and data) under /submission;
- writable: /home/learner (its working copy of the submission) and /tmp, each a private tmpfs of
  bounded size;
- a new /proc and a minimal /dev, its own pid, network (none), IPC and UTS namespaces, an empty
  environment but for a few fixed variables, and no capabilities.
Nothing else of the host exists inside: not the grader's environment, the course folder, the
gradebook, other submissions, /etc, /home or /root.

Limits (rlimits, set before exec and inherited by everything inside): address space, CPU seconds,
file size, open files, no core dumps, and processes (RLIMIT_NPROC: processes and threads). RLIMIT_NPROC
counts per uid, so it must be set where that count is the sandbox's alone:
- as root, each sandbox runs as a uid of its own (a slot, 61000 + n, held with a lock file while the
  sandbox lives), and the limit is set before exec;
- as any other user, bubblewrap puts the sandbox in a user namespace of its own, and since Linux 5.14
  the kernel counts a namespace's processes for that namespace (and checks each level up to the
  host's): the limit is set inside it, by the first process there (NPROC_INSIDE), so it bounds this
  sandbox whatever else the grader's uid runs. On an older kernel the count is the uid's on the whole
  machine, and the limit is that count plus `processes` (headroom), as for an unsandboxed run.
The judge enforces wall time from outside (grader/judge.py) and kills the whole sandbox when it must.

No sandbox, no run: where bubblewrap is missing or cannot make the sandbox, Sandbox() raises
SandboxUnavailable, unless the instructor accepted an unsandboxed run (`grade --allow-unsandboxed`,
which sets CHARLM_ALLOW_UNSANDBOXED=1 for the judge): then the harness runs as a plain child process
with the same limits (the same slot uid when root), and every result says it was NOT sandboxed.
`unavailable_reason()` is the full check (bubblewrap builds this very sandbox and starts Python in it),
made by the grade command before it grades and by each grading process (a Dask worker too) once.
"""

import contextlib
import fcntl
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass

from grader import rpc
from grader.results import Outcome

HERE = os.path.dirname(os.path.abspath(__file__))
SLOT_DIR = os.path.join(tempfile.gettempdir(), "charlm-grader-slots")
FIRST_UID = 61000
SLOTS = 512
MIB = 1024 * 1024
ALLOW_ENV = "CHARLM_ALLOW_UNSANDBOXED"   # "1": the instructor accepted an unsandboxed run (grade --allow-unsandboxed)
# run by the sandbox's first process, inside its user namespace: the process limit, then the harness
NPROC_INSIDE = ("import os, resource, sys; n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_NPROC, (n, n)); "
                "os.execv(sys.argv[2], sys.argv[2:])")


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot make the sandbox here, and no unsandboxed run was accepted."""


@dataclass
class Limits:
    """What one submission may use. Defaults fit the course's notebooks with room to spare."""

    memory_mib: int = 3072  # address space of each process (numpy + IPython + matplotlib use ~1 GiB)
    cpu_seconds: int = 900  # CPU time of each process; the judge's wall-time budget is usually lower
    file_mib: int = 128  # largest file it may write
    scratch_mib: int = 256  # size of each of its two tmpfs folders (/home/learner, /tmp)
    processes: int = 32  # processes and threads it may run at once
    open_files: int = 256


def bwrap_path():
    """bubblewrap's path when it is installed and can make the namespaces we need here, else None."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        probe = subprocess.run([*_system_binds(path), "--unshare-pid", "--unshare-net", "--die-with-parent",
                                "/usr/bin/true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if probe.returncode == 0 else None


def unavailable_reason():
    """'' when learners' code can run sandboxed here, else why not (one line).

    The full check: bubblewrap builds the sandbox of a submission (the Python installation, the venv, the
    harness, the scratch folders) and starts this Python in it."""
    path = shutil.which("bwrap")
    if path is None:
        return "bubblewrap (bwrap) is not installed on this machine"
    with tempfile.TemporaryDirectory(prefix="charlm-probe-") as folder:
        os.chmod(folder, 0o755)
        try:
            probe = subprocess.run([*bwrap_args(path, folder, Limits(), None), sys.executable, "-I", "-S", "-c", "0"],
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"bubblewrap could not be run on this machine ({type(e).__name__}: {e})"
    if probe.returncode != 0:
        said = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"bubblewrap cannot make the sandbox on this machine ({(said or ['no message'])[-1][:200]})"
    return ""


def unsandboxed_allowed():
    return os.environ.get(ALLOW_ENV) == "1"


def nproc_per_namespace():
    """Whether RLIMIT_NPROC counts a user namespace's processes on their own (ucounts: Linux 5.14 and later)."""
    m = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (5, 14)


def tasks_of(uid):
    """Processes and threads whose real uid is uid, on the whole machine (what RLIMIT_NPROC counts)."""
    n = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                n += int(fields.get("Threads", "1").strip() or 1)
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return n


class Slot:
    """An exclusive uid for one sandbox (root only), held by an flock on a root-only lock file."""

    def __init__(self):
        self.uid, self._fd = None, None
        if os.geteuid() != 0:
            return
        os.makedirs(SLOT_DIR, mode=0o700, exist_ok=True)
        start = os.getpid() % SLOTS
        for k in range(SLOTS):
            n = (start + k) % SLOTS
            fd = os.open(os.path.join(SLOT_DIR, f"{n}.lock"), os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._fd = FIRST_UID + n, fd
            _kill_uid(self.uid)  # anything left over from a killed run must not count against the limit
            return
        raise RuntimeError(f"all {SLOTS} sandbox slots are in use")

    @classmethod
    def none(cls):
        slot = cls.__new__(cls)
        slot.uid, slot._fd = None, None
        return slot

    def release(self):
        if self._fd is not None:
            _kill_uid(self.uid)
            os.close(self._fd)
            self._fd = None


def _kill_uid(uid):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    os.kill(int(entry), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass


def _python_roots():
    """The folders the interpreter and its libraries live in (the venv and the installation it came from)."""
    roots = []
    for p in (sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))):
        p = os.path.realpath(p)
        if p.startswith("/usr/") or p == "/usr":
            continue
        if p.endswith("/bin"):
            p = os.path.dirname(p)
        if not any(p == r or p.startswith(r + os.sep) for r in roots):
            roots.append(p)
    return roots


def _system_binds(bwrap):
    """/usr read-only, and /bin, /lib, ... as the host has them (links into /usr, or folders)."""
    args = [bwrap, "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def bwrap_args(bwrap, submission, limits, uid):
    """The bubblewrap command line around the harness (which drops to `uid` when it is given)."""
    args = _system_binds(bwrap)
    folders, scratch = ("/opt", "/opt/grader", "/home"), {"/tmp": "1777", "/home/learner": "0777"}
    for folder in folders:
        args += ["--perms", "0755", "--dir", folder]
    args += ["--ro-bind", os.path.join(HERE, "harness.py"), "/opt/grader/harness.py",
             "--ro-bind", os.path.join(HERE, "rpc.py"), "/opt/grader/rpc.py",
             "--ro-bind", submission, "/submission",
             "--proc", "/proc", "--dev", "/dev"]
    for folder, perms in scratch.items():
        args += ["--perms", perms, "--size", str(limits.scratch_mib * MIB), "--tmpfs", folder]
    # the Python install and venv last, so that a course cloned under /tmp or /home is not hidden by the tmpfs
    made = {*folders, *scratch}
    for root in _python_roots():
        parts = root.strip(os.sep).split(os.sep)[:-1]
        for i in range(1, len(parts) + 1):  # parents readable by the sandbox's uid (/root is 0700 on the host)
            folder = os.sep + os.sep.join(parts[:i])
            if folder not in made and not folder.startswith("/usr"):
                made.add(folder)
                args += ["--perms", "0755", "--dir", folder]
        args += ["--ro-bind", root, root]
    args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
             "--die-with-parent", "--new-session", "--chdir", "/home/learner", "--clearenv"]
    if os.geteuid() != 0:  # a user namespace of its own (implied unless bwrap is setuid): its own process count
        args += ["--unshare-user"]
    for key, value in sandbox_env(uid).items():
        args += ["--setenv", key, value]
    if uid is not None:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # the harness drops to uid, then has none
    return args


def sandbox_env(uid):
    env = {"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "HOME": "/home/learner", "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "agg", "MPLCONFIGDIR": "/tmp/matplotlib",
           "IPYTHONDIR": "/tmp/ipython", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
           "PYTHONUNBUFFERED": "1"}
    if uid is not None:
        env["CHARLM_DROP_TO"] = str(uid)
    return env


class Sandbox:
    """One running harness for one submission; talk to it through `endpoint` (an rpc.Endpoint)."""

    def __init__(self, submission, limits=None, use_bwrap=True, handler=None):
        """use_bwrap=False asks for an unsandboxed run; with use_bwrap=True and no working bubblewrap, raises
        SandboxUnavailable unless an unsandboxed run was accepted (CHARLM_ALLOW_UNSANDBOXED=1)."""
        self.submission = os.path.abspath(submission)
        self.limits = limits or Limits()
        self.bwrap = bwrap_path() if use_bwrap else None
        self.sandboxed = self.bwrap is not None
        if use_bwrap and not self.sandboxed and not unsandboxed_allowed():
            raise SandboxUnavailable("bubblewrap is missing or cannot make namespaces here, and no unsandboxed run "
                                     "was accepted (grade --allow-unsandboxed)")
        # without bubblewrap the interpreter may sit where another uid cannot reach it (/root): keep ours
        self.slot = Slot() if self.sandboxed else Slot.none()
        self.proc, self.endpoint, self._log, self._scratch = None, None, [], None
        self._handler = handler

    def start(self):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        uid, limits = self.slot.uid, self.limits
        harness_args = ["--in", str(to_child_r), "--out", str(from_child_w)]
        # the process limit (see the module's docstring): before exec for a slot uid (root) or an unsandboxed
        # run (headroom over the uid's count); inside the sandbox's user namespace otherwise
        nproc_before, nproc_inside = None, None
        if uid is not None:
            nproc_before = limits.processes
        elif os.geteuid() != 0:
            per_namespace = self.sandboxed and nproc_per_namespace()
            count = limits.processes if per_namespace else tasks_of(os.getuid()) + limits.processes
            if self.sandboxed:
                nproc_inside = count
            else:
                nproc_before = count
        if self.sandboxed:
            inside = [sys.executable, "-I", "-S", "-c", NPROC_INSIDE, str(nproc_inside)] if nproc_inside else []
            cmd = [*bwrap_args(self.bwrap, self.submission, limits, uid), *inside, sys.executable,
                   "/opt/grader/harness.py", "/submission", "/home/learner/work", *harness_args]
            env, cwd = None, "/"
        else:
            self._scratch = tempfile.mkdtemp(prefix="charlm-unsandboxed-")
            os.chmod(self._scratch, 0o777)
            env = sandbox_env(uid)
            env.update({"HOME": self._scratch, "TMPDIR": self._scratch, "MPLCONFIGDIR": self._scratch + "/mpl",
                        "IPYTHONDIR": self._scratch + "/ipython"})
            cmd = [sys.executable, os.path.join(HERE, "harness.py"), self.submission, self._scratch + "/work",
                   *harness_args]
            cwd = self._scratch

        def limit():
            lim = [(resource.RLIMIT_AS, limits.memory_mib * MIB), (resource.RLIMIT_CPU, limits.cpu_seconds),
                   (resource.RLIMIT_FSIZE, limits.file_mib * MIB), (resource.RLIMIT_NOFILE, limits.open_files),
                   (resource.RLIMIT_CORE, 0)]
            if nproc_before is not None:
                lim.append((resource.RLIMIT_NPROC, nproc_before))
            for what, value in lim:
                # CPU time: SIGXCPU at the soft limit ends the process and names the cause (exit_outcome: LIMIT);
                # SIGKILL at a hard limit equal to it would come first and name nothing. A process that ignores
                # SIGXCPU is killed 2 s of CPU later.
                resource.setrlimit(what, (value, value + 2 if what == resource.RLIMIT_CPU else value))

        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     pass_fds=(to_child_r, from_child_w), preexec_fn=limit, start_new_session=True,
                                     env=env, cwd=cwd)
        os.close(to_child_r)
        os.close(from_child_w)
        threading.Thread(target=self._drain, daemon=True).start()
        self.endpoint = rpc.Endpoint(from_child_r, to_child_w, "host", self._handler)
        return self.endpoint

    def _drain(self):
        kept = 0
        for chunk in iter(lambda: self.proc.stdout.read(4096), b""):
            if kept < 20_000:
                self._log.append(chunk)
                kept += len(chunk)

    def log(self):
        return b"".join(self._log).decode("utf-8", "replace")[-8000:]

    def _exit_signal(self):
        """The name of the signal that ended the harness ('SIGXCPU'), '' when it exited or still runs, or the
        exit status as text ('status 3')."""
        if self.proc is None or self.proc.poll() is None:
            return ""
        code = self.proc.returncode
        if code > 128 and self.sandboxed:  # bubblewrap reports its child's death by signal N as 128 + N
            code = 128 - code
        if code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return str(-code)
        return f"status {code}"

    def exit_reason(self):
        """Why the harness is gone, in words ('' while it runs)."""
        name = self._exit_signal()
        if not name:
            return ""
        if name.startswith("status "):
            return f"ended itself with exit {name}"
        return {"SIGKILL": "was killed (SIGKILL)", "SIGXCPU": "used up its CPU time (SIGXCPU)",
                "SIGXFSZ": "wrote a file past the size limit (SIGXFSZ)", "SIGSEGV": "crashed (SIGSEGV)"
                }.get(name, f"ended on signal {name}")

    def exit_outcome(self):
        """The outcome of a test its end cut short: LIMIT when the kernel stopped the harness at a resource limit
        (CPU time: SIGXCPU; file size: SIGXFSZ), else NO_RESULT (it ended itself, crashed, or was killed)."""
        return Outcome.LIMIT if self._exit_signal() in ("SIGXCPU", "SIGXFSZ") else Outcome.NO_RESULT

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)

    def close(self):
        if self.endpoint is not None and self.proc is not None and self.proc.poll() is None:
            try:
                self.endpoint.send({"kind": "request", "id": 0, "op": "bye"})
                self.proc.wait(timeout=2)
            except (rpc.WireError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        if self.endpoint is not None:
            for fd in (self.endpoint.rfd, self.endpoint.wfd):
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.slot.release()
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
