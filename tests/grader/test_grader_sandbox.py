"""grader/sandbox.py and grader/harness.py: what the learner's process can see and use.

Each test starts a real sandbox (bubblewrap, installed by `make sandbox`) on a copy of a released
assignment folder and asks it to run code, as the judge does.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest

from grader import rpc
from grader.sandbox import Limits, Sandbox, _python_roots, bwrap_path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed (make sandbox)")


@pytest.fixture()
def sandbox(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARLM_GRADER_CANARY", "do-not-leak-7f3a")
    folder = tmp_path / "dinosaur_island"
    shutil.copytree(os.path.join(ROOT, "release", "dinosaur_island"), folder)
    os.chmod(tmp_path, 0o755)
    box = Sandbox(str(folder), Limits(memory_mib=2048, scratch_mib=64, processes=24))
    endpoint = box.start()
    endpoint.deadline = time.monotonic() + 60
    endpoint.request({"op": "hello"})
    yield box, endpoint
    box.close()


def run(endpoint, code, timeout=20):
    endpoint.deadline = time.monotonic() + timeout + 10
    reply = endpoint.request({"op": "exec", "code": code, "timeout": timeout})
    text = "".join(o.get("text", "") for o in reply["outputs"] if o["output_type"] == "stream")
    return reply, text


def test_the_sandbox_is_built_from_an_allow_list(sandbox):
    box, endpoint = sandbox
    assert box.sandboxed
    _, text = run(endpoint, "import os\nprint(sorted(os.listdir('/')))\nprint(dict(os.environ))\nprint(os.getuid())")
    top, env, uid = text.strip().split("\n")
    # the top folders of the Python install and venv (wherever the course is cloned) and nothing more
    python_tops = {root.strip(os.sep).split(os.sep)[0] for root in _python_roots()}
    assert set(eval(top)) <= {"bin", "dev", "home", "lib", "lib64", "opt", "proc", "sbin", "submission", "tmp",
                              "usr", "lib32", "libx32"} | python_tops
    assert not {"etc", "var", "srv", "mnt", "media", "boot"} & set(eval(top))
    assert "do-not-leak-7f3a" not in env and "CHARLM_GRADER_CANARY" not in env
    if os.geteuid() == 0:
        assert int(uid) >= 61000


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/shadow", os.path.join(ROOT, "source"), "/root/.bashrc",
                                  os.path.join(ROOT, ".git", "HEAD")])
def test_nothing_else_of_the_host_is_there(sandbox, path):
    _, endpoint = sandbox
    _, text = run(endpoint, f"import os\nprint(os.path.exists({path!r}) and os.listdir({path!r}) "
                            f"if os.path.isdir({path!r}) else os.path.exists({path!r}))")
    assert text.strip() in ("False", "[]"), text


def test_no_network(sandbox):
    _, endpoint = sandbox
    _, text = run(endpoint, "import socket\ns = socket.socket()\ns.settimeout(2)\n"
                            "try:\n    s.connect(('127.0.0.1', 22)); print('CONNECTED')\n"
                            "except OSError as e:\n    print('refused', e)")
    assert "CONNECTED" not in text and "refused" in text


def test_memory_processes_and_scratch_are_bounded(sandbox):
    _, endpoint = sandbox
    reply, _ = run(endpoint, "import numpy as np\nbig = np.ones(8 * 1024 ** 3 // 8)")
    assert reply["error"]["ename"] == "MemoryError"
    _, text = run(endpoint, "import os\nn = 0\ntry:\n    for _ in range(1000):\n        if os.fork() == 0:\n"
                            "            import time; time.sleep(1); os._exit(0)\n        n += 1\n"
                            "except OSError:\n    pass\nfor _ in range(n):\n    os.wait()\nprint(n)")
    assert int(text.strip()) < 24
    _, text = run(endpoint, "w = 0\ntry:\n    with open('/tmp/big', 'wb') as f:\n        for _ in range(100):\n"
                            "            f.write(b'x' * 2**20); w += 1\nexcept OSError as e:\n    print(w, e)")
    assert "No space left" in text and int(text.split()[0]) <= 64, text


def test_its_folder_is_a_private_writable_copy(sandbox, tmp_path):
    _, endpoint = sandbox
    _, text = run(endpoint, "import os\nopen('rnn_utils.py', 'w').write('')\nprint(os.getcwd())\n"
                            "try:\n    open('/submission/rnn_utils.py', 'w')\n"
                            "except OSError as e:\n    print('ro', e.errno)")
    assert "/home/learner" in text and "ro 30" in text
    assert os.path.getsize(tmp_path / "dinosaur_island" / "rnn_utils.py") > 1000


def test_time_limits_interrupt_and_then_kill(sandbox):
    box, endpoint = sandbox
    reply, _ = run(endpoint, "while True:\n    pass", timeout=1)
    assert reply["timed_out"]
    reply, _ = run(endpoint, "1 + 1")  # still answers
    with pytest.raises(rpc.WireTimeout):
        run(endpoint, "import time\nwhile True:\n    try:\n        time.sleep(1)\n    except BaseException:\n"
                      "        pass", timeout=1)
    box.kill()
    assert "killed" in box.exit_reason()


def test_numpys_global_generator_is_shared_across_a_call(sandbox):
    _, endpoint = sandbox
    run(endpoint, "import numpy as np\ndef draw():\n    return np.random.random_sample()")
    np.random.seed(42)
    endpoint.deadline = time.monotonic() + 30
    got = endpoint.call({"global": "draw"}, (), {}, {"timeout": 10})
    expected = np.random.RandomState(42).random_sample(2)
    assert got == expected[0]  # the host's seed reached the learner's process
    assert np.random.random_sample() == expected[1]  # and the draw there advanced the host's generator


def test_a_course_cloned_under_tmp_or_home_stays_visible(monkeypatch):
    # the sandbox mounts fresh /tmp and /home/learner; the Python install and venv are bound after them, so a
    # course cloned to /tmp/course or /home/me/course still has its venv inside (CI clones wherever it likes)
    from grader import sandbox as sb

    monkeypatch.setattr(sb, "_python_roots", lambda: ["/tmp/course/.venv", "/home/me/course/.venv"])
    args = sb.bwrap_args("bwrap", "/tmp/sub", Limits(), 61000)
    last_tmpfs = max(i for i, a in enumerate(args) if a == "--tmpfs")
    for root in ("/tmp/course/.venv", "/home/me/course/.venv"):
        assert args.index(root) > last_tmpfs


# ---------------------------------------------------------------------------------------------------------------
# no sandbox, no run; a process limit also when the grader is not root

def test_no_bubblewrap_no_sandbox_unless_an_unsandboxed_run_was_accepted(tmp_path, monkeypatch):
    from grader.sandbox import ALLOW_ENV, SandboxUnavailable, unavailable_reason

    monkeypatch.setenv("PATH", str(tmp_path))   # no bwrap on it
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    assert unavailable_reason() == "bubblewrap (bwrap) is not installed on this machine"
    with pytest.raises(SandboxUnavailable):
        Sandbox(str(tmp_path))
    monkeypatch.setenv(ALLOW_ENV, "1")
    assert not Sandbox(str(tmp_path)).sandboxed


NOBODY = "nobody"


def _as_nobody(args, cwd, home, **kw):
    import pwd

    user = pwd.getpwnam(NOBODY)
    return subprocess.run(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", *args],
                          cwd=cwd, env={"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
                                        "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"},
                          text=True, capture_output=True, **kw)


def _sandbox_works_for_nobody(python, home):
    probe = _as_nobody([python, "-c", "from grader.sandbox import unavailable_reason; print(unavailable_reason())"],
                       ROOT, home, timeout=120)
    return probe.returncode == 0 and probe.stdout.strip() == "", (probe.stdout + probe.stderr).strip()[-300:]


def _linked_venv(folder):
    """The course's venv for nobody when its own Python is out of nobody's reach (e.g. under /root): a venv of the
    system's Python of the same version whose site-packages are hard links to the course venv's files."""
    system = f"/usr/bin/python3.{sys.version_info.minor}"
    if not os.path.exists(system):
        return None, f"no {system} to build a venv for nobody from"
    subprocess.run([system, "-m", "venv", "--without-pip", folder], check=True, capture_output=True)
    ours = os.path.join(sys.prefix, "lib", f"python3.{sys.version_info.minor}", "site-packages")
    theirs = os.path.join(folder, "lib", f"python3.{sys.version_info.minor}", "site-packages")
    try:
        for dirpath, _, files in os.walk(ours):
            target = os.path.join(theirs, os.path.relpath(dirpath, ours))
            os.makedirs(target, exist_ok=True)
            for name in files:
                if not os.path.islink(os.path.join(dirpath, name)):
                    os.link(os.path.join(dirpath, name), os.path.join(target, name))
    except OSError as e:
        return None, f"cannot link the venv's files for nobody ({e})"
    python = os.path.join(folder, "bin", "python")
    with open(os.path.join(folder, "bin", "alembic"), "w", encoding="utf-8") as f:   # nbgrader's gradebook runs it
        f.write(f"#!{python}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n")
    os.chmod(os.path.join(folder, "bin", "alembic"), 0o755)
    return python, ""


@pytest.fixture(scope="module")
def nobody():
    """(a Python that nobody can run sandboxed, a world-readable scratch folder), or skip saying why not."""
    import pwd

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux) to run the grader as nobody")
    try:
        pwd.getpwnam(NOBODY)
    except KeyError:
        pytest.skip("no user nobody here")
    # where nobody can read, on the venv's file system (hard links): /tmp, or else the course's build/
    where = tempfile.gettempdir()
    if os.stat(where).st_dev != os.stat(sys.prefix).st_dev:
        where = os.path.join(ROOT, "build")
        os.makedirs(where, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="charlm-nobody-", dir=where)
    try:
        os.chmod(scratch, 0o755)
        ok, why = _sandbox_works_for_nobody(sys.executable, scratch)
        python = sys.executable
        if not ok:
            python, why = _linked_venv(os.path.join(scratch, "venv"))
            if python is None:
                pytest.skip(why)
            ok, why = _sandbox_works_for_nobody(python, scratch)
        if not ok:
            pytest.skip(f"nobody cannot run the sandbox here: {why}")
        yield python, scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_the_process_limit_holds_when_the_grader_is_not_root(nobody):
    """The grader run as nobody, while nobody already runs more processes than a sandbox may: the fork bomb of
    grader_tests/tamper/*probe_processes* stops within the limit (RLIMIT_NPROC counted in the sandbox's own user
    namespace, not the uid's), and the notebook is graded as declared."""
    import pwd

    python, scratch = nobody
    specs = [os.path.join(ROOT, "grader_tests", "tamper", "dinosaur_island_probe_processes.py"),
             os.path.join(ROOT, "grader_tests", "samples", "dinosaur_island_solution.py")]
    subs, course, home = (os.path.join(scratch, name) for name in ("subs", "course", "home"))
    subprocess.run([sys.executable, "-m", "grader", "build", "--out", subs, "--layout", "flat", *specs], cwd=ROOT,
                   check=True, capture_output=True)
    user = pwd.getpwnam(NOBODY)
    for folder in (course, home):
        os.makedirs(folder)
        os.chown(folder, user.pw_uid, user.pw_gid)
    others = [subprocess.Popen(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                                "sleep", "600"]) for _ in range(Limits().processes + 8)]
    try:
        done = _as_nobody([python, "-m", "grader", "grade", "--assignment", "dinosaur_island", "--submissions", subs,
                           "--course", course, "--no-feedback", "--cell-timeout", "30", "--quiet"], ROOT, home,
                          timeout=900)
    finally:
        for proc in others:
            proc.kill()
            proc.wait()
    assert done.returncode == 0, done.stdout + done.stderr
    expect = subprocess.run([sys.executable, "-m", "grader", "expect", "--course", course, *specs], cwd=ROOT,
                            text=True, capture_output=True)
    assert expect.returncode == 0, expect.stdout + expect.stderr
    with open(os.path.join(course, "autograded", "dinosaur_island_probe_processes", "dinosaur_island",
                           "dinosaur_island.ipynb"), encoding="utf-8") as f:
        texts = [o.get("text", "") for c in json.load(f)["cells"] for o in c.get("outputs", [])]
    printed = "".join("".join(t) if isinstance(t, list) else t for t in texts)
    started = int(re.search(r"stopped after (\d+) processes", printed).group(1))
    assert 0 < started < Limits().processes, printed[-500:]


FORK_BOMB = ("import os\nn = 0\ntry:\n    for _ in range(1000):\n        if os.fork() == 0:\n"
             "            import time; time.sleep(2); os._exit(0)\n        n += 1\n"
             "except OSError:\n    pass\nfor _ in range(n):\n    os.wait()\nprint('started', n)")


def test_an_accepted_unsandboxed_run_as_nobody_has_a_process_limit_too(nobody):
    """--allow-unsandboxed as a user other than root: no namespace of its own, so the limit is headroom over what
    the uid runs already (and with it, a sandboxed run's count is not the bound: the sleepers here exceed it)."""
    import pwd

    python, scratch = nobody
    folder = os.path.join(scratch, "unsandboxed", "dinosaur_island")
    shutil.copytree(os.path.join(ROOT, "release", "dinosaur_island"), folder)
    home = os.path.join(scratch, "unsandboxed", "home")
    os.makedirs(home)
    user = pwd.getpwnam(NOBODY)
    os.chown(home, user.pw_uid, user.pw_gid)
    script = ("import sys, time\nfrom grader.sandbox import Limits, Sandbox\n"
              "box = Sandbox(sys.argv[1], Limits(processes=24), use_bwrap=False)\nendpoint = box.start()\n"
              "endpoint.deadline = time.monotonic() + 120\nendpoint.request({'op': 'hello'})\n"
              "endpoint.deadline = time.monotonic() + 60\n"
              f"reply = endpoint.request({{'op': 'exec', 'code': {FORK_BOMB!r}, 'timeout': 30}})\n"
              "print(''.join(o.get('text', '') for o in reply['outputs'] if o['output_type'] == 'stream'))\n"
              "box.close()\n")
    others = [subprocess.Popen(["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
                                "sleep", "600"]) for _ in range(40)]
    try:
        done = _as_nobody([python, "-c", script, folder], ROOT, home, timeout=300)
    finally:
        for proc in others:
            proc.kill()
            proc.wait()
    assert done.returncode == 0, done.stdout + done.stderr
    started = int(re.search(r"started (\d+)", done.stdout).group(1))
    assert 0 < started < 24, done.stdout
