"""The learner's self-check gives every corpus notebook the points `grade` gives it, cell by cell.

Run by `make selfcheck-corpus` (all of grader_tests/, minutes); tests/grader/test_selfcheck.py runs the same comparison
on a few notebooks inside `make test`. Not collected by `pytest tests` (the file name does not start with test_).

For each assignment, the corpus is built as a class (`python -m grader build`) and graded with `python -m grader
grade` at its default limits, as an instructor grades; then each submitted notebook is checked as a learner
checks it (grader.selfcheck.check on the same file, as the same student, with the seed token the course's secret
gives that student, as `python -m grader.seeds` prints it), and every graded cell's points and
verdict must be the same.
"""

import glob
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from course.assignments import ASSIGNMENTS, active  # noqa: E402
from grader import seeds, selfcheck  # noqa: E402
from grader.specs import student_id  # noqa: E402


def run_grader(*args):
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, text=True, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=ROOT), timeout=3600)
    assert done.returncode == 0, f"grader {args[0]} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"


def graded_by_grade(assignment, specs, scratch, workers=2):
    """{student: (notebook path, {grade_id: (points, outcome)})} as `python -m grader grade` grades the specs."""
    submitted, course = os.path.join(scratch, "submitted"), os.path.join(scratch, "course")
    run_grader("build", "--out", submitted, *specs)
    run_grader("grade", "--assignment", assignment, "--submissions", submitted, "--course", course,
               "--workers", str(workers), "--no-feedback", "--quiet")
    found = {}
    for spec in specs:
        student = student_id(spec)
        with open(os.path.join(course, "results", assignment, f"{student}.json"), encoding="utf-8") as f:
            cells = json.load(f)["result"]["cells"]
        notebook = os.path.join(submitted, student, assignment, ASSIGNMENTS[assignment][0])
        found[student] = (notebook, {gid: (c["points"], c["outcome"]) for gid, c in cells.items()})
    return found


def compare(assignment, specs, scratch):
    """(problems, reports): lines naming every cell whose self-check points or verdict differ from grade's (empty
    when all agree), and the self-check's report of each student."""
    problems, reports = [], {}
    for student, (notebook, by_grade) in graded_by_grade(assignment, specs, scratch).items():
        # with the seed token the instructor hands this student: the self-check draws the grade's hidden inputs
        token = seeds.token(seeds.read_secret(os.path.join(scratch, "course")), student)
        report = reports[student] = selfcheck.check(notebook, student=student, token=token)
        by_check = {c["id"]: (c["points"], c["outcome"]) for c in report["cells"]}
        if by_check != by_grade:
            diff = {gid: (by_grade.get(gid), by_check.get(gid)) for gid in set(by_grade) | set(by_check)
                    if by_grade.get(gid) != by_check.get(gid)}
            problems.append(f"{student}: grade vs self-check {diff}")
        elif report["exit"] != (0 if all(c["points"] == c["max_points"] for c in report["cells"]) else 1):
            problems.append(f"{student}: exit status {report['exit']} does not match its points")
    return problems, reports


def corpus(assignment):
    return sorted(glob.glob(os.path.join(ROOT, "grader_tests", "*", f"{assignment}_*.py")))


@pytest.mark.parametrize("assignment", list(active()))
def test_selfcheck_equals_grade_on_the_whole_corpus(assignment, tmp_path):
    specs = corpus(assignment)
    problems, _ = compare(assignment, specs, str(tmp_path))
    print(f"{assignment}: {len(specs) - len(problems)} of {len(specs)} corpus notebooks get the same points per cell")
    assert problems == []
