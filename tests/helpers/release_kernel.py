"""Run cells of a released notebook in a real kernel, in its release folder (what a learner runs), and read their
outputs back: for the tests of the one-line waits of demo cells whose exercise is not written yet."""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_release(assignment, cells, monkeypatch=None, progress="off"):
    """Run cells (a grade_id of the release notebook, or source text) in a kernel in the release folder."""
    import nbformat
    from nbclient import NotebookClient

    from course import notebooks

    folder = os.path.join(ROOT, "release", assignment)
    nb = notebooks.read(os.path.join(folder, f"{assignment}.ipynb"))
    by_id = notebooks.cells_by_id(nb)
    nb.cells = [by_id[c] if c in by_id else nbformat.v4.new_code_cell(c) for c in cells]
    if monkeypatch is not None:
        monkeypatch.setenv("CHARLM_PROGRESS", progress)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": folder}}).execute()
    return nb.cells


def outputs(cell):
    """(type, text) of a cell's outputs; consecutive stream pieces joined (a busy kernel may flush a line in two)."""
    merged = []
    for o in cell.outputs:
        kind = "stream" if o.get("name") == "stdout" else o.get("name") or o.output_type  # stdout, stderr, ...
        if kind == "stream" and merged and merged[-1][0] == "stream":
            merged[-1] = ("stream", merged[-1][1] + o.text)
        else:
            merged.append((kind, o.get("text", "")))
    return merged
