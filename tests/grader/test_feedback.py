"""Feedback HTML shows results and messages but no hidden-test source; what a learner's notebook puts in front of a
browser is made safe and bounded (grader/sanitize.py); each student's page is bounded in time and size."""

import base64
import copy
import html
import os
import re
import time

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from course import notebooks
from grader import check_feedback, sanitize
from grader import specs as submissions
from tools.nbgrader_ext import HideHiddenTests, LimitOutputSize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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


# ---------------------------------------------------------------------------------------------------------------
# learner content made safe for a browser (grader/sanitize.py)

# what must never reach a page from a learner: active or loading elements, handlers, URLs that run or load
ACTIVE = re.compile(r"<\s*(script|iframe|object|embed|form|meta|base|svg|link|style)\b|\son\w+\s*="
                    r"|=\s*[\"']?\s*(javascript|vbscript|data:text)|\ssrc(set)?=\"(?!data:image/)"
                    r"|\shref=\"(?!https?:|#|mailto:)", re.I)
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "<iframe src=\"javascript:parent.__pwned=1\"></iframe><object data=\"x.swf\"></object><embed src=\"x\">",
    "<a href=\"javascript:window.__pwned=1\">a</a><a href=\"JaVa&#115;cript:window.__pwned=1\">b</a>",
    "<a href=\"data:text/html,<script>1</script>\">c</a><a href=\" javascript:1\">d</a>",
    "<svg onload=\"window.__pwned=1\"><script>1</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned=1\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=http://127.0.0.1:9/\"><base href=\"http://127.0.0.1:9/\">",
    "<form action=\"http://127.0.0.1:9/\"><button formaction=\"javascript:1\">go</button></form>",
    "<div style=\"background-image: url(http://127.0.0.1:9/x.png)\">bg</div><link rel=stylesheet href=\"/x.css\">",
    "<details open ontoggle=\"window.__pwned=1\"><summary>s</summary></details>",
    "<img src=\"http://127.0.0.1:9/pixel.png\"><img src=\"/files/x.png\">",
    "<img src=\"data:text/html;base64,PHNjcmlwdD4=\"><img srcset=\"http://127.0.0.1:9/a.png 2x\">",
]
MARKDOWN_PAYLOADS = [
    "[click](javascript:window.__pwned=1)",
    "[ref][r]\n\n[r]: javascript:window.__pwned=1",
    "<javascript:window.__pwned=1>",
    "![img](javascript:window.__pwned=1) ![x](http://127.0.0.1:9/pixel.png)",
    "[d](data:text/html;base64,PHNjcmlwdD4=) and [v](vbscript:msgbox)",
    "*emphasis* <script>window.__pwned=1</script>\n\n<img src=x onerror=alert(1)>",
]


def test_clean_html_removes_everything_active():
    for payload in PAYLOADS:
        assert not ACTIVE.search(sanitize.clean_html(payload)), payload


def test_clean_html_keeps_harmless_formatting():
    table = ('<table border="1" class="dataframe"><thead><tr><th>a</th></tr></thead>'
             '<tbody><tr><td colspan="2">1</td></tr></tbody></table>')
    assert sanitize.clean_html(table) == table
    bar = ('<div class="charlm-progress"><progress value="3" max="10" style="width: 16em; vertical-align: middle">'
           '</progress> <code>3/10</code></div>')
    kept = sanitize.clean_html(bar)
    assert '<progress value="3" max="10" style="width:16em;vertical-align:middle">' in kept and "<code>3/10" in kept
    image = '<img src="data:image/png;base64,iVBORw0KGgo=" alt="plot" width="40">'
    assert sanitize.clean_html(image) == image
    assert 'href="https://numpy.org"' in sanitize.clean_html('<a href="https://numpy.org">numpy</a>')
    mathml = sanitize.mathml(r"x^{\langle t \rangle}", False)
    assert sanitize.clean_html(mathml).startswith("<math") and "<msup>" in sanitize.clean_html(mathml)


def test_markdown_links_are_judged_after_rendering():
    for text in MARKDOWN_PAYLOADS:
        assert not sanitize.is_plain(text), text
        out = sanitize.learner_html(text)
        assert not ACTIVE.search(out), (text, out)
        assert out.startswith('<div class="charlm-markdown">') and "\n" not in out
        # in the formgrader, nbconvert renders the stored cell again: one HTML block, passed through unchanged
        assert markdown2html_mistune(out).strip() == out
    assert "<em>emphasis</em>" in sanitize.learner_html(MARKDOWN_PAYLOADS[-1])


def test_plain_markdown_is_kept_and_renders_nothing_active():
    for text in ["Just *text*, `code` and **bold**.", "javascript:window.__pwned=1 (not a link)",
                 "https://example.org/x and www.example.org", "| a | b |\n|---|---|\n| 1 | &lt;script&gt; |",
                 "# Heading\n\n- a list\n- [ ] a task\n\n    indented code"]:
        cell = nbformat.v4.new_markdown_cell(text)
        sanitize.clean_markdown_cell(cell, set(), 0)
        assert cell.source == text
        assert not ACTIVE.search(markdown2html_mistune(text)), text


def test_the_course_markdown_is_trusted_and_a_learner_copy_of_raw_html_is_not():
    release = notebooks.read(os.path.join(ROOT, "release", "dinosaur_island", "dinosaur_island.ipynb"))
    trusted = sanitize.markdown_sources(release)
    course_cell = next(c for c in release.cells if c.cell_type == "markdown" and "](figures/" in c.source)
    nb = nbformat.v4.new_notebook(cells=[copy.deepcopy(course_cell), nbformat.v4.new_markdown_cell(
        course_cell.source + "\n<script>window.__pwned=1</script>")])
    sanitize.clean_notebook(nb, trusted)
    assert nb.cells[0].source == course_cell.source
    assert "<script" not in nb.cells[1].source and "figures/" not in nb.cells[1].source.split("<p>")[-1]


def test_a_380_kb_cell_of_nested_emphasis_is_shown_as_text_at_once():
    n = 380_000 // 6
    text = "*a " * n + "b" + " a*" * n
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text),
                                         nbformat.v4.new_markdown_cell("*a " * 600 + " a*" * 600)])
    t0 = time.monotonic()
    notes = sanitize.clean_notebook(nb)
    for cell in nb.cells:
        markdown2html_mistune(cell.source)  # what the formgrader does with it
        sanitize.learner_html(cell.source)  # what the feedback page does with it
    assert time.monotonic() - t0 < 5
    assert all(c.source.startswith("*(This Markdown cell is shown as text") for c in nb.cells)
    assert "characters, more than the 10,000 rendered" in nb.cells[0].source
    assert "more than 500 emphasis marks" in nb.cells[1].source
    assert notes == ["2 Markdown cell(s) shown as text: too long or too heavily formatted to render"]


def test_images_svg_and_metadata_are_checked():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()
    bad = [{"image/png": '"><script>window.__pwned=1</script>'},
           {"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'},
           {"image/svg+xml": '<svg onload="window.__pwned=1"/>'},
           {"image/svg+xml": '<svg><a href="javascript:1"><circle r="4"/></a></svg>'},
           {"application/javascript": "window.__pwned=1"}]
    for data in bad:
        assert sanitize.clean_output(nbformat.v4.new_output("display_data", data=data)) is None, data
    good = nbformat.v4.new_output("display_data", data={"image/png": png, "image/svg+xml":
                                  '<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><circle r="4"/></svg>'},
                                  metadata={"image/png": {"width": '1" onerror="x', "height": 40},
                                            "filenames": {"image/png": "/etc/passwd"}})
    out = sanitize.clean_output(good)
    assert set(out.data) == {"image/png", "image/svg+xml"} and out.metadata == {"image/png": {"height": 40}}
    md = sanitize.clean_output(nbformat.v4.new_output("display_data", data={"text/markdown": MARKDOWN_PAYLOADS[0]}))
    assert set(md.data) == {"text/html"} and not ACTIVE.search(md.data["text/html"])


def test_metadata_that_templates_print_is_cleaned():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x", metadata={"nbgrader": {"grade_id": '"><script>1</script>', "grade": True}}),
        nbformat.v4.new_raw_cell("<script>window.__pwned=1</script>", metadata={"raw_mimetype": "text/html"}),
        nbformat.v4.new_markdown_cell("![a](attachment:a.png)", attachments={"a.png": {"image/png": '"><x'}})])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["title"] = "<script>1</script>"
    sanitize.clean_notebook(nb)
    assert "nbgrader" not in nb.cells[0].metadata and "raw_mimetype" not in nb.cells[1].metadata
    assert "attachments" not in nb.cells[2] and "<x" not in nb.cells[2].source
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert "<script>window.__pwned" not in body  # the raw cell shows as text


def big_cell():
    """One cell of 20 outputs x 3 types x 1.9 MB (114 MB in all), as issue 17 measured."""
    blob = "x" * 1_900_000
    cell = nbformat.v4.new_code_cell("for i in range(20): display(...)")
    return cell, [nbformat.v4.new_output("display_data", data={"text/plain": blob, "text/html": blob,
                                                                "text/markdown": blob}) for _ in range(20)]


def test_outputs_are_capped_per_notebook_with_a_note_where_they_were_cut():
    cell, outputs = big_cell()
    store = sanitize.NotebookOutputs()
    store[0] = outputs
    test = nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade": True, "grade_id": "test_clip", "points": 2}})
    test.outputs = [nbformat.v4.new_output("stream", name="stdout", text="test_clip: passed (2 of 2 points)\n")]
    later = nbformat.v4.new_code_cell("print(1)")
    store[2] = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.outputs, later.outputs = store[0], store[2]
    nb = nbformat.v4.new_notebook(cells=[cell, test, later])
    notes = store.notes + sanitize.clean_notebook(nb)
    size = len(nbformat.writes(nb))
    assert 2 * 3_800_000 <= size < sanitize.MAX_NOTEBOOK_OUTPUT + 10_000, size  # whole outputs, up to the cap
    assert sanitize.is_cut_note(cell.outputs[-1]) and sanitize.is_cut_note(later.outputs[0])
    assert test.outputs[0].text.startswith("test_clip: passed")
    assert notes == ["outputs cut from cell 1 on: a notebook's outputs are limited to 10,000,000 characters"]
    # a notebook that did not come through the judge's store is capped the same way when feedback is made
    cell2, outputs2 = big_cell()
    cell2.outputs = outputs2
    nb2 = nbformat.v4.new_notebook(cells=[cell2])
    assert sanitize.clean_notebook(nb2) == [
        "outputs of 1 cell(s) cut: a notebook's outputs are limited to 10,000,000 characters"]
    assert len(nbformat.writes(nb2)) < sanitize.MAX_NOTEBOOK_OUTPUT * 1.05


# ---------------------------------------------------------------------------------------------------------------
# the feedback page (grader/feedback.py, grader/feedback_page.py), made by nbgrader in the grader's child processes

REASON = "intake: this is not this assignment's notebook (6 of 8 graded cells missing)"


def make_course(course, students, assignment="dinosaur_island", notebook=None, result=None):
    """A course folder as `python -m grader grade` leaves it: gradebook, results and autograded notebooks."""
    from grader import gradebook, store

    course = str(course)
    os.makedirs(course, exist_ok=True)
    url = gradebook.db_url(course)
    gradebook.ensure_assignment(course, assignment, url, {})
    nb = notebook or submissions.build(assignment, "solution", [])
    records = {}
    for student in students:
        cells = {gid: {"points": 1.0, "max_points": 2.0, "outcome": "failed",
                       "message": failure_message(assignment, gid)} for gid in judge_points(assignment)}
        res = result or {"status": "graded", "score": float(len(cells)), "max_score": 2.0 * len(cells),
                         "cells": cells, "flagged": True, "reasons": [REASON], "notes": ["intake: a note"]}
        records[student] = {"key": student, "id": student + "-1", "has_notebook": True, "result": res}
        store.write_json(store.result_path(course, assignment, student), records[student])
        store.write_atomic(store.autograded_path(course, assignment, student), nbformat.writes(nb))
    with gradebook.open_gradebook(url) as gb:
        gradebook.sync(gb, assignment, records, {})
    return course, url


def failure_message(assignment, gid):
    """What the judge says of a failed cell: a visible test its values, a hidden one its fixed message."""
    from grader import kinds
    from grader.judge import Assignment

    a = Assignment(assignment)
    if gid not in a.hidden:
        return f"{gid}: expected 3, got 4"
    what = kinds.KINDS[kinds.Kind.VALUES][0]
    return kinds.message(kinds.Failure(kinds.Kind.VALUES, a.subjects[gid], what), True, assignment)


def judge_points(assignment):
    from grader.judge import Assignment

    return Assignment(assignment).points


def page(course, student, assignment="dinosaur_island"):
    from grader import feedback

    with open(feedback.page_path(course, assignment, student), encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("feedback") / "course", ["s1", "a1", "a2", "a3", "a4", "b1"])


def test_a_feedback_page_stands_alone_and_names_its_scores(course):
    from grader import feedback

    course, url = course
    assert feedback.generate(course, "dinosaur_island", url, ["s1"]) == {}
    text = page(course, "s1")
    assert "<script" not in text and "Content-Security-Policy" in text and "default-src 'none'" in text
    bare = re.sub(r'"data:[^"]*"', "", text)  # what loads from elsewhere: a src, a stylesheet, MathJax
    assert not re.search(r"src=\"(?!data:)|<link\b|@import|mathjax|cdnjs", bare, re.I)
    assert text.count('src="data:image/png;base64,') == 2 and 'src="figures/' not in text  # both diagrams
    assert text.count("<math") > 5 and "$x^{" not in text
    assert ">Exercise 1: clip, visible test</a> (Score: 1.0 / 2.0)" in text
    assert ">Exercise 4: model, hidden tests</a>" in text and ">Test cell</a>" not in text
    assert REASON in html.unescape(text) and "Flagged for the instructor" in text
    assert check_feedback.leaks(os.path.join(course, "feedback")) == []


def test_a_page_that_cannot_be_made_in_time_is_a_plain_page_and_the_others_are_made(course):
    from grader import feedback

    course, url = course
    # no page is rendered in a millisecond: each renderer is killed, the next student gets a new one
    slow = feedback.generate(course, "dinosaur_island", url, ["a1", "a4"], timeout=0.001)
    assert sorted(slow) == ["a1", "a4"] and slow["a1"].startswith("rendering took longer than 0.001 s")
    plain = page(course, "a1")
    assert "could not be made (rendering took longer than 0.001 s)" in plain and "<script" not in plain
    assert "Exercise 2: sample, hidden tests" in plain and "expected 3, got 4" in plain
    assert REASON in html.unescape(plain)
    assert feedback.generate(course, "dinosaur_island", url, ["a2", "a3"], workers=1) == {}
    assert "Content-Security-Policy" in page(course, "a2") and "<math" in page(course, "a3")
    assert check_feedback.leaks(os.path.join(course, "feedback")) == []


def test_a_page_too_large_is_replaced_by_a_plain_page(course, monkeypatch):
    from grader import feedback

    course, url = course
    monkeypatch.setattr(feedback, "MAX_PAGE", 10_000)
    errors = feedback.generate(course, "dinosaur_island", url, ["b1"])
    assert errors["b1"].startswith("the page came out at") and "more than the 10,000 allowed" in errors["b1"]
    assert "could not be made (the page came out at" in page(course, "b1")


def test_text_with_lone_surrogates_can_be_written():
    bad = "caf\udce9 \ud800"
    out = sanitize.clean_output(nbformat.v4.new_output("stream", name="stdout", text=bad))
    assert out.text == "caf\\udce9 \\ud800"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(bad), nbformat.v4.new_code_cell(bad)])
    nb.cells[1].outputs = [nbformat.v4.new_output("error", ename=bad, evalue=bad, traceback=[bad]),
                           nbformat.v4.new_output("display_data", data={"text/plain": bad, "text/html": bad})]
    sanitize.clean_notebook(nb)
    nbformat.writes(nb).encode("utf-8")  # no UnicodeEncodeError
