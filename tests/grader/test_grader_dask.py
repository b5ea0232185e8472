"""A real Dask cluster on loopback, started with exactly the commands of docs/scaling.md (`make dask-scheduler`,
`make dask-worker`, read from its "Grading on a Dask cluster" section; only the addresses and the port are
replaced by 127.0.0.1 and a free one), grades a class exactly as the local run does, also when a worker is killed
mid-run; a scheduler started without the course on its path grades nobody, and once a proper one runs a plain
rerun grades everyone. No PYTHONPATH is given to the cluster's processes: the commands must need none.
Every process started here is stopped here, by its process group (each is started in a session of its own)."""

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers.grader_helpers import ROOT, build_class, csv_rows, env, free_port, grade_args, grader

BIN = os.path.dirname(sys.executable)


def readme_commands():
    """(scheduler, worker) commands of the Dask section of docs/scaling.md, as argument lists."""
    with open(os.path.join(ROOT, "docs", "scaling.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Grading on a Dask cluster", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    found = {}
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("make dask-"):
            args = shlex.split(line)
            found[args[1]] = args
    return found["dask-scheduler"], found["dask-worker"]


def on_loopback(args, port):
    """The README's command, for this machine: its addresses become 127.0.0.1, its port a free one."""
    return [re.sub(r"10\.0\.0\.\d+", "127.0.0.1", a).replace("8786", str(port)) for a in args]


def cluster_env(sleep=0.0):
    """What the cluster's processes get: the fake unit, and no PYTHONPATH (nor a parent make's flags). Two worker
    processes whatever this machine's core count: `make dask-worker` starts one per core (`nproc`, which a leftover
    OMP_NUM_THREADS=1 from a module imported in this process would turn into one), and the tests kill one of two."""
    e = env(sleep=sleep)
    for name in ("PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "OMP_NUM_THREADS", "OMP_THREAD_LIMIT"):
        e.pop(name, None)
    e["DASK_NWORKERS"] = "2"
    return e


def start(args, log, cwd=ROOT, sleep=0.0):
    return subprocess.Popen(args, cwd=cwd, env=cluster_env(sleep), stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc):
    """Stop a process started here and everything it started (its process group): SIGTERM, then SIGKILL to
    whatever is left after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        proc.poll()
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def wait_for_workers(address, n, procs, log):
    from distributed import Client

    deadline = time.time() + 180
    while True:
        try:
            with Client(address, timeout="5s") as client:
                client.wait_for_workers(n, timeout=120)
                return client.run(os.getpid)   # {worker address: pid}
        except (OSError, TimeoutError):
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                with open(log, encoding="utf-8", errors="replace") as f:
                    raise AssertionError(f"the cluster did not start:\n{f.read()[-3000:]}") from None
            time.sleep(0.5)


class Cluster:
    """A scheduler and a worker machine (two worker processes) started with the documented commands."""

    def __init__(self, tmp, scheduler_cmd=None, cwd=ROOT):
        scheduler, worker = readme_commands()
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.log = os.path.join(tmp, f"cluster-{self.port}.log")
        self.procs = [start(scheduler_cmd(self.port) if scheduler_cmd else on_loopback(scheduler, self.port),
                            self.log, cwd=cwd)]
        try:
            self.procs.append(start(on_loopback(worker, self.port), self.log, sleep=0.3))
            self.workers = wait_for_workers(self.address, 2, self.procs, self.log)
        except BaseException:
            self.close()
            raise

    def close(self):
        for proc in reversed(self.procs):
            stop(proc)


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class of 24 and its grades from a local run (the fake unit)."""
    tmp = tmp_path_factory.mktemp("dask")
    subs = build_class(tmp / "subs", 24)
    grader(*grade_args(subs, tmp / "local", "--no-feedback"))
    return tmp, subs, csv_rows(tmp / "local")


@pytest.fixture(scope="module")
def cluster(klass):
    c = Cluster(str(klass[0]))
    yield c
    c.close()


def test_the_readme_commands_are_make_targets_that_put_the_course_on_the_path():
    scheduler, worker = readme_commands()
    for cmd in (scheduler, worker):
        assert cmd[0] == "make"
        dry = subprocess.run(["make", "-n", *on_loopback(cmd[1:], 1234)], cwd=ROOT, env=cluster_env(), text=True,
                             capture_output=True, check=True).stdout
        assert f"PYTHONPATH={ROOT} " in dry and "127.0.0.1" in dry and "1234" in dry


def test_a_scheduler_without_the_course_grades_nobody_then_a_plain_rerun_grades_everyone(klass, cluster):
    tmp, subs, local = klass
    # the scheduler as the docs used to start it: dask's own command, outside the course, no PYTHONPATH
    broken = Cluster(str(tmp), cwd=str(tmp), scheduler_cmd=lambda port: [
        os.path.join(BIN, "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])
    course = tmp / "course"
    try:
        done = grader(*grade_args(subs, course, "--no-feedback", "--scheduler", broken.address), check=False)
    finally:
        broken.close()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cannot run the grading unit" in done.stdout and "make dask-scheduler" in done.stdout
    assert "24 submission(s) NOT graded because of a fault of ours" in done.stderr
    assert "graded 0 submission(s)" in done.stdout and "internal-error" not in done.stdout
    assert csv_rows(course) == [] and not list((course / "results").glob("*/*.json"))
    # the cluster fixed (started as docs/scaling.md says): the same command, without --regrade, grades everyone
    done = grader(*grade_args(subs, course, "--no-feedback", "--scheduler", cluster.address))
    assert "graded 24 submission(s)" in done.stdout
    assert csv_rows(course) == local


def test_dask_cluster_grades_like_local_and_survives_a_killed_worker(klass, cluster):
    tmp, subs, local = klass
    course = tmp / "killed"
    run = subprocess.Popen([sys.executable, "-m", "grader", *grade_args(subs, course, "--no-feedback",
                                                                        "--scheduler", cluster.address)],
                           cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        results = course / "results" / "dinosaur_island"
        deadline = time.time() + 120
        while time.time() < deadline and (len(list(results.glob("*.json"))) if results.exists() else 0) < 4:
            time.sleep(0.05)
        victim = next(iter(cluster.workers.values()))
        os.kill(victim, signal.SIGKILL)   # a worker process of the documented command (its nanny starts another)
        out, _ = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, out
    assert "graded 24 submission(s)" in out
    assert csv_rows(course) == local
