"""Start an IPython kernel inside a bubblewrap sandbox: the kernel nbgrader runs student code in.

nbgrader starts this script (through the `charlm-sandbox` kernelspec that tools/autograde.py
writes) with the connection file as its argument, in the student's autograded folder. The kernel
then sees:

- the whole file system read-only, except that the course folders listed in CHARLM_SANDBOX_HIDE
  (the repository: gradebook, source/, submitted/, other students, .git) are replaced by empty,
  read-only folders;
- its own folder read-only (notebook, helper modules, data), and a private writable /tmp;
- the folder of this grading run's IPC sockets, writable, and its connection file, read-only;
- no network (a new network namespace) and its own process namespace.

The kernel talks to nbgrader over IPC sockets (the kernelspec sets transport to ipc), which is why
it needs no network at all. Where bubblewrap is missing or cannot create namespaces the kernel
starts unsandboxed and says so loudly on stderr; tools/autograde.py also flags the run.

usage (by Jupyter, not by hand): python tools/sandbox_kernel.py CONNECTION_FILE
"""

import json
import os
import shutil
import subprocess
import sys

WARNING = "WARNING: bubblewrap is not available here; student code runs WITHOUT a sandbox"


def bwrap_works(bwrap):
    """True when bubblewrap can create the namespaces we ask for on this machine."""
    try:
        probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"],
                               capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def sandbox_args(bwrap, connection_file, cwd, hide, python):
    """The bubblewrap command line for a kernel working in `cwd`.

    The connection file says where the IPC sockets go (its "ip" is their path prefix): that folder
    is the only writable one besides /tmp. With TCP the kernel keeps the network (it needs it to
    talk to the grader), and a warning says so.
    """
    connection_file = os.path.abspath(connection_file)
    with open(connection_file) as f:
        info = json.load(f)
    args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in hide:
        args += ["--tmpfs", path]
    # the interpreter may live inside a hidden folder (a .venv in the repository): show it again, read-only
    prefix = sys.prefix
    if any(prefix == h or prefix.startswith(h + os.sep) for h in hide):
        args += ["--ro-bind", prefix, prefix]
    # the student's folder (notebook, helper modules, data) is read-only: nothing in it can be rewritten
    # while it is graded; scratch files go to the private /tmp
    args += ["--ro-bind", cwd, cwd]
    args += ["--ro-bind", connection_file, connection_file]
    if info.get("transport") == "ipc":
        sockets = os.path.dirname(os.path.abspath(info["ip"]))
        args += ["--bind", sockets, sockets, "--unshare-net"]
    else:
        print("WARNING: the kernel uses TCP, so the sandbox keeps the network; configure "
              "KernelManager.transport=ipc", file=sys.stderr, flush=True)
    for path in hide:  # the empty stand-ins are read-only too (after the binds made inside them)
        args += ["--remount-ro", path]
    # In its own process namespace the kernel's parent is bubblewrap's init, which ipykernel would
    # take for "my parent died"; --die-with-parent does that job instead.
    args += ["--unsetenv", "JPY_PARENT_PID", "--setenv", "IPYTHONDIR", "/tmp/ipython"]
    args += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
             "--chdir", cwd, python, "-m", "ipykernel_launcher", "-f", connection_file]
    return args


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    connection_file = argv[0]
    cwd = os.getcwd()
    hide = [os.path.abspath(p) for p in os.environ.get("CHARLM_SANDBOX_HIDE", "").split(os.pathsep) if p]
    bwrap = shutil.which("bwrap")
    if bwrap is None or not bwrap_works(bwrap):
        print(WARNING, file=sys.stderr, flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file])
    args = sandbox_args(bwrap, connection_file, cwd, hide, sys.executable)
    os.execv(bwrap, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
