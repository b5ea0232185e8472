"""The feedback page's nbconvert side: an exporter and a preprocessor that make a page that stands alone.

nbgrader's GenerateFeedback renders <course>/autograded/<student>/<assignment>/<notebook>.ipynb with the course's
preprocessors (nbgrader_config.py: GetGrades, HideHiddenTests, FeedbackPage, CSSHTMLHeaderPreprocessor) and the
exporter FeedbackExporter, whose template is grader/templates/charlm_feedback. The page

- runs nothing and loads nothing: no script at all (math is MathML, rendered here with latex2mathml), and a
  Content-Security-Policy that forbids scripts, frames, forms and any request but inline images and styles;
- shows the learner's content cleaned again (grader/sanitize.py; the judge cleaned it already, so this only
  matters for a graded notebook that did not come from this judge);
- embeds the course's figures as data: URIs, read from the course's own release folder (release/<assignment>/),
  only for Markdown the course wrote, never from a learner's files;
- names each score at the top after its exercise ("Exercise 1: clip, visible test");
- lists the submission's review reasons and the grader's notes, read from <course>/results/<assignment>/
  <student>.json (which never holds hidden-test text: grader/check_feedback.py checks every page).
"""

import json
import os
import re

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor

from course import notebooks
from course.assignments import ASSIGNMENTS, release_dir, source_notebook
from grader import sanitize

# the course's templates, and nbgrader's (the feedback template ours extends)
TEMPLATES = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates"),
             os.path.join(os.path.dirname(os.path.abspath(nbgrader.__file__)), "server_extensions", "formgrader",
                          "templates")]
HEADING = re.compile(r"^#{1,3}\s+(?:\d+\.\s+)?(.+?)\s*(?:\(\d+ points?\))?\s*$", re.M)
EXERCISE = re.compile(r"^(Exercise|Problem)\b")
SUBJECT = re.compile(r"\s*(?:#|\"\"\"|\'\'\')\s*([\w /,]+?):")  # the 'clip' of '"""clip: the example'


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter with the course's feedback template (grader/templates/charlm_feedback).

    Configured in nbgrader_config.py as GenerateFeedback's exporter, so its settings never reach the
    formgrader's own exporter."""


class Assignment:
    """What a feedback page needs of an assignment: trusted Markdown, figures, and a name for each test."""

    def __init__(self, name):
        notebook = ASSIGNMENTS[name][0]
        self.folder = os.path.realpath(release_dir(name))
        release = notebooks.read(os.path.join(self.folder, notebook))
        source = notebooks.read(source_notebook(name))
        self.trusted = sanitize.markdown_sources(release)
        self.names = test_names(source, release)
        self._figures = {}

    def figure(self, url, default=""):
        """A data: URI for an image of the release folder named by a relative path, else `default`."""
        if url not in self._figures:
            self._figures[url] = None
            if url and not re.match(r"[a-z][a-z0-9+.-]*:|/", url, re.I):
                path = os.path.realpath(os.path.join(self.folder, url.split("#")[0].split("?")[0]))
                if path.startswith(self.folder + os.sep) and os.path.isfile(path):
                    self._figures[url] = sanitize.data_uri(path)
        return self._figures[url] or default

    get = figure  # the Markdown renderer looks figures up as in a mapping


def test_names(source, release):
    """{grade_id: 'Exercise 1: clip, visible test'} for every test cell: the exercise's heading (with the functions
    the test's first line names, when tests of several functions share the heading) and whether the cell holds
    the hidden tests."""
    hidden = {notebooks.grade_id(c) for c in source.cells if notebooks.regions(c.source, "HIDDEN TESTS")}
    tests, section = [], ""
    for cell in release.cells:
        if cell.cell_type == "markdown":
            for title in HEADING.findall(cell.source):
                if EXERCISE.match(title):
                    section = title.replace("`", "")
            continue
        meta = notebooks.nbgrader(cell)
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            subject = SUBJECT.match(cell.source)
            tests.append((meta["grade_id"], section, subject.group(1).strip() if subject else ""))
    shared = {s for s in {t[1] for t in tests} if len({t[2] for t in tests if t[1] == s}) > 1}
    names = {}
    for gid, section, subject in tests:
        what = section + (f" ({subject})" if section in shared and subject else "")
        kind = "hidden tests" if gid in hidden else "visible test"
        names[gid] = f"{what}, {kind}" if what else kind
    return names


_ASSIGNMENTS = {}


def assignment(name):
    if name not in _ASSIGNMENTS:
        _ASSIGNMENTS[name] = Assignment(name)
    return _ASSIGNMENTS[name]


def read_result(course, assignment_name, student):
    """The result the grader recorded for this submission ({} when there is none or it cannot be read)."""
    path = os.path.join(course, "results", assignment_name, f"{student}.json")
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        return record.get("result") or {} if isinstance(record, dict) else {}
    except (OSError, ValueError):
        return {}


def _strings(values):
    return [str(v) for v in values] if isinstance(values, list) else []


def latex_html(tex):
    """A text/latex output ('$x$', '$$x$$', '\\begin{...}') as MathML."""
    tex = tex.strip()
    for left, right, display in (("$$", "$$", True), ("\\[", "\\]", True), ("$", "$", False), ("\\(", "\\)", False)):
        if tex.startswith(left) and tex.endswith(right) and len(tex) >= len(left) + len(right):
            return sanitize.clean_html(sanitize.mathml(tex[len(left):len(tex) - len(right)], display))
    return sanitize.clean_html(sanitize.mathml(tex, True))


class FeedbackPage(NbGraderPreprocessor):
    """Clean the notebook again, render its Markdown (math as MathML, the course's figures embedded), and put
    the test names, review reasons and notes into resources['charlm'] for the template."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        name, student = info.get("assignment"), info.get("student")
        known = assignment(name) if name in ASSIGNMENTS else None
        trusted = known.trusted if known else set()
        notes = sanitize.clean_notebook(nb, trusted=trusted)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                if cell.source in trusted:
                    page = sanitize.render_markdown(cell.source, figures=known)
                else:
                    page = sanitize.learner_html(cell.source)
                cell.metadata["charlm_html"] = page
            elif cell.cell_type == "code":
                for output in cell.outputs:
                    data = output.get("data", {})
                    if "text/latex" in data and "text/html" not in data:
                        data["text/html"] = latex_html(data["text/latex"])
        path = resources.get("metadata", {}).get("path", "")
        course = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(path)))) if path else ""
        result = read_result(course, name, student) if course and name and student else {}
        resources["charlm"] = {
            "names": known.names if known else {},
            "reasons": _strings(result.get("reasons")),
            "notes": _strings(result.get("notes")) + notes,
        }
        return nb, resources
