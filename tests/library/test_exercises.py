"""utils/exercises.py: a cell whose exercise is still the released stub says so in one line."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "utils"))
from exercises import ExerciseGuard  # noqa: E402

STUB = "raise NotImplementedError()"


def cell(source, guard, **names):
    """Run `source` as a notebook cell runs it: module-level code in a namespace of its own."""
    ns = {"needs_exercises": guard, **names}
    exec(compile(source, "<cell>", "exec"), ns)
    return ns


def test_a_stub_gives_one_line_naming_its_exercise(capsys):
    guard = ExerciseGuard({"unrolled_forward": 2})
    ns = cell(f"def unrolled_forward(X, params):\n    {STUB}\n", guard)
    cell("with needs_exercises:\n    print('epoch 1 ...')\n    unrolled_forward(1, 2)\n    print('never')\n", guard,
         unrolled_forward=ns["unrolled_forward"])
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("Not run yet: this cell needs Exercise 2 (`unrolled_forward`), which is not written yet. "
                       "Write it, run its cell, then run this cell again.")
    assert "never" not in out


def test_the_innermost_stub_is_named_through_solved_functions(capsys):
    guard = ExerciseGuard({"model": 4, "optimize": 3, "clip": 1})
    ns = cell(f"def clip(g, m):\n    {STUB}\n"
              "def optimize():\n    return clip(1, 5)\n"
              "def model():\n    return optimize()\n", guard)
    cell("with needs_exercises:\n    model()\n", guard, model=ns["model"])
    assert "Exercise 1 (`clip`)" in capsys.readouterr().out


def test_methods_and_labels(capsys):
    guard = ExerciseGuard({"BatchGenerator.next": 2, "dropout": "Problem 2"})
    ns = cell(f"class BatchGenerator:\n    def next(self):\n        {STUB}\n"
              f"def dropout(x):\n    {STUB}\n", guard)
    cell("with needs_exercises:\n    BatchGenerator().next()\n", guard, BatchGenerator=ns["BatchGenerator"])
    cell("with needs_exercises:\n    dropout(1)\n", guard, dropout=ns["dropout"])
    out = capsys.readouterr().out
    assert "needs Exercise 2 (`BatchGenerator.next`)" in out
    assert "needs Problem 2 (`dropout`)" in out


def test_a_name_an_earlier_cell_did_not_make(capsys):
    guard = ExerciseGuard({})
    cell("with needs_exercises:\n    print(model_3)\n", guard)
    assert capsys.readouterr().out.strip() == (
        "Not run yet: this cell needs `model_3`, which is not defined yet. Run the cells above it first "
        "(a cell that waits for an exercise says which).")


@pytest.mark.parametrize("source, error", [
    # a stub the guard was not told about, or NotImplementedError raised by other code
    (f"def helper():\n    {STUB}\nwith needs_exercises:\n    helper()\n", NotImplementedError),
    # a written exercise with a bug: its traceback is the learner's to see
    ("def clip(g, m):\n    return g[m]\nwith needs_exercises:\n    clip([], 5)\n", IndexError),
    # a NameError inside a learner's function is a bug in it, not a missing cell
    ("def clip(g, m):\n    return undefined_name\nwith needs_exercises:\n    clip(1, 5)\n", NameError),
])
def test_every_other_error_is_raised(capsys, source, error):
    with pytest.raises(error):
        cell(source, ExerciseGuard({"clip": 1}))
    assert "Not run yet" not in capsys.readouterr().out


def test_a_solved_exercise_runs_untouched(capsys):
    guard = ExerciseGuard({"clip": 1})
    ns = cell("def clip(g, m):\n    return min(g, m)\nwith needs_exercises:\n    result = clip(7, 5)\n", guard)
    assert ns["result"] == 5
    assert capsys.readouterr().out == ""


def test_message_for_an_exception_without_traceback():
    assert ExerciseGuard({"clip": 1}).message(NotImplementedError()) is None
    assert ExerciseGuard({"clip": 1}).explain(None) is False


# -----------------------------------------------------------------------------
# in a real kernel, on the released notebooks (what a learner runs)

from tests.helpers.release_kernel import ROOT, outputs, run_release  # noqa: E402


def test_release_demo_cells_wait_for_their_exercise_in_one_line(monkeypatch):
    """Dinosaur Island: a %%demo cell and a guarded demo cell, with `clip` still the released stub."""
    stub = "def clip(gradients, maxValue):\n    raise NotImplementedError()"
    line = ("Not run yet: this cell needs Exercise 1 (`clip`), which is not written yet. "
            "Write it, run its cell, then run this cell again.\n")
    cells = run_release("dinosaur_island", ["setup", stub, "%%demo\nprint('started')\nclip({}, 5)",
                                            "with needs_exercises:\n    clip({}, 5)", "print('next')"], monkeypatch)
    assert outputs(cells[2]) == [("stream", line)]  # the traceback the demo's run showed is cleared
    assert outputs(cells[3]) == [("stream", line)]
    assert outputs(cells[4]) == [("stream", "next\n")]


def test_release_training_cell_without_unrolled_forward(monkeypatch):
    """Nietzsche: the 3-char training with `unrolled_forward` unsolved: one line, no traceback, no bar at 0."""
    from course import notebooks

    source = notebooks.cells_by_id(notebooks.read(os.path.join(ROOT, "source", "nietzsche_rnn", "nietzsche_rnn.ipynb")))
    solved_windows = notebooks.strip_markers(source["nonoverlapping_windows"].source)
    cells = run_release("nietzsche_rnn", ["setup", "data_code", solved_windows, "unrolled_forward", "train_helper",
                                          "train3", "get_next_char", "th_demo"], monkeypatch, progress="html")
    assert outputs(cells[5]) == [("stream", "Not run yet: this cell needs Exercise 2 (`unrolled_forward`), which is "
                                            "not written yet. Write it, run its cell, then run this cell again.\n")]
    assert outputs(cells[7]) == [("stream", "Not run yet: this cell needs Exercise 3 (`get_next_char`), which is "
                                            "not written yet. Write it, run its cell, then run this cell again.\n")]
