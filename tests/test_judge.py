"""grader/unit.py and grader/judge.py: one submission in, verdicts out, whatever the submission is.

These run the real judge and sandbox (bubblewrap, installed by `make sandbox`); the corpora in
grader_tests/ cover the attacks and honest notebooks, these the odd inputs and the judge's promises.
"""

import json
import os

import nbformat
import pytest

from grader import judge
from grader.unit import grade_submission
from tools import check_feedback, notebooks, submissions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def solution_notebook(assignment="dinosaur_island"):
    return submissions.build(assignment, "solution", [])


def grade(nb_text, files=(), assignment="dinosaur_island"):
    return grade_submission({"student": "s1", "assignment": assignment, "notebook": nb_text, "files": list(files),
                             "cell_timeout": 30})


@pytest.fixture(scope="module")
def solution_result():
    return grade(nbformat.writes(solution_notebook()))


def test_a_solution_gets_full_marks_sandboxed(solution_result):
    r = solution_result
    assert r["status"] == "graded" and r["score"] == r["max_score"] == 24, r
    assert not r["flagged"] and r["reasons"] == [], r["reasons"]
    assert set(r["cells"]) == {"test_clip", "test_clip_hidden", "test_sample", "test_sample_hidden", "test_optimize",
                               "test_optimize_hidden", "test_model", "test_model_hidden"}


def test_the_graded_notebook_carries_no_hidden_test(solution_result):
    nb = nbformat.reads(json.dumps(solution_result["notebook"]), as_version=4)
    shown = {check_feedback._norm(line) for cell in nb.cells for line in cell.source.split("\n")}
    shown |= {check_feedback._norm(line) for cell in nb.cells for out in cell.get("outputs", [])
              for line in json.dumps(out).split("\\n")}
    secret = check_feedback.hidden_lines("dinosaur_island")
    assert len(secret) > 20 and not secret & shown
    test_cell = notebooks.cells_by_id(nb)["test_clip_hidden"]
    assert test_cell.outputs[0]["text"].startswith("test_clip_hidden: passed")


@pytest.mark.parametrize("text, why", [
    ("this is not a notebook", "could not be read"),
    ("", "could not be read"),
    ('{"cells": "nope", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "could not be read"),
])
def test_unreadable_notebooks_get_zero_with_the_reason(text, why):
    r = grade(text)
    assert r["status"] == "unreadable" and r["score"] == 0 and r["max_score"] == 24
    assert all(why in c["message"] for c in r["cells"].values()) and r["flagged"]


def test_odd_metadata_and_a_huge_expression_do_not_stop_grading():
    nb = solution_notebook()
    cells = notebooks.cells_by_id(nb)
    cells["clip"].metadata["nbgrader"] = "not a mapping"
    nb.cells.insert(3, nbformat.v4.new_code_cell("x = " + " + ".join(["1"] * 5000)))
    r = grade(nbformat.writes(nb))
    assert r["status"] == "graded" and r["score"] == 24, r["cells"]
    assert any("'clip' had lost its nbgrader metadata" in n for n in r["notes"]), r["notes"]
    assert any("not a verdict" in x for x in r["reasons"]), r["reasons"]


def test_files_beside_the_notebook_are_never_used():
    files = [{"name": "numpy.py", "kind": "file", "size": 20}, {"name": "notes.txt", "kind": "symlink", "size": 0}]
    nb = submissions.build("dinosaur_island", "release", [])
    r = grade(nbformat.writes(nb), files)
    assert r["score"] == 0
    assert any("notes.txt: a symbolic link" in x for x in r["reasons"])
    assert any("numpy.py: not used" in x for x in r["notes"])


def test_unknown_assignment_is_an_internal_error_not_a_crash():
    r = grade_submission({"student": "s", "assignment": "no_such_thing", "notebook": "{}"})
    assert r["status"] == "internal-error" and r["flagged"]


@pytest.mark.parametrize("message, hidden, shown", [
    ("dWax: 3 of 30 values differ; at index (0, 1) expected 0.25, got 0.5", True,
     "dWax: 3 of 30 values differ; at index (0, 1) expected (hidden), got 0.5"),
    ("losses[0]: expected 23.087336, got 23.1", False, "losses[0]: expected 23.087336, got 23.1"),
    ("label: expected [1, 2, 3]\nmore lines", True, "label: expected (hidden)"),
])
def test_hidden_messages_show_what_was_got_not_what_was_expected(message, hidden, shown):
    assert judge.public_message(message, hidden) == shown


def test_learner_names_are_the_functions_with_solutions():
    a = judge.Assignment("lstm_text8")
    assert {"BatchGenerator", "char2id", "lstm_cell", "train_step"} <= a.learner_names
    assert "batches2string" not in a.learner_names  # given code in a solution cell stays the course's


def test_a_lost_warm_judge_costs_nothing():
    from grader import unit

    nb = nbformat.writes(submissions.build("dinosaur_island", "release", []))
    first = grade(nb)
    unit._zygote().proc.kill()  # the warm judge dies between two submissions
    second = grade(nb)
    assert first["status"] == second["status"] == "graded" and first["cells"] == second["cells"]
