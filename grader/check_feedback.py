"""Fail when generated feedback shows any hidden-test source.

Every line of code inside a `### BEGIN HIDDEN TESTS` region of the instructor notebook (blank lines,
comments and lines too short to be telling left out) is looked for among the lines of each feedback
HTML file, after tags are removed and entities decoded (syntax highlighting splits code into spans).

usage: python -m grader.check_feedback FEEDBACK_DIR
"""

import html
import os
import re
import sys

from course import notebooks
from course.assignments import ASSIGNMENTS, source_notebook

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
COMMENT = re.compile(r"\s+#[^'\"]*$")


def _norm(line):
    """A code line without surrounding blanks, runs of blanks or a trailing comment."""
    return SPACE.sub(" ", COMMENT.sub("", line).strip())


def hidden_lines(assignment):
    """Distinctive code lines of the assignment's hidden tests."""
    notebook, _ = ASSIGNMENTS[assignment]
    nb = notebooks.read(source_notebook(assignment))
    # lines that also stand outside the hidden regions (solutions included: learners write them) are no secret
    visible = {_norm(line) for cell in nb.cells for line in notebooks.HIDDEN.sub("", cell.source).split("\n")}
    lines = set()
    for cell in nb.cells:
        for region in notebooks.regions(cell.source, "HIDDEN TESTS"):
            for line in region.split("\n"):
                line = _norm(line)
                if len(line) >= 16 and not line.startswith("#") and line not in visible:
                    lines.add(line)
    return lines


def learner_lines(notebook_path):
    """Lines the learner wrote (solution cells and cells of their own) in an autograded notebook."""
    if not os.path.exists(notebook_path):
        return set()
    lines = set()
    for cell in notebooks.read(notebook_path).cells:
        meta = notebooks.nbgrader(cell)
        if cell.cell_type == "code" and (meta.get("solution") or not meta.get("grade_id")):
            lines |= {_norm(line) for line in cell.source.split("\n")}
    return lines


def leaks(feedback_dir):
    """List (file, line) pairs of hidden-test lines found in feedback HTML under feedback_dir.

    Lines are compared whole. A hidden-test line that the learner happened to write in their own
    code (feedback shows it as theirs) does not count: it is looked up in the autograded notebook
    beside the feedback folder (<course>/autograded/<student>/<assignment>/).
    """
    found = []
    cache = {}
    course = os.path.dirname(os.path.abspath(feedback_dir))
    for dirpath, _, files in os.walk(feedback_dir):
        assignment = os.path.basename(dirpath)
        if assignment not in ASSIGNMENTS:
            continue
        student = os.path.basename(os.path.dirname(dirpath))
        secret = cache.setdefault(assignment, hidden_lines(assignment))
        for name in files:
            if name.endswith(".html"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    text = html.unescape(TAG.sub("", f.read()))
                shown = {_norm(line) for line in text.split("\n")}
                own = learner_lines(os.path.join(course, "autograded", student, assignment, name[:-5] + ".ipynb"))
                found += [(os.path.join(dirpath, name), line) for line in sorted((secret & shown) - own)]
    return found


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    files = sum(1 for _, _, fs in os.walk(argv[0]) for f in fs if f.endswith(".html"))
    found = leaks(argv[0])
    for path, line in found:
        print(f"error: hidden-test text in {path}: {line!r}", file=sys.stderr)
    if files == 0:
        print(f"error: no feedback HTML under {argv[0]}", file=sys.stderr)
        return 1
    if not found:
        print(f"{files} feedback file(s): no hidden-test text")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
