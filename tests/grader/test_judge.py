"""grader/unit.py and grader/judge.py: one submission in, verdicts out, whatever the submission is.

These run the real judge and sandbox (bubblewrap, installed by `make sandbox`); the corpora in
grader_tests/ cover the attacks and honest notebooks, these the odd inputs and the judge's promises.
"""

import json
import os

import nbformat
import numpy as np
import pytest

from course import notebooks
from grader import check_feedback, judge
from grader import specs as submissions
from grader.unit import grade_submission

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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


# --- the wire's contract as the judge keeps it (no sandbox needed) ----------------------------


def test_after_call_reads_the_state_the_last_call_left_never_the_tests_object():
    j = judge.Judge({})
    params, state, untouched = {"W": np.zeros(2)}, (np.zeros(2), np.ones(2)), [1, 2]
    first, last = {"W": np.ones(2)}, {"W": np.full(2, 2.0)}
    state_after = (np.zeros(2), np.full(2, 7.0))
    j.calls = [judge.Call("optimize", (params,), {}, after=[(params, first)]),
               judge.Call("optimize", (params, state), {}, after=[(params, last), (state, state_after)])]
    assert j.after_call(params) is last and j.after_call(params["W"]) is last["W"]
    assert j.after_call(state)[1].tolist() == [7.0, 7.0] and j.after_call(state[1]).tolist() == [7.0, 7.0]
    assert j.after_call(untouched) is untouched  # never passed: itself, as in a notebook
    assert params["W"].tolist() == [0.0, 0.0]


def test_the_judge_answers_only_calls_of_what_it_lends_and_only_in_time():
    import time

    from grader import rpc

    j = judge.Judge({})
    j.endpoint = rpc.Endpoint(-1, -1, "host")
    j.test_deadline = time.monotonic() + 60
    ref = j.endpoint.export(lambda x, d: d.update(seen=x) or x * 2)["id"]
    call = {"op": "call", "target": {"ref": ref}, "args": [3, {}], "kwargs": {}, "copy_back": [[1], []]}
    assert j.serve(call) == {"value": 6, "after": [[{"seen": 3}], {}]}
    for op in ("getattr", "getitem", "len", "list"):
        with pytest.raises(PermissionError):
            j.serve({"op": op, "ref": ref, "name": "ctypes"})
    j.test_deadline = time.monotonic() - 1
    with pytest.raises(TimeoutError):
        j.serve(call)
    j.endpoint.revoke()
    with pytest.raises(PermissionError, match="lent to an earlier call"):
        j.serve(call)
    with pytest.raises(rpc.Unsendable):
        j.endpoint.export(object())


def test_the_judges_own_work_ends_at_its_deadline():
    import time

    alarm = judge._Alarm()
    t0 = time.monotonic()
    with (pytest.raises(judge.JudgeOvertime, match="the test x ran past its time limit"),
          alarm.until(time.monotonic() + 0.3, "the test x")):
        while True:
            pass
    assert time.monotonic() - t0 < 5


def test_a_lent_reference_that_keeps_the_judge_busy_ends_that_test_as_a_time_limit():
    # the hidden model test lends a reference optimize step; this model hands it 2,000 hidden units and a
    # name of 20,000 characters (small to send), which would keep the judge's reference busy for a minute
    edits = [("cell", "model", '''
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    if optimize is not _own_optimize:  # the grader's reference step, lent by the hidden test
        X = [None] + [1] * 20_000
        optimize(X, X[1:] + [0], np.zeros((2000, 1)), initialize_parameters(2000, vocab_size, vocab_size))
    return parameters, []


_own_optimize = optimize
''')]
    nb = submissions.build("dinosaur_island", "solution", edits)
    r = grade_submission({"student": "s1", "assignment": "dinosaur_island", "notebook": nbformat.writes(nb),
                          "cell_timeout": 8})
    hidden = r["cells"]["test_model_hidden"]
    assert hidden["outcome"] == "timeout" and hidden["kind"] == "time limit", hidden
    assert hidden["message"].startswith("model: ran past its time limit [time limit]. Hint: "), hidden
    assert r["cells"]["test_clip"]["outcome"] == "passed" and r["seconds"] < 120, r


def test_a_sandbox_that_never_starts_is_our_fault_never_a_zero(monkeypatch):
    """Before the first exchange no learner code has run: a sandbox that cannot start raises (the unit records an
    internal error, no grade, retried by the next run) instead of zeros for every test."""
    from grader import rpc

    class Endpoint:
        deadline = call_hook = None

        def request(self, message):
            raise rpc.ChannelClosed("the channel closed")

    class NeverStarts:
        sandboxed = True

        def __init__(self, *args, **kwargs):
            pass

        def start(self):
            return Endpoint()

        def exit_reason(self):
            return "it exited with status 127"

        def close(self):
            pass

    monkeypatch.setattr(judge, "Sandbox", NeverStarts)
    job = {"student": "s1", "assignment": "dinosaur_island", "cell_timeout": 30, "budget": 600,
           "notebook": nbformat.writes(solution_notebook())}
    with pytest.raises(judge.SandboxDidNotStart, match="did not start.*status 127"):
        judge.Judge(job).run()


def test_a_cpu_limit_kill_in_a_test_is_the_outcome_limit():
    """The kernel stops a learner's process that uses up its CPU time (RLIMIT_CPU, SIGXCPU): the test it cut short
    and every test after it record the outcome `limit`, decided from the signal, never from a message's words."""
    edits = [("cell", "clip", "def clip(gradients, maxValue):\n    while True:\n        pass\n")]
    nb = submissions.build("dinosaur_island", "solution", edits)
    r = grade_submission({"student": "s1", "assignment": "dinosaur_island", "notebook": nbformat.writes(nb),
                          "cell_timeout": 240, "cpu_seconds": 8})
    cut = r["cells"]["test_clip"]
    assert cut["outcome"] == "limit" and cut["points"] == 0 and cut["kind"] == "time limit", cut
    assert "CPU time" in cut["message"], cut
    after = [r["cells"][gid] for gid in ("test_sample", "test_optimize", "test_model_hidden")]
    assert all(v["outcome"] == "limit" and v["points"] == 0 for v in after), after
    assert any("used up its CPU time (SIGXCPU)" in reason for reason in r["reasons"]), r["reasons"]
