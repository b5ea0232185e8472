"""Seconds per submission: the judge outside the learner's process against the driver it replaced.

Both grade the same submissions (the bundled samples of every assignment, built from their specs),
one after another on one core, in alternating rounds, in one run:
- "before": the former driver, `tools/autograde.py` at commit BASELINE (nbgrader autograde with the
  tests in the learner's kernel, a bubblewrap kernel over IPC), run from a temporary git worktree
  of that commit with this checkout's virtual environment;
- "after": `grader.unit.grade_submission`, one submission at a time.
It prints seconds per submission for each round and the ratio of the medians (the bar: after
<= 1.5 x before). The machine is shared and noisy: compare within one run only.

usage: python bench/grader_speed.py [--baseline 0ab2502] [--rounds 3] [--specs grader_tests/samples/*.py]
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import nbformat  # noqa: E402

from grader import specs as submissions  # noqa: E402
from grader.unit import grade_submission  # noqa: E402


def before(worktree, specs):
    """Seconds the former driver takes for the specs, as one class (it grades them in one batch)."""
    course = tempfile.mkdtemp(prefix="charlm-bench-before-")
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tools.autograde", "--course", course, "--cell-timeout", "60", *specs],
                       cwd=worktree, check=True, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=worktree))
        return time.perf_counter() - t0
    finally:
        shutil.rmtree(course, ignore_errors=True)


def after(specs):
    t0 = time.perf_counter()
    for spec in specs:
        assignment, base, edits = submissions.parse(spec)
        nb = submissions.build(assignment, base, edits)
        result = grade_submission({"student": submissions.student_id(spec), "assignment": assignment,
                                   "notebook": nbformat.writes(nb), "cell_timeout": 60})
        if result["status"] != "graded":
            raise SystemExit(f"{spec}: {result['status']} {result['reasons']}")
    return time.perf_counter() - t0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", default="0ab2502", help="commit of the former driver")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--specs", nargs="+", default=sorted(glob.glob(os.path.join(ROOT, "grader_tests/samples/*.py"))))
    args = ap.parse_args(argv)
    specs = [os.path.abspath(s) for s in args.specs]
    worktree = tempfile.mkdtemp(prefix="charlm-bench-baseline-")
    subprocess.run(["git", "worktree", "add", "--detach", worktree, args.baseline], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        subprocess.run([sys.executable, "-m", "tools.sync"], cwd=worktree, check=True, capture_output=True)
        n = len(specs)
        rows = []
        for k in range(args.rounds):
            b = before(worktree, specs) / n
            a = after(specs) / n
            rows.append((b, a))
            print(f"round {k + 1}: before {b:.2f} s per submission, after {a:.2f} s per submission", flush=True)
        mb, ma = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        print(f"\n{n} submissions x {args.rounds} rounds; median seconds per submission: before {mb:.2f}, "
              f"after {ma:.2f}; after / before = {ma / mb:.2f} (bar: <= 1.5)")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", worktree], cwd=ROOT, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
