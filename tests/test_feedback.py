"""Feedback HTML shows results and messages but no hidden-test source."""

import copy
import html
import os

import nbformat
from nbconvert import HTMLExporter

from tools import check_feedback, notebooks
from tools.nbgrader_ext import HideHiddenTests, LimitOutputSize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rendered_lines(nb):
    body, _ = HTMLExporter().from_notebook_node(nb)
    return {check_feedback._norm(line) for line in html.unescape(check_feedback.TAG.sub("", body)).split("\n")}


def graded_like_the_autograder():
    """The instructor notebook with an AssertionError traceback quoting hidden code in a hidden-test cell."""
    nb = notebooks.read(os.path.join(ROOT, "source", "dinosaur_island", "dinosaur_island.ipynb"))
    cell = notebooks.cells_by_id(nb)["test_sample_hidden"]
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="sample: expected 3, got 4",
                                           traceback=["Traceback", cell.source, "AssertionError: sample: expected 3"])]
    return nb


def test_hidden_lines_are_found_without_the_preprocessor():
    lines = check_feedback.hidden_lines("dinosaur_island")
    shown = rendered_lines(graded_like_the_autograder())
    assert len(lines) > 50 and lines <= shown


def test_hide_hidden_tests_removes_every_hidden_line_and_keeps_the_message():
    nb = graded_like_the_autograder()
    for i, cell in enumerate(nb.cells):
        HideHiddenTests().preprocess_cell(cell, {}, i)
    shown = rendered_lines(nb)
    assert not check_feedback.hidden_lines("dinosaur_island") & shown
    assert "AssertionError: sample: expected 3, got 4" in shown
    assert "# (hidden tests: their code is not shown; their results are below)" in shown


def test_limit_output_size_caps_one_huge_line():
    cell = nbformat.v4.new_code_cell("print('x' * 10**7)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 10**7)]
    out, _ = LimitOutputSize().preprocess_cell(copy.deepcopy(cell), {}, 0)
    assert len(out.outputs[0].text) < 25_000 and "10,000,000 characters" in out.outputs[0].text
