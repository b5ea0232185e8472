"""Nothing JupyterLab rewrites on open in the notebooks learners and instructors open (issue 19, point 2).

A notebook whose saved widget state or kernelspec JupyterLab rewrites when it opens it (the widget manager; the
running kernel's spec) opens marked unsaved, and autosave rewrites it. The releases are generated without it
(tools/nbgrader_ext.ClearWidgetState), `make release-check` fails on it (tools/check_release.widget_state),
the workspace gets notebooks without it (tools/workspace.delivered) and `make execute` never stores it.
The browser test (tests/browser/browser_lab.py) opens the notebooks and waits past an autosave.
"""

import glob
import os
import subprocess
import sys

import nbformat

from course.assignments import LAB_FILES
from tools import check_release, nbgrader_ext, workspace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {"model_name": "HTMLModel", "state": {}}},
                                                       "version_major": 2, "version_minor": 0}}


def with_widget_state(src, dst):
    nb = nbformat.read(src, as_version=4)
    nb.metadata["widgets"] = STATE
    nbformat.write(nb, dst)


def test_no_release_source_or_lab_notebook_is_rewritten_on_open():
    paths = glob.glob(os.path.join(ROOT, "release", "*", "*.ipynb")) + \
        glob.glob(os.path.join(ROOT, "source", "*", "*.ipynb")) + \
        [os.path.join(ROOT, rel) for rel in LAB_FILES if rel.endswith(".ipynb")]
    assert paths
    for path in paths:
        assert "widgets" not in nbformat.read(path, as_version=4).metadata, path
        assert check_release.rewritten_on_open(path) == []


def test_release_check_names_a_notebook_with_widget_state(tmp_path):
    path = tmp_path / "lstm_text8.ipynb"
    with_widget_state(os.path.join(ROOT, "release", "lstm_text8", "lstm_text8.ipynb"), path)
    problems = check_release.widget_state(str(path))
    assert len(problems) == 1 and "widget state" in problems[0] and "1 widget(s)" in problems[0]


def test_release_check_names_a_kernelspec_the_lab_would_rewrite(tmp_path):
    path = tmp_path / "shakespeare.ipynb"
    nb = nbformat.read(os.path.join(ROOT, "notebooks", "shakespeare.ipynb"), as_version=4)
    nb.metadata.kernelspec.display_name = "Python 3"  # what the lab had: JupyterLab writes "Python 3 (ipykernel)"
    nbformat.write(nb, path)
    problems = check_release.rewritten_on_open(str(path))
    assert len(problems) == 1 and "is not the course kernel's" in problems[0]
    assert check_release.course_kernelspec()["name"] == "python3"


def test_release_generation_clears_widget_state():
    nb = nbformat.v4.new_notebook(metadata={"widgets": STATE, "language": "python"})
    nb, _ = nbgrader_ext.ClearWidgetState().preprocess(nb, {})
    assert "widgets" not in nb.metadata and nb.metadata["language"] == "python"
    code = ("from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
            "print([p.__name__ for p in c.GenerateAssignment.preprocessors])")
    names = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert names.strip().endswith("'ClearWidgetState']") and "'ClearHiddenTests'" in names


def test_workspace_copies_carry_no_widget_state_and_clean_ones_are_byte_identical(tmp_path):
    release = os.path.join(ROOT, "release", "lstm_text8", "lstm_text8.ipynb")
    with open(release, "rb") as f:
        released = f.read()
    assert workspace.delivered(release) == released  # nothing to strip: the very bytes
    dirty = tmp_path / "lstm_text8.ipynb"
    with_widget_state(release, dirty)
    cleaned = workspace.delivered(str(dirty))
    assert b'"widgets"' not in cleaned
    assert cleaned == released, "stripping gives back the notebook as nbformat writes it"


def test_make_execute_stores_no_widget_state():
    dry = subprocess.run(["make", "-n", "--no-print-directory", "execute"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "--ExecutePreprocessor.store_widget_state=False" in dry
