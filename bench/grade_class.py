"""Grading throughput of `python -m grader grade`: --workers 1 against --workers 2, side by side in one run.

A class of --size students is generated from the specifications of grader_tests/ (samples, mutants, valid
alternatives and tamper attempts of one assignment, cycled; ids s00000_<spec>): correct, partly correct, wrong
and tampering notebooks. It is written as a flat folder and as a .zip, then graded into fresh course folders:

    1. flat folder, --workers 1   (the serial reference)
    2. flat folder, --workers 2
    3. zip,         --workers 2

Printed: seconds per submission of the grading phase (the driver's own measure) for each run, the
throughput ratio of 2 over 1, and whether the three grades.csv agree (every student once, same scores and
verdicts; the seconds column aside). Feedback is left out of the timing (--no-feedback): the bar is on the
grading itself (feedback is rendered afterwards, in --workers processes as well).

usage: python bench/grade_class.py [--size 200] [--assignment dinosaur_island] [--out build/bench-class]
       (set CHARLM_GRADER_UNIT=tests.helpers.fake_unit:grade_submission to time the driver alone)
"""

import argparse
import csv
import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def grader(*args):
    t0 = time.time()
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, text=True, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, OPENBLAS_NUM_THREADS="1"))
    if done.returncode != 0:
        sys.exit(f"grader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout, time.time() - t0


def rows(course):
    with open(os.path.join(course, "grades.csv"), encoding="utf-8", newline="") as f:
        return [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--assignment", default="dinosaur_island")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench-class"))
    ap.add_argument("--cell-timeout", default="20")
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)   # the benchmark's own scratch folder
    specs = sorted(glob.glob(os.path.join(ROOT, "grader_tests", "*", f"{args.assignment}_*.py")))
    kinds = {k: sum(f"/{k}/" in s for s in specs) for k in ("samples", "mutants", "valid", "tamper")}
    grader("build", "--out", f"{out}/flat", "--layout", "flat", "--size", str(args.size), *specs)
    grader("build", "--out", f"{out}/class.zip", "--layout", "zip", "--size", str(args.size), *specs)
    print(f"class: {args.size} {args.assignment} submissions cycled from {len(specs)} specs {kinds}")
    runs = [("flat, --workers 1", "flat", "1"), ("flat, --workers 2", "flat", "2"), ("zip,  --workers 2", "class.zip",
                                                                                      "2")]
    measured = []
    for label, source, workers in runs:
        course = f"{out}/course-{source}-w{workers}"
        stdout, wall = grader("grade", "--assignment", args.assignment, "--submissions", f"{out}/{source}",
                              "--course", course, "--workers", workers, "--cell-timeout", args.cell_timeout,
                              "--no-feedback", "--quiet")
        m = re.search(r"graded (\d+) submission\(s\) in ([\d.]+) s", stdout)
        graded, seconds = int(m.group(1)), float(m.group(2))
        measured.append((label, course, graded, seconds, wall))
        print(f"{label}: {graded} graded in {seconds:.1f} s = {seconds / graded:.2f} s per submission "
              f"({wall:.1f} s for the whole command)", flush=True)
    base = rows(measured[0][1])
    same = all(rows(c) == base for _, c, *_ in measured[1:])
    students = {r["student"] for r in base}
    print(f"grades.csv: {len(base)} rows, {len(students)} students; identical across the three runs: {same}")
    ratio = measured[0][3] / measured[1][3]
    print(f"throughput --workers 2 / --workers 1: {ratio:.2f}x (bar: 1.7x)")
    return 0 if same and len(base) == len(students) == args.size else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
