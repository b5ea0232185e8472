"""Fail when generated feedback shows any hidden-test source, or a hidden test says more than its kind.

Every line of code inside a `### BEGIN HIDDEN TESTS` region of the instructor notebook (blank lines,
comments and lines too short to be telling left out) is looked for among the lines of each feedback
HTML file, after tags are removed and entities decoded (syntax highlighting splits code into spans).

Every failed hidden test's message in the course's results (<course>/results/<assignment>/*.json, beside the
feedback folder) must be one of the fixed messages (grader/kinds.py `hidden_parts`: the function, the kind, its
description and hint, the section): none holds a digit outside the function's name and the section's title, nor any
number or long string written in the hidden tests' code (their inputs, sizes, seeds and expected values).

usage: python -m grader.check_feedback FEEDBACK_DIR
"""

import html
import io
import json
import os
import re
import sys
import textwrap
import tokenize

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
    visible = {_norm(line) for cell in nb.cells
               for line in notebooks.without_regions(cell.source, "HIDDEN TESTS").split("\n")}
    lines = set()
    for cell in nb.cells:
        for region in notebooks.regions(cell.source, "HIDDEN TESTS"):
            for line in region.split("\n"):
                line = _norm(line)
                if len(line) >= 16 and not line.startswith("#") and line not in visible:
                    lines.add(line)
    return lines


def hidden_literals(assignment):
    """The literals of the assignment's hidden tests that a message must never hold: numbers (a float, or an
    integer of two digits or more) and strings of 6 characters or more, as written in the code."""
    notebook, _ = ASSIGNMENTS[assignment]
    nb = notebooks.read(source_notebook(assignment))
    found = set()
    for cell in nb.cells:
        for region in notebooks.regions(cell.source, "HIDDEN TESTS"):
            try:
                tokens = list(tokenize.generate_tokens(io.StringIO(textwrap.dedent(region)).readline))
            except (tokenize.TokenError, IndentationError, SyntaxError):
                tokens = []
            for tok in tokens:
                if tok.type == tokenize.NUMBER and ("." in tok.string or "e" in tok.string.lower()
                                                    or len(tok.string.replace("_", "")) >= 2):
                    found.add(tok.string.replace("_", ""))
                elif tok.type == tokenize.STRING and not tok.string.lstrip("rbuRBUfF").startswith(('"""', "'''")):
                    text = tok.string.lstrip("rbuRBUfF")[1:-1]
                    if len(text) >= 6 and "{" not in text:
                        found.add(text)
    return found


def _fixed_texts(assignment, functions):
    """Every text a hidden message may hold by design (descriptions, hints, titles, names)."""
    from grader import kinds

    texts = [hint for _, hint in kinds.KINDS.values()] + [w for ws in kinds.HIDDEN.values() for w in ws]
    texts += [kinds.section_title(assignment, f) for f in functions] + list(functions)
    return texts


def message_leaks(course):
    """(result file, message, why) of every failed hidden test whose message in the course's results is not one
    of the fixed messages, or holds a digit or a literal of the hidden tests' code."""
    from grader import judge, kinds

    found = []
    folder = os.path.join(course, "results")
    for assignment in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if assignment not in ASSIGNMENTS or not os.path.isdir(os.path.join(folder, assignment)):
            continue
        notebook, _ = ASSIGNMENTS[assignment]
        source = notebooks.read(source_notebook(assignment))
        hidden = {c.metadata["nbgrader"]["grade_id"] for c in source.cells
                  if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id")
                  and notebooks.regions(c.source, "HIDDEN TESTS")}
        functions = set(judge.learner_names(source)) | {"the test"} | {
            kinds.subject(c.source) for c in source.cells if c.cell_type == "code"} - {""}
        literals = hidden_literals(assignment)
        fixed = _fixed_texts(assignment, functions)
        for name in sorted(os.listdir(os.path.join(folder, assignment))):
            path = os.path.join(folder, assignment, name)
            if not name.endswith(".json"):
                continue
            with open(path, encoding="utf-8") as f:
                record = json.load(f)
            result = record.get("result") or {}
            cells = result.get("cells") or {}
            for gid, cell in sorted(cells.items()):
                if gid not in hidden or cell.get("outcome") == "passed":
                    continue
                text = str(cell.get("message", ""))
                parts = kinds.hidden_parts(text, assignment, functions)
                if result.get("status") == "graded":  # (else no verdict of the judge's: the reason it has none)
                    if parts is None:
                        found.append((path, text, f"{gid}: not one of the fixed hidden-test messages"))
                        continue
                    said = text.removeprefix(parts["function"]).replace(parts["section"] or "\0", "")
                    if re.search(r"\d", said):  # (a name such as char2id, a title such as "3. Exercise 1")
                        found.append((path, text, f"{gid}: a digit outside the function's name and the section's "
                                                  f"title"))
                for literal in sorted(literals):
                    if re.search(rf"(?<![\w.]){re.escape(literal)}(?![\w])", text) and \
                            not any(literal in t for t in fixed):
                        found.append((path, text, f"{gid}: holds the hidden tests' literal {literal!r}"))
    return found


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
    found += [(path, f"{why}: {text}") for path, text, why in message_leaks(course)]
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
