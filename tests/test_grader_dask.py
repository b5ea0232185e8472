"""A real Dask scheduler and two workers on loopback grade a class exactly as the local run does, also when one
worker is killed mid-run. Every process started here is stopped here, by pid."""

import os
import signal
import subprocess
import sys
import time

import pytest
from grader_helpers import ROOT, build_class, csv_rows, env, free_port, grade_args, grader

BIN = os.path.dirname(sys.executable)


def _start(args, sleep):
    return subprocess.Popen([os.path.join(BIN, "dask"), *args], cwd=ROOT, env=env(sleep=sleep),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def cluster():
    """A scheduler and two single-threaded workers (no nanny, so a worker's pid is the process to kill)."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], 0)]
    try:
        workers = [_start(["worker", address, "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
                           "--host", "127.0.0.1", "--death-timeout", "60"], 0.3) for _ in range(2)]
        procs += workers
        deadline = time.time() + 90
        while True:
            try:
                with Client(address, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        yield address, workers
    finally:
        for proc in reversed(procs):
            _stop(proc)


def test_dask_cluster_grades_like_local_and_survives_a_killed_worker(cluster, tmp_path):
    address, workers = cluster
    subs = build_class(tmp_path / "subs", 24)
    grader(*grade_args(subs, tmp_path / "local", "--no-feedback"))
    local = csv_rows(tmp_path / "local")

    grader(*grade_args(subs, tmp_path / "dask", "--no-feedback", "--scheduler", address))
    assert csv_rows(tmp_path / "dask") == local

    course = tmp_path / "dask-killed"
    run = subprocess.Popen([sys.executable, "-m", "grader", *grade_args(subs, course, "--no-feedback",
                                                                        "--scheduler", address)],
                           cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        results = course / "results" / "dinosaur_island"
        deadline = time.time() + 120
        while time.time() < deadline and (len(list(results.glob("*.json"))) if results.exists() else 0) < 4:
            time.sleep(0.05)
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait()
        out, _ = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, out
    assert "graded 24 submission(s)" in out
    assert csv_rows(course) == local
