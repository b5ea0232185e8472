"""A learner whose data file is missing or damaged sees one clear line in the notebook."""

import os
import shutil

import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tools import notebooks

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "release", "dinosaur_island")


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
