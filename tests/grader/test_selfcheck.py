"""The learner's self-check (grader/selfcheck.py and the workspace's `check` launcher): the grade, in advance.

- On a few corpus notebooks (a solution, a partial one, one that fails only a hidden test, one with an edited
  test cell, an honest one with scratch cells), its points and verdict per cell equal `python -m grader grade`'s
  (the whole corpus: `make selfcheck-corpus`, tests/helpers/selfcheck_corpus.py).
- `./check` in a workspace, run from there with nothing of the course on the path: exit 0 on a solved notebook,
  1 on a partly solved one, one line per graded test and a summary line that agrees with them, no warning, and
  no hidden test's code, inputs or expected values.
- The lab says it has no graded tests; a bad argument gets one line.
- The job is the one `grade` builds (grader.unit.make_job), with the learner's seed from their token, else the
  practice seed.
"""

import io
import json
import os
import re
import shutil
import subprocess

import nbformat
import pytest

from course import notebooks
from course.assignments import ASSIGNMENTS
from grader import defaults, seeds, selfcheck, unit
from grader import specs as submissions
from tests.helpers.selfcheck_corpus import compare
from tools import workspace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
A = "dinosaur_island"
SPECS = [os.path.join(ROOT, "grader_tests", d, f"{A}_{name}.py") for d, name in [
    ("samples", "solution"), ("samples", "partial"), ("mutants", "clip_hardcoded_10"), ("tamper", "edit_test"),
    ("valid", "honest_helpers"), ("tamper", "wrong_notebook")]]  # the last: a Nietzsche notebook handed in here


def spec_notebook(spec):
    return nbformat.writes(submissions.build(*submissions.parse(spec)))


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    return compare(A, SPECS, str(tmp_path_factory.mktemp("compare")))


def test_selfcheck_points_equal_grades_on_a_few_corpus_notebooks(compared):
    problems, reports = compared
    assert problems == [] and len(reports) == len(SPECS)


def test_the_job_is_the_one_grade_builds(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(selfcheck, "grade_submission", lambda job: seen.append(job) or {
        "assignment": A, "status": "graded", "score": 0.0, "max_score": 0.0, "cells": {}, "reasons": [],
        "notes": []})
    path = tmp_path / "mine.ipynb"
    path.write_text(spec_notebook(SPECS[0]))
    selfcheck.check(str(path), student="alice", sandboxed=True)
    want = unit.make_job("alice", A, notebook=path.read_text(), cell_timeout=defaults.DEFAULT_CELL_TIMEOUT,
                         budget=defaults.DEFAULT_BUDGET, seed=seeds.PRACTICE_SEED)  # no seed token: the practice seed
    assert seen == [want] and "allow_unsandboxed" not in seen[0]
    selfcheck.check(str(path), student="alice", sandboxed=False)
    assert seen[1] == dict(want, allow_unsandboxed=True)
    secret = "s" * 64
    selfcheck.check(str(path), sandboxed=True, token=seeds.token(secret, "alice"))  # with alice's token: her seed
    assert seen[2] == dict(want, seed=seeds.seed_for(secret, "alice", A))


def hidden_test_text(assignment):
    """Lines of the instructor's hidden tests (code, inputs, expected values) that must never be printed."""
    source = notebooks.read(os.path.join(ROOT, "source", assignment, ASSIGNMENTS[assignment][0]))
    lines = {line.strip() for c in source.cells for r in notebooks.regions(c.source, "HIDDEN TESTS")
             for line in r.split("\n")}
    return {line for line in lines if len(line) > 12 and not line.startswith("#")}


@pytest.fixture(scope="module")
def learner_workspace(tmp_path_factory):
    ws = tmp_path_factory.mktemp("selfcheck") / "workspace"
    workspace.sync(str(ws), out=io.StringIO())
    return ws


def run_check(ws, *args, cwd=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ws.parent), "LANG": "C.UTF-8"}  # nothing of the course on the path
    return subprocess.run([str(ws / "check"), *args], cwd=cwd or ws, env=env, capture_output=True, text=True,
                          timeout=900)


def test_check_from_the_workspace_solved_partial_and_lab(learner_workspace):
    ws = learner_workspace
    folder = ws / "assignments" / A
    (folder / "solved.ipynb").write_text(spec_notebook(SPECS[0]))
    (folder / f"{A}.ipynb").write_text(spec_notebook(SPECS[1]))  # the learner's partly solved notebook

    partial = run_check(ws, A)  # by the assignment's name, from the workspace folder
    assert partial.returncode == 1, partial.stdout + partial.stderr
    solved = run_check(ws, "solved.ipynb", cwd=folder)  # by path, from the assignment's folder
    assert solved.returncode == 0, solved.stdout + solved.stderr
    for run in (partial, solved):
        assert run.stderr == "" and not re.search(r"warn", run.stdout, re.I), run.stdout + run.stderr
        assert not any(line in run.stdout for line in hidden_test_text(A))

    lines = partial.stdout.splitlines()
    cells = [line for line in lines if re.match(r"  (passed|FAILED)  ", line)]
    assert len(cells) == 8 and sum(line.startswith("  FAILED") for line in cells) == 4
    assert lines[-1] == "10 of 24 points: 4 of 8 graded tests fail"
    hidden = next(line for line in cells if "test_sample_hidden" in line)  # the kind and the hint, as grade says
    assert re.match(r"  FAILED  test_sample_hidden \(hidden test\): 0 of 3 points: sample: [^\[]+ \[[a-zA-Z ]+\]\. "
                    r"Hint: [^\d]+; see “4\. Exercise 2: sample \(6 points\)”\.$", hidden), hidden
    assert solved.stdout.splitlines()[-1] == "24 of 24 points: all 8 graded tests pass"

    lab = run_check(ws, "notebooks/shakespeare.ipynb")
    assert lab.returncode == 0 and "has no graded tests" in lab.stdout and "error" not in lab.stdout.lower()
    bad = run_check(ws, "no_such.ipynb")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no_such.ipynb" in bad.stderr


def test_json_report_for_the_lab_button(tmp_path):
    path = tmp_path / "notebook.ipynb"
    shutil.copy(os.path.join(ROOT, "notebooks", "shakespeare.ipynb"), path)
    out = io.StringIO()
    from contextlib import redirect_stdout
    with redirect_stdout(out):
        assert selfcheck.main(["--json", str(path)]) == 0
    report = json.loads(out.getvalue())
    assert report["status"] == "no-tests" and "no graded tests" in report["summary"]


def test_an_edited_test_cell_gets_a_consistent_summary(compared):
    """The issue's "FAILED: 4 of 4 graded cells pass": here the summary, the cells and the exit status agree,
    and the edit is named (the grader uses the released test)."""
    report = compared[1][submissions.student_id(SPECS[3])]
    text = "\n".join(selfcheck.lines(report))
    assert report["exit"] == 1 and report["summary"] == "17 of 24 points: 3 of 8 graded tests fail", text
    assert "test cell 'test_clip' was edited" in text
    honest = compared[1][submissions.student_id(SPECS[4])]
    assert honest["exit"] == 0 and honest["review"] == [], selfcheck.lines(honest)
