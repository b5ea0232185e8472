"""grader/kinds.py and the kinds of utils/grading.py: what a failed test names, and what a hidden one never says.

The checks decide a kind by comparing what came back with what was expected; the judge adds the kinds only its
records show (an argument left changed or unchanged, two identical calls that differ, a limit). Wrong answers of
the kind learners write are checked here one by one; whole notebooks through the real judge are the mutants of
grader_tests/ that declare `# expected_kind` (grader/expect.py), graded by `make grader-check`.
"""

import json
import os
import re

import numpy as np
import pytest

from course import notebooks
from course.assignments import ASSIGNMENTS
from grader import check_feedback, judge, kinds
from utils import grading
from utils.grading import Kind

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def failed(check, *args):
    with pytest.raises(AssertionError) as err:
        check(*args)
    return err.value


# ---------------------------------------------------------------------------------------------------------------
# the checks' kinds: realistic wrong answers against what was expected

X = np.arange(12.0).reshape(3, 4) * 1.7 + 1.0
with np.errstate(all="ignore"):
    LOG_OF_ZERO, OVER_ZERO = np.log(X - X), X / 0.0
SEQ = [3, 1, 4, 1, 5, 9, 2, 6]


@pytest.mark.parametrize("check, got, expected, kind", [
    (grading.check_close, X.T, X, Kind.TRANSPOSED),                     # a column-per-example convention
    (grading.check_close, X[:, :2], X, Kind.SHAPE),                     # a slice that stops far too early
    (grading.check_close, X[:, :3], X, Kind.OFF_BY_ONE),                # range(n - 1): the last column lost
    (grading.check_close, LOG_OF_ZERO, X, Kind.NAN),                  # a log of 0
    (grading.check_close, OVER_ZERO, X, Kind.NAN),
    (grading.check_close, -X, X, Kind.SIGN),                            # a loss that forgot its minus
    (grading.check_close, X / 12, X, Kind.SCALE),                       # averaged over the entries, not the rows
    (grading.check_close, X + np.array([0, 0, 0, 1.0]), X, Kind.VALUES),
    (grading.check_close, "not a number", X, Kind.TYPE),
    (grading.check_equal, [0] + SEQ[:-1], SEQ, Kind.OFF_BY_ONE),        # targets read one step late
    (grading.check_equal, SEQ[1:] + [0], SEQ, Kind.OFF_BY_ONE),         # one step early
    (grading.check_equal, SEQ[:-1], SEQ, Kind.OFF_BY_ONE),              # one window fewer
    (grading.check_equal, [s + 1 for s in SEQ], SEQ, Kind.OFF_BY_ONE),  # ids counted from 1
    (grading.check_equal, "bcdef", "abcde", Kind.OFF_BY_ONE),           # every character one letter on
    (grading.check_equal, np.array(SEQ), SEQ, Kind.TYPE),               # an array where a list is documented
    (grading.check_equal, 4, "e", Kind.TYPE),                           # the index, not the character
    (grading.check_equal, [3, 1, 4, 1, 5, 9, 2, 7], SEQ, Kind.VALUES),
    (grading.check_shape, np.zeros((4, 3)), (3, 4), Kind.TRANSPOSED),
    (grading.check_shape, np.zeros((0,)), (1, 8), Kind.OFF_BY_ONE),     # no window where one fits exactly
    (grading.check_type, [1.0, 2.0], np.ndarray, Kind.TYPE),            # a list for an array
])
def test_each_check_names_the_kind_of_a_realistic_wrong_answer(check, got, expected, kind):
    with np.errstate(all="ignore"):
        err = failed(check, "v", got, expected)
    assert err.kind == kind.value, str(err)
    assert str(err).endswith("]") and f"[{kind.value}" in str(err)


@pytest.mark.parametrize("check, got, expected", [
    (grading.check_close, X + 1e-12, X),
    (grading.check_close, [1.0, 2.0], np.array([1.0, 2.0])),
    (grading.check_equal, [np.int64(3), 1], [3, 1]),
    (grading.check_equal, [1.0, 2.0], [1, 2]),
    (grading.check_shape, np.zeros((3, 4), dtype=np.float32), (3, 4)),
])
def test_correct_answers_in_other_forms_still_pass(check, got, expected):
    check("v", got, expected)


def test_visible_messages_keep_expected_got_and_the_first_position():
    err = failed(grading.check_close, "logits", X * np.array([1, 1, 1, 2.0]), X)
    assert str(err).startswith("logits: 3 of 12 values differ; the first at index (0, 3): expected 6.1")
    err = failed(grading.check_equal, "rows", [[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 7]])
    assert "first difference at index [1][2]: expected 7, got 6" in str(err)
    err = failed(grading.check_close, "p", [[1.0, np.nan], [1.0, 1.0]], np.ones((2, 2)))
    assert err.kind == Kind.NAN.value and err.detail == "the first at index (0, 1)"


def test_fail_takes_a_kind_and_every_kind_has_words_and_a_hint():
    assert failed(grading.fail, "no warning for '#'", "no error raised").kind == Kind.NO_ERROR.value
    assert failed(grading.fail, "plain").kind == Kind.VALUES.value
    assert set(kinds.KINDS) == set(Kind)
    for kind, (what, hint) in kinds.KINDS.items():
        assert what and hint and "\n" not in what + hint and len(what) + len(hint) < 240, kind
        assert not re.search(r"\d", what + hint), kind  # (a hidden message holds no digit but its title's)


# ---------------------------------------------------------------------------------------------------------------
# the judge's kinds, from its records of a test's calls


def call(target, args, value=None, after=(), key=None):
    return judge.Call(target, tuple(args), {}, after=list(after), value=value, key=key)


def test_an_argument_changed_in_place_that_must_stay_as_it_was():
    state = np.ones((2, 3))
    left = np.zeros((2, 3))  # the learner zeroed the caller's state
    calls = [call("greedy_decode", [state], value=np.zeros(2), after=[(state, left)])]
    err = failed(grading.check_close, "state after the call", left, state)
    f = kinds.explain("failed", err, calls, "")
    assert (f.kind, f.function) == (Kind.IN_PLACE, "greedy_decode")


def test_an_argument_left_unchanged_that_must_be_updated():
    params = {"W": np.ones(4)}
    left = {"W": np.ones(4)}  # a new dictionary was updated instead
    calls = [call("optimize", [params], value=1.0, after=[(params, left)])]
    err = failed(grading.check_close, "W", left["W"], params["W"] - 0.1 * np.arange(4))
    f = kinds.explain("failed", err, calls, "")
    assert f.kind == Kind.NOT_IN_PLACE


@pytest.mark.parametrize("factor, kind", [(-1.0, Kind.SIGN), (2.0, Kind.SCALE)])
def test_an_argument_changed_by_the_expected_change_times_a_factor(factor, kind):
    before = np.linspace(1, 2, 6)
    step = np.linspace(-0.3, 0.5, 6)
    left = before + factor * step  # a gradient ascent, or a step twice too long
    calls = [call("optimize", [before], value=0.0, after=[(before, left)])]
    err = failed(grading.check_close, "W", left, before + step)
    f = kinds.explain("failed", err, calls, "")
    assert f.kind == kind and f.what in kinds.HIDDEN[kind]


def test_two_identical_calls_that_differ_are_not_reproducible():
    key = kinds.fingerprint({"global": "sample"}, (np.arange(3), np.random.default_rng(7)), {})
    assert key == kinds.fingerprint({"global": "sample"}, (np.arange(3), np.random.default_rng(7)), {})
    assert key != kinds.fingerprint({"global": "sample"}, (np.arange(3), np.random.default_rng(8)), {})
    calls = [call("sample", [], value=[1, 2], key=key), call("sample", [], value=[1, 3], key=key)]
    err = failed(grading.check_equal, "second draw", [1, 3], [1, 2])
    f = kinds.explain("failed", err, calls, "")
    assert f.kind == Kind.NOT_REPRODUCIBLE and f.detail == "calls 1 and 2 of this test"


@pytest.mark.parametrize("outcome, err, text, kind", [
    ("timeout", None, "the learner's function did not finish in time", Kind.TIME_LIMIT),
    ("limit", None, "the notebook's process went past a memory limit", Kind.LIMIT),
    ("limit", None, "not run: the notebook used up its time budget", Kind.TIME_LIMIT),
    ("no-result", None, "not run: the notebook's process ended", Kind.NOT_RUN),
])
def test_limits_and_lost_processes(outcome, err, text, kind):
    assert kinds.explain(outcome, err, [], text, "clip").kind == kind


def test_an_error_of_the_learners_code_and_one_of_what_it_returned():
    boom = ZeroDivisionError("division by zero")
    f = kinds.explain("error", boom, [judge.Call("logprob", (), {}, error=boom)], "")
    assert (f.kind, f.what, f.raised) == (Kind.ERROR, "raised ZeroDivisionError", True)
    f = kinds.explain("error", TypeError("'int' object is not subscriptable"), [call("sample", [], value=3)], "")
    assert f.kind == Kind.TYPE and f.what == "returned a value the test could not use (using it raised TypeError)"
    todo = NotImplementedError()
    f = kinds.explain("error", todo, [judge.Call("clip", (), {}, error=todo)], "")
    assert (f.kind, f.what) == (Kind.NOT_WRITTEN, "is not written yet (it raises NotImplementedError)")
    assert kinds.message(f, False, "dinosaur_island").startswith("clip: is not written yet")


# ---------------------------------------------------------------------------------------------------------------
# messages: visible ones teach with the values, hidden ones with the kind only

def test_hidden_messages_are_fixed_and_visible_ones_keep_the_values():
    functions = judge.learner_names(notebooks.read(os.path.join(ROOT, "source", "lstm_text8", "lstm_text8.ipynb")))
    err = failed(grading.check_close, "h", X.T, X)
    f = kinds.explain("failed", err, [call("lstm_cell", [], value=X.T)], "")
    hidden = kinds.message(f, True, "lstm_text8")
    visible = kinds.message(f, False, "lstm_text8")
    assert hidden == ("lstm_cell: returned the transpose of the expected array (its axes in the wrong order) "
                      f"[transposed]. Hint: {kinds.KINDS[Kind.TRANSPOSED][1]}; see “7. Exercise 5: lstm_cell "
                      "(6 points)”.")
    assert kinds.hidden_parts(hidden, "lstm_text8", functions)["kind"] == "transposed"
    assert visible.startswith("h: expected shape (3, 4), got (4, 3)") and "[transposed: its axes reversed]" in visible
    assert kinds.hidden_parts(visible, "lstm_text8", functions) is None
    for leaky in (hidden.replace("[transposed]", "[transposed: got (4, 3)]"),
                  hidden.replace("lstm_cell:", "lstm_cell(x=[[1, 2]]):"),
                  hidden.replace("(its axes", "(got 4.1; its axes"),
                  hidden.replace("(6 points)", "(7 points)")):
        assert kinds.hidden_parts(leaky, "lstm_text8", functions) is None, leaky


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_every_section_is_a_heading_of_the_notebook_and_every_function_has_one(assignment):
    notebook, _ = ASSIGNMENTS[assignment]
    nb = notebooks.read(os.path.join(ROOT, "source", assignment, notebook))
    headings = {line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
                for line in cell.source.split("\n") if line.startswith("#")}
    table = kinds.sections(assignment)
    assert table and set(table.values()) <= headings, set(table.values()) - headings
    assert judge.learner_names(nb) <= set(table), judge.learner_names(nb) - set(table)
    for cell in nb.cells:  # every test's subject is a learner's name, so every hint points somewhere
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            subject = kinds.subject(cell.source)
            assert kinds.section_title(assignment, subject), (meta["grade_id"], subject)


def test_check_feedback_refuses_a_hidden_message_that_says_more(tmp_path):
    course = tmp_path / "course"
    fixed = ("clip: returned values that differ from the expected ones [different values]. Hint: "
             f"{kinds.KINDS[Kind.VALUES][1]}; see “3. Exercise 1: clip (4 points)”.")
    cells = {"test_clip_hidden": {"points": 0.0, "max_points": 2.0, "outcome": "failed", "message": fixed}}
    folder = course / "results" / "dinosaur_island"
    folder.mkdir(parents=True)
    (folder / "honest.json").write_text(json.dumps({"result": {"status": "graded", "cells": cells}}))
    assert check_feedback.message_leaks(str(course)) == []
    literal = sorted(check_feedback.hidden_literals("dinosaur_island"), key=len)[-1]
    for name, message in (("got", fixed.replace(" [different", ", got 12.5 [different")),
                          ("literal", fixed.replace("Hint:", f"Hint: {literal}"))):
        cells["test_clip_hidden"]["message"] = message
        (folder / f"{name}.json").write_text(json.dumps({"result": {"status": "graded", "cells": cells}}))
    found = {os.path.basename(path): why for path, _, why in check_feedback.message_leaks(str(course))}
    assert set(found) == {"got.json", "literal.json"}, found
    cells["test_clip_hidden"]["message"] = f"clip: expected {literal}"  # an ungraded result: a reason, no literal
    (folder / "literal.json").write_text(json.dumps({"result": {"status": "internal-error", "cells": cells}}))
    found = {os.path.basename(path): why for path, _, why in check_feedback.message_leaks(str(course))}
    assert "literal" in found["literal.json"]


def test_a_digit_in_a_functions_name_is_not_a_leak(tmp_path):
    folder = tmp_path / "course" / "results" / "lstm_text8"
    folder.mkdir(parents=True)
    what, hint = kinds.KINDS[Kind.OFF_BY_ONE]
    message = f"id2char: {what} [off by one]. Hint: {hint}; see “2. Exercise 1: char2id and id2char (4 points)”."
    cells = {"test_char_ids_hidden": {"points": 0.0, "max_points": 2.0, "outcome": "failed", "message": message}}
    (folder / "s.json").write_text(json.dumps({"result": {"status": "graded", "cells": cells}}))
    assert check_feedback.message_leaks(str(tmp_path / "course")) == []
    cells["test_char_ids_hidden"]["message"] = message.replace("[off by one]", "[off by one: 2 more]")
    (folder / "s.json").write_text(json.dumps({"result": {"status": "graded", "cells": cells}}))
    assert len(check_feedback.message_leaks(str(tmp_path / "course"))) == 1
