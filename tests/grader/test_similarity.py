"""grader.similarity: disguised copies are paired, the release never is, different honest solutions are not; the
page is static and escaped; the report is deterministic and recomputed only when something changed."""

import ast
import difflib
import glob
import hashlib
import io
import itertools
import json
import os
import subprocess
import sys
import time
import tokenize
import uuid
from html.parser import HTMLParser

import pytest

from course import notebooks
from course.assignments import ASSIGNMENTS, ROOT
from grader import similarity, store
from grader import specs as submissions
from grader.similarity import Options

OPTIONS = Options()


# ---------------------------------------------------------------------------------------------------------------
# what a learner hiding a copy does, and the corpora

def disguise(code, keep=(), tag="my"):
    """A copy of code as a learner hiding it would make it: every name it binds renamed (those in keep, the
    names the tests call, stay), its comments replaced, its spacing changed, and the functions it defines besides
    those in keep (its helpers) moved to the end in reverse order."""
    tree = ast.parse(code)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    bound = {n for n in bound - set(keep) - {"self", "cls"} if not n.startswith("__")}
    rename = {name: f"{tag}_{name[::-1].lower()}_{i}" for i, name in enumerate(sorted(bound))}
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        kind, text = tok.type, tok.string
        if kind == tokenize.NAME and text in rename and not (previous is not None and previous.string == "."):
            text = rename[text]
        elif kind == tokenize.COMMENT:
            text = "# my own note"
        elif kind == tokenize.OP and text == ",":
            text = " ,  "
        out.append((kind, text))
        if kind not in (tokenize.NL, tokenize.COMMENT):
            previous = tok
    text = tokenize.untokenize(out)
    lines = text.split("\n")
    blocks = []
    for node in ast.parse(text).body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        helper = isinstance(node, ast.FunctionDef) and node.name not in keep
        blocks.append((helper, "\n".join(lines[first:node.end_lineno])))
    ordered = [b for h, b in blocks if not h] + [b for h, b in blocks if h][::-1]
    return "\n\n\n# rewritten\n".join(ordered) + "\n"


def defined_names(release_source):
    """The functions and classes a released cell defines (the tests call them: a copier keeps them)."""
    return [n.name for n in ast.walk(ast.parse(release_source)) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def solution_sources(nb):
    return {notebooks.grade_id(c): c.source for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def built(spec):
    assignment, base, edits = submissions.parse(spec)
    return submissions.build(assignment, base, edits)


def honest(assignment):
    """{spec name: {grade_id: source}} of the correct solutions in grader_tests: valid/ and samples/*_solution."""
    specs = sorted(glob.glob(os.path.join(ROOT, "grader_tests", "valid", f"{assignment}_*.py")))
    specs.append(os.path.join(ROOT, "grader_tests", "samples", f"{assignment}_solution.py"))
    return {os.path.basename(spec)[:-3]: solution_sources(built(spec)) for spec in specs}


def one_solution_edited(a, b):
    """True when most lines of the shorter solution are lines of the other, in order: one solution with a few
    edits (the valid corpus has such variants of the reference solution, e.g. a `model` that shuffles its argument
    in place, or the reference without its docstring), not two different ways of solving the exercise."""
    a, b = [line.strip() for line in a.splitlines() if line.strip()], [line.strip() for line in b.splitlines()
                                                                          if line.strip()]
    kept = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return kept >= 0.6 * min(len(a), len(b))


def release_sources(assignment):
    return solution_sources(notebooks.read(os.path.join(ROOT, "release", assignment, ASSIGNMENTS[assignment][0])))


# ---------------------------------------------------------------------------------------------------------------
# the bars

@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_disguised_copies_are_paired_honest_solutions_are_not(assignment):
    """Every distinct correct solution of every cell, and a disguised copy of each: each copy is paired with its
    original, and no two different solutions are paired with each other."""
    release = similarity.release_cells(assignment)
    plate = similarity.boilerplate(assignment, OPTIONS)
    solutions = honest(assignment)
    compared, highest = 0, (0.0, None)
    for gid, released in release.items():
        originals = {}
        for name, cells in solutions.items():
            if gid in cells:  # (a valid notebook may hold its solutions in other cells: grader_tests/valid/*_one_*)
                originals.setdefault(cells[gid], name)
        sources = {}
        for n, (code, name) in enumerate(sorted(originals.items(), key=lambda kv: kv[1])):
            copy = disguise(code, keep=defined_names(released), tag=f"v{n}")
            assert copy != code
            sources[f"{name}"] = code
            sources[f"{name}~copy"] = copy
        cell = similarity.analyse_cell(gid, released, sources, plate, OPTIONS)
        learner = {i: t.learners[0] for i, t in enumerate(cell.texts)}
        pairs = {(learner[m.a], learner[m.b]): m.score for m in cell.matches}
        for text in cell.texts:
            name = text.learners[0]
            if name.endswith("~copy") or text.cell is None:
                continue
            compared += 1
            assert (name, name + "~copy") in pairs, f"{gid}: the disguised copy of {name} is not paired"
        def different(a, b, sources=sources):  # two different solutions (not a copy, not one with a small edit)
            a, b = a.split("~")[0], b.split("~")[0]
            return a != b and not one_solution_edited(sources[a], sources[b])

        for (a, b), score in pairs.items():
            assert not different(a, b), f"{gid}: different solutions {a} and {b} paired ({score:.2f})"
        for a, b in itertools.combinations(cell.texts, 2):
            if a.cell and b.cell and different(a.learners[0], b.learners[0]):
                score = similarity.compare(a.cell, b.cell)[0]
                highest = max(highest, (score, f"{gid}: {a.learners[0]} / {b.learners[0]}"), key=lambda h: h[0])
    assert compared >= len(release) // 2, f"only {compared} solutions had enough code of their own to compare"
    # the margin the threshold was chosen with (module docstring): honest solutions stay well below it
    assert highest[0] < OPTIONS.threshold - 0.1, f"highest score of two different honest solutions: {highest}"


def test_helpers_renamed_and_reordered_are_paired():
    """A solution with helper functions of its own, and a copy with the helpers renamed, reordered, re-commented."""
    mine = '''def _step(Wax, Waa, Wya, b, by, x, a_prev):
    """One step of the RNN."""
    a = np.tanh(Wax @ x + Waa @ a_prev + b)   # (n_a, 1)
    return a, softmax(Wya @ a + by)


def _draw(p, vocab_size, seed, counter):
    np.random.seed(counter + seed)
    return int(np.random.choice(np.arange(vocab_size), p=p.ravel()))


def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size = by.shape[0]
    n_a = Waa.shape[1]
    newline = char_to_ix["\\n"]
    indices = []
    idx = -1  # anything but the newline
    counter = 0
    x, a_prev = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    while idx != newline and counter != 50:
        a_prev, y = _step(Wax, Waa, Wya, b, by, x, a_prev)
        idx = _draw(y, vocab_size, seed, counter)
        indices.append(idx)
        x = np.eye(vocab_size)[:, [idx]]
        seed, counter = seed + 1, counter + 1
    if counter == 50:
        indices.append(newline)
    return indices
'''
    copy = disguise(mine, keep=["sample"])
    assert copy.index("def sample") < copy.index("_pets")   # the helpers now come after sample, renamed
    cell = similarity.analyse("dinosaur_island", {"alice": {"sample": mine}, "bob": {"sample": copy}}).cells[1]
    assert cell.grade_id == "sample" and len(cell.matches) == 1
    assert cell.matches[0].score >= 0.9, cell.matches[0]


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS))
def test_release_alone_is_never_paired(assignment):
    """The untouched release, the release with its stubs deleted and the release with its given lines renamed and
    reformatted have no code of their own: never compared, so never paired, with each other or with a solution."""
    release = release_sources(assignment)
    solution = solution_sources(built(os.path.join(ROOT, "grader_tests", "samples", f"{assignment}_solution.py")))
    stubless = {gid: "\n".join(line for line in src.split("\n") if "NotImplementedError" not in line
                               and "YOUR CODE HERE" not in line) for gid, src in release.items()}
    renamed = {gid: disguise(src, keep=defined_names(src)) for gid, src in release.items()}
    sources = {"r1": release, "r2": dict(release), "r3": dict(release), "s1": stubless, "s2": dict(stubless),
               "n1": renamed, "solution": solution}
    found = similarity.analyse(assignment, sources)
    kept_given = {"r1", "r2", "r3", "s1", "s2", "n1"}
    for cell in found.cells:
        assert kept_given <= set(cell.short), f"{cell.grade_id}: {kept_given - set(cell.short)} compared"
    assert not [pair for pair, _ in found.pairs if set(pair) & kept_given]


def test_report_end_to_end(tmp_path):
    """Through the course folder: the copy and its original in the summary's section and the page, the release
    nowhere; the rest of the summary kept."""
    course = course_with(tmp_path, "dinosaur_island", {
        "alice": solved("dinosaur_island"), "bob": solved("dinosaur_island", disguised=True),
        "carol": released("dinosaur_island"), "dave": released("dinosaur_island")})
    page = similarity.report(str(course), "dinosaur_island")
    assert page == str(course / "summary" / "dinosaur_island-similarity.html")
    summary = (course / "summary" / "dinosaur_island.md").read_text(encoding="utf-8")
    assert summary.startswith("# dinosaur_island: class summary\n\nthe rest of the summary\n")
    part = summary[summary.index("## Similar solutions"):]
    assert "[dinosaur_island-similarity.html](dinosaur_island-similarity.html)" in part
    assert "| `alice`, `bob` | sample 1.00, model 1.00 |" in part, part
    assert "carol" not in part and "dave" not in part
    with open(page, encoding="utf-8") as f:
        text = f.read()
    assert "alice, bob" in text and "carol" not in text.split("Cell clip")[0]


# ---------------------------------------------------------------------------------------------------------------
# the page holds no active content

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table", "tr", "th", "td",
                "a", "div", "pre", "span"}
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "href"}


class Inventory(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.hrefs, self.ids = set(), set(), [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add(name)
            if name == "href":
                self.hrefs.append(value)
            if name == "id":
                self.ids.add(value)


def test_page_escapes_learner_code_and_has_no_active_content(monkeypatch):
    attack = '''def clip(gradients, maxValue):
    """</pre><script>alert(1)</script>"""
    bad = "<img src=x onerror=alert(2)>"  # </span><a href="javascript:alert(3)">x</a>
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        g = gradients[name]
        g[...] = np.where(g > maxValue, maxValue, np.where(g < -maxValue, -maxValue, g))
        gradients[name + "_" + bad[:0]] = g.copy()
    return gradients
'''
    learners = {"<b>eve</b>": {"clip": attack}, "mallory": {"clip": attack.replace("bad", "worse")},
                "trent": {"clip": attack.replace("name", "key")}}
    found = similarity.analyse("dinosaur_island", learners)
    assert len(found.pairs) == 3 and len(found.cells[0].matches) == 3
    monkeypatch.setattr(similarity, "MAX_BLOCKS", 2)   # the third match is not shown: its link goes to the cell
    page = similarity.render(found, "0" * 64, {"<i>x</i>": "graded notebook unreadable"})
    inventory = Inventory()
    inventory.feed(page)
    assert inventory.tags <= ALLOWED_TAGS, inventory.tags - ALLOWED_TAGS
    assert inventory.attrs <= ALLOWED_ATTRS, inventory.attrs - ALLOWED_ATTRS
    assert inventory.hrefs and all(h.startswith("#") and h[1:] in inventory.ids for h in inventory.hrefs)
    assert "#c0" in inventory.hrefs and "Not shown here: 1 more in this cell" in page
    assert "default-src 'none'" in page and "<script" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;eve&lt;/b&gt;" in page


# ---------------------------------------------------------------------------------------------------------------
# the course folder: deterministic, incremental, clear errors

def solved(assignment, disguised=False):
    cells = solution_sources(built(os.path.join(ROOT, "grader_tests", "samples", f"{assignment}_solution.py")))
    release = release_sources(assignment)
    return {gid: disguise(src, keep=defined_names(release[gid])) if disguised else src for gid, src in cells.items()}


def released(assignment):
    return release_sources(assignment)


def course_with(tmp_path, assignment, learners, summary=True):
    """A course folder as `python -m grader grade` leaves it, for the learners' solution cells given."""
    course = tmp_path / "course"
    template = notebooks.read(os.path.join(ROOT, "release", assignment, ASSIGNMENTS[assignment][0]))
    for learner, cells in learners.items():
        nb = json.loads(json.dumps(template))
        for cell in nb["cells"]:
            gid = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
            if gid in cells:
                cell["source"] = cells[gid]
        text = json.dumps(nb)
        store.write_atomic(store.autograded_path(str(course), assignment, learner), text)
        record = {"key": hashlib.sha256(text.encode()).hexdigest(), "id": uuid.uuid4().hex, "has_notebook": True,
                  "result": {"student": learner, "assignment": assignment, "status": "graded", "cells": {}}}
        store.write_json(store.result_path(str(course), assignment, learner), record)
    if summary:
        store.write_atomic(str(course / "summary" / f"{assignment}.md"),
                            f"# {assignment}: class summary\n\nthe rest of the summary\n")
    return course


def run_cli(*args, seed="0"):
    return subprocess.run([sys.executable, "-m", "grader.similarity", *args], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=ROOT, PYTHONHASHSEED=seed), timeout=300)


def outputs(course, assignment):
    folder = course / "summary"
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder)) if not name.startswith(".")}


def with_line_of_its_own(source, n):
    """The source with a line added inside its last function (a near-copy: its score depends on winnowing)."""
    lines = source.rstrip("\n").split("\n")
    last = max(i for i, line in enumerate(lines) if line.lstrip().startswith("return "))
    indent = lines[last][:len(lines[last]) - len(lines[last].lstrip())]
    return "\n".join(lines[:last] + [f"{indent}print('checked', {n} + 1, flush=True)"] + lines[last:]) + "\n"


def test_report_is_deterministic(tmp_path):
    """The same class gives the same bytes in processes with different string hashing (copydetect's own hashes
    would not)."""
    alice = solved("lstm_text8")
    erin = {gid: with_line_of_its_own(src, n) for n, (gid, src) in enumerate(alice.items())}
    learners = {"alice": alice, "bob": solved("lstm_text8", disguised=True), "erin": erin,
                "carol": honest("lstm_text8")["lstm_text8_numpy_idioms"], "dave": released("lstm_text8")}
    course = course_with(tmp_path, "lstm_text8", learners)
    first = run_cli("--course", str(course), "--assignment", "lstm_text8", seed="1")
    assert first.returncode == 0, first.stderr
    before = outputs(course, "lstm_text8")
    (course / "summary" / "lstm_text8-similarity.html").unlink()
    (course / "summary" / "lstm_text8-similarity.md").unlink()
    store.write_atomic(str(course / "summary" / "lstm_text8.md"),
                        "# lstm_text8: class summary\n\nthe rest of the summary\n")
    second = run_cli("--course", str(course), "--assignment", "lstm_text8", seed="2")
    assert second.returncode == 0, second.stderr
    assert outputs(course, "lstm_text8") == before
    assert set(before) == {"lstm_text8.md", "lstm_text8-similarity.html", "lstm_text8-similarity.md"}
    page = before["lstm_text8-similarity.html"].decode()
    near = [line for line in page.split("\n") if line.startswith("<tr><td>alice, erin</td>")]
    assert near and any(f"{s:.2f}</a>" in near[0] for s in (0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88,
                                                             0.89, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97))


def test_report_recomputes_only_what_changed(tmp_path, monkeypatch):
    course = course_with(tmp_path, "dinosaur_island", {
        "alice": solved("dinosaur_island"), "bob": solved("dinosaur_island", disguised=True),
        "carol": released("dinosaur_island")})
    page = similarity.report(str(course), "dinosaur_island")
    before = outputs(course, "dinosaur_island")
    calls = []
    real = similarity.analyse
    monkeypatch.setattr(similarity, "analyse", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert similarity.report(str(course), "dinosaur_island") == page
    assert calls == [] and outputs(course, "dinosaur_island") == before
    # the summary is rewritten by report.write_summary (without the section): the section comes back, no analysis
    store.write_atomic(str(course / "summary" / "dinosaur_island.md"), "# new summary\n")
    similarity.report(str(course), "dinosaur_island")
    summary = (course / "summary" / "dinosaur_island.md").read_text(encoding="utf-8")
    assert calls == [] and summary.startswith("# new summary\n\n<!-- similarity ")
    assert summary.count("## Similar solutions") == 1 and summary.endswith("<!-- /similarity -->\n")
    # a learner graded again: the report is computed again
    path = store.result_path(str(course), "dinosaur_island", "carol")
    with open(path, encoding="utf-8") as f:
        record = json.load(f)
    record["id"] = uuid.uuid4().hex
    store.write_json(path, record)
    similarity.report(str(course), "dinosaur_island")
    assert len(calls) == 1


def test_unreadable_notebook_is_named_the_rest_compared(tmp_path):
    course = course_with(tmp_path, "dinosaur_island", {
        "alice": solved("dinosaur_island"), "bob": solved("dinosaur_island"), "carol": solved("dinosaur_island")})
    with open(store.autograded_path(str(course), "dinosaur_island", "carol"), "w") as f:
        f.write("{ not json")
    with open(similarity.report(str(course), "dinosaur_island"), encoding="utf-8") as f:
        page = f.read()
    assert "Not compared: carol: graded notebook unreadable (JSONDecodeError)" in page
    assert "alice, bob" in page


def test_command_line_errors_are_one_line(tmp_path):
    bad = run_cli("--course", str(tmp_path), "--assignment", "nope")
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "unknown assignment 'nope'" in bad.stderr
    empty = run_cli("--course", str(tmp_path), "--assignment", "dinosaur_island")
    assert empty.returncode == 2 and "no graded dinosaur_island submissions" in empty.stderr
    alone = course_with(tmp_path, "dinosaur_island", {"alice": solved("dinosaur_island")})
    one = run_cli("--course", str(alone), "--assignment", "dinosaur_island")
    assert one.returncode == 0 and "nothing to compare" in one.stdout
    assert not (alone / "summary" / "dinosaur_island-similarity.html").exists()


def test_class_of_200_in_seconds():
    """The class `python -m grader build --size 200` makes from the corpora (the specs cycled), analysed in well
    under the bar of a minute of one core (about 3 s here; bench numbers in the module's report)."""
    specs = sorted(glob.glob(os.path.join(ROOT, "grader_tests", "*", "lstm_text8_*.py")))
    cells = [solution_sources(built(spec)) for spec in specs]
    sources = {f"s{i:05d}": cells[i % len(cells)] for i in range(200)}
    start = time.process_time()
    found = similarity.analyse("lstm_text8", sources)
    seconds = time.process_time() - start
    assert len(found.learners) == 200 and found.pairs
    assert seconds < 60, f"{seconds:.1f} s of CPU for 200 learners"


def test_a_text_that_cannot_be_read_is_named_the_rest_compared(monkeypatch):
    real = similarity.fingerprint

    def fingerprint(code, *args):
        if "BROKEN" in code:
            raise RuntimeError("copydetect 0.5.0: normalised text of 3 characters, 4 expected")
        return real(code, *args)

    monkeypatch.setattr(similarity, "fingerprint", fingerprint)
    solution = solved("dinosaur_island")
    found = similarity.analyse("dinosaur_island", {"alice": solution, "bob": dict(solution),
                                                   "carol": dict(solution, sample="# BROKEN\n" + solution["sample"])})
    sample = found.cells[1]
    assert [t.learners for t in sample.texts if t.error] == [["carol"]] and "carol" not in sample.short
    assert [(sample.texts[m.a].learners, m.score) for m in sample.matches] == [(["alice", "bob"], 1.0)]
    assert "Not compared in this cell: carol: RuntimeError: copydetect 0.5.0" in similarity.render(found, "0" * 64)


def test_grade_command_adds_the_report_to_the_summary(tmp_path):
    """`python -m grader grade` (fake unit) ends with the report: the section in the summary, the page beside it."""
    from tests.helpers.grader_helpers import build_class, grade_args, grader
    subs = build_class(tmp_path / "submitted", 6)   # the specs cycled: s00000 and s00005 are both the solution
    course = tmp_path / "course"
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert f"similarity: {course / 'summary' / 'dinosaur_island-similarity.html'}" in done.stdout
    summary = (course / "summary" / "dinosaur_island.md").read_text(encoding="utf-8")
    assert summary.startswith("# dinosaur_island: class summary")
    part = summary[summary.index("## Similar solutions"):]
    assert "| `s00000_dinosaur_island_solution`, `s00005_dinosaur_island_solution` | sample 1.00, model 1.00 |" in part
    assert "untouched" not in part
    before = outputs(course, "dinosaur_island")
    again = grader(*grade_args(subs, course, "--no-feedback"))
    assert "nothing new or changed" in again.stdout and outputs(course, "dinosaur_island") == before
