"""A warm judge: imports the judge's libraries once, then forks one fresh child per submission.

Starting a Python process and importing numpy, IPython, matplotlib and nbformat costs about a
second per submission; a forked child starts with them already imported and shares nothing else
with its siblings (each child is its own process, gone after its submission, so no state of one
learner's grading reaches another's). grader/unit.py starts one zygote per calling process and
talks to it over its standard input and output, one line per submission:

    in:  JOB_PATH <tab> RESULT_PATH <tab> ASSIGNMENT
    out: pid PID          (the child grading it, so the caller can kill it on a timeout)
    out: done STATUS      (the child's wait status; the result is in RESULT_PATH when it is 0)

The child runs grader.judge.main exactly as `python -m grader.judge JOB RESULT` would, except that
the tests' namespace of ASSIGNMENT (the instructor's notebook run in the judge) is built once here,
before the fork, in a folder under $CHARLM_ZYGOTE_HOME that the caller removes.

usage (by grader/unit.py): python -m grader.zygote
"""

import contextlib
import os
import sys
import traceback

import IPython.core.interactiveshell  # noqa: F401 (imported once, for every child)
import matplotlib
import nbformat  # noqa: F401
import numpy  # noqa: F401

matplotlib.use("agg")
import matplotlib.pyplot  # noqa: F401

from grader import harness, intake, judge, rpc, sandbox  # noqa: F401


def child(job_path, result_path):
    """Grade one submission in this forked process, then leave without running the parent's cleanup."""
    status = 1
    try:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # stdout is the zygote's channel to its caller: keep it clean
        status = judge.main([job_path, result_path]) or 0
    except BaseException:  # noqa: BLE001 (the caller reads the last line beside the result's path)
        with open(result_path + ".err", "w", encoding="utf-8") as f:
            f.write(traceback.format_exc())
    finally:
        sys.stderr.flush()
        os._exit(status)


def main():
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # as judge.main sets it, before any instructor cell runs
    home = os.environ.get("CHARLM_ZYGOTE_HOME") or None
    for line in sys.stdin:
        try:
            job_path, result_path, assignment = line.rstrip("\n").split("\t")
        except ValueError:
            print("error bad request", flush=True)
            continue
        try:
            with contextlib.redirect_stdout(sys.stderr):
                judge.prebuild(assignment, home)
        except Exception:  # noqa: BLE001 (the child builds the namespace itself and reports what fails)
            traceback.print_exc()
        pid = os.fork()
        if pid == 0:
            child(job_path, result_path)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"done {status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
