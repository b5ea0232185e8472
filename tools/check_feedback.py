"""Fail when generated feedback shows any hidden-test source.

Every line of code inside a `### BEGIN HIDDEN TESTS` region of the instructor notebook (blank lines,
comments and lines too short to be telling left out) is searched for in the text of each feedback
HTML file, after tags are removed and entities decoded (syntax highlighting splits code into spans).

usage: python -m tools.check_feedback FEEDBACK_DIR
"""

import html
import os
import re
import sys

from tools import notebooks
from tools.assignments import ASSIGNMENTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
COMMENT = re.compile(r"\s+#[^'\"]*$")
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)


def _norm(line):
    """A code line without surrounding blanks, runs of blanks or a trailing comment."""
    return SPACE.sub(" ", COMMENT.sub("", line).strip())


def hidden_lines(assignment):
    """Distinctive code lines of the assignment's hidden tests."""
    notebook, _ = ASSIGNMENTS[assignment]
    nb = notebooks.read(os.path.join(ROOT, "source", assignment, notebook))
    # lines that also stand outside the hidden regions (solutions included: learners write them) are no secret
    visible = {_norm(line) for cell in nb.cells for line in HIDDEN.sub("", cell.source).split("\n")}
    lines = set()
    for cell in nb.cells:
        for region in notebooks.regions(cell.source, "HIDDEN TESTS"):
            for line in region.split("\n"):
                line = _norm(line)
                if len(line) >= 16 and not line.startswith("#") and line not in visible:
                    lines.add(line)
    return lines


def leaks(feedback_dir):
    """List (file, line) pairs of hidden-test lines found in feedback HTML under feedback_dir."""
    found = []
    cache = {}
    for dirpath, _, files in os.walk(feedback_dir):
        assignment = os.path.basename(dirpath)
        if assignment not in ASSIGNMENTS:
            continue
        secret = cache.setdefault(assignment, hidden_lines(assignment))
        for name in files:
            if name.endswith(".html"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    text = SPACE.sub(" ", html.unescape(TAG.sub("", f.read())))
                found += [(os.path.join(dirpath, name), line) for line in secret if line in text]
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
