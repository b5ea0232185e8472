"""Errors a learner meets in the notebook teach: one clear line for bad data, one traceback for a failing
demo, the expected-versus-got line first for a failing check, no output from hidden-test placeholders."""

import os
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course import notebooks

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE = os.path.join(ROOT, "release", "dinosaur_island")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_data_cells(folder):
    """Run the release notebook's setup and data cells in `folder`; return the data cell's error output."""
    nb = notebooks.read(os.path.join(RELEASE, "dinosaur_island.ipynb"))
    cells = notebooks.cells_by_id(nb)
    nb.cells = [cells["setup"], cells["data_code"]]
    client = NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(folder)}})
    with pytest.raises(CellExecutionError):
        client.execute()
    return next(o for o in nb.cells[1].outputs if o.output_type == "error")


@pytest.mark.parametrize("damage, message", [
    ("missing", "cannot find the names file 'dinos.txt'"),
    ("empty", "the names file 'dinos.txt' is empty"),
    ("digits", "characters outside the vocabulary"),
])
def test_one_line_error(tmp_path, damage, message):
    for name in os.listdir(RELEASE):
        src = os.path.join(RELEASE, name)
        if os.path.isdir(src):  # e.g. figures/
            shutil.copytree(src, tmp_path / name)
        elif name != "dinosaur_island.ipynb":
            shutil.copy(src, tmp_path)
    if damage == "missing":
        os.remove(tmp_path / "dinos.txt")
    elif damage == "empty":
        (tmp_path / "dinos.txt").write_text("")
    else:
        (tmp_path / "dinos.txt").write_text("aachenosaurus\nt2rex\n")
    error = run_data_cells(tmp_path)
    assert error.ename == "DataError"
    assert message in error.evalue
    assert len(error.traceback) == 1, "the learner should see one line, not a numpy traceback"


def run_in_release(cells, folder=RELEASE):
    """Run the release notebook's setup cell then `cells` (sources), errors allowed; return the cells."""
    nb = notebooks.read(os.path.join(RELEASE, "dinosaur_island.ipynb"))
    setup = notebooks.cells_by_id(nb)["setup"]
    nb.cells = [setup] + [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(nb, timeout=60, allow_errors=True, resources={"metadata": {"path": folder}}).execute()
    return nb.cells[1:]


def errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


def test_failing_demo_shows_one_traceback_and_stops():
    demo, after = run_in_release(["%%demo\nx = 1\n\ndef f():\n    return 1 / 0\n\nf()", "print('next')"])
    tracebacks = [o for o in errors(demo) if len(o.traceback) > 1]
    assert len(tracebacks) == 1 and tracebacks[0].ename == "ZeroDivisionError"
    text = ANSI.sub("", "\n".join(tracebacks[0].traceback))
    # named and numbered as the learner sees the cell (In[2], line 1 is %%demo)
    assert "Cell In[2], line 7" in text and "----> 7 f()" in text
    # the cell still fails, so "Run All" stops there, with one line saying so
    assert [len(o.traceback) for o in errors(demo)] == [len(tracebacks[0].traceback), 1]
    assert "stopped at the error above" in errors(demo)[1].traceback[0]
    assert after.outputs[0].text == "next\n"  # (allow_errors runs on; the demo cell's status is error)


def test_failing_check_shows_expected_and_got_first_then_the_learners_line():
    (cell,) = run_in_release(['gradients = {"dWaa": np.full((5, 5), 14.86)}\n'
                              'check_close("dWaa[1, 2]", gradients["dWaa"][1, 2], 10.0)'])
    (error,) = errors(cell)
    # the kind of mistake in brackets, as the grader's feedback names it (grader/kinds.py)
    said = "dWaa[1, 2]: expected 10.0, got 14.86 [different values]"
    assert error.ename == "AssertionError" and error.evalue == said
    lines = [ANSI.sub("", line) for line in error.traceback]
    assert lines == [f"AssertionError: {said}",
                     'Cell In[2], line 2: check_close("dWaa[1, 2]", gradients["dWaa"][1, 2], 10.0)']


def test_release_hidden_test_cells_print_nothing():
    nb = notebooks.read(os.path.join(RELEASE, "dinosaur_island.ipynb"))
    hidden = [c for c in nb.cells if (c.metadata.get("nbgrader", {}).get("grade_id") or "").endswith("_hidden")]
    assert hidden
    for c in hidden:
        assert all(line.startswith("#") for line in c.source.strip().splitlines()), c.source
        assert "autograder runs them" in c.source



def test_figure_of_the_trained_model_waits_for_the_full_run():
    """Before the full training run, a figure cell says what to do instead of drawing stale parameters."""
    figure = "%%demo needs trained_parameters\nprint('drawn')"
    _, before, _, after = run_in_release(["parameters = {'Waa': 1}  # left over from a demo", figure,
                                          "trained_parameters = {}  # what the full run makes", figure])
    assert [o.output_type for o in before.outputs] == ["stream"]
    assert "Implement model() in Exercise 4" in before.outputs[0].text and "drawn" not in before.outputs[0].text
    assert after.outputs[0].text == "drawn\n"
