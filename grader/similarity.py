"""The class's similarity report: which learners' solution cells share code, for the instructor to look at.

    python -m grader.similarity --course DIR --assignment NAME [--threshold 0.75]
    similarity.report(course, assignment) -> path of the page, or None     (after the summary is written)

For each solution cell of the assignment (the cells nbgrader marks `solution`, by grade_id), the code each learner
wrote there, read from the graded notebooks (`autograded/<student>/<assignment>/<notebook>`), is compared with every
other learner's code in the same cell. Pairs whose shared code is at least `threshold` of the own code of both are
listed in `summary/<assignment>-similarity.html`, cells side by side with the shared code marked, and in a short
section of `summary/<assignment>.md` that links to it (the section alone: `summary/<assignment>-similarity.md`).
This is information for a person: it never changes a grade, never flags a submission, and says nothing about who
wrote what first or why.

What is compared is the learner's own code. The release's code is taken out of the text before it is
fingerprinted: every line whose normalised text is a line of the released cell (signature, docstring, given
lines, `raise NotImplementedError()`; renamed, reformatted or moved, it is still the release's), and within the
other lines every run of `given_k` normalised characters found in the released cell (a given line partly
edited). Fingerprints that also occur in the release's other code cells or in the helper modules shipped with it
are dropped, as copydetect does with boilerplate. So the untouched release has no code of its own and is never
paired, nor are two learners who kept only the given code. A cell with fewer than `min_own` normalised characters
of its own (about two lines) is not compared: that little code coincides between honest learners.

The library: copydetect 0.5.0 (PyPI, MIT licence, Bryson Lingenfelter), the robust winnowing of Schleimer,
Wilkerson and Aiken (SIGMOD 2003), the algorithm of MOSS, over Pygments' tokens. Its dependencies (numpy,
matplotlib, jinja2, pygments, tqdm) are all in the course's environment already. Last release March 2024, about
120 commits, tests in CI, one maintainer: small and stable rather than busy, which suits a pinned dependency.
Considered and not taken: Dolos (Ghent University, MIT, well kept) is JavaScript and would bring Node into a Python
course for one report; pycode_similar (last release 2020) diffs normalised ASTs and does not winnow; JPlag needs
Java; MOSS itself is a web service, and learners' code does not leave the course's machine. We use copydetect's
`filter_code` (names to V, function names to F, strings to S, comments and spacing dropped), `winnow`,
`get_token_coverage` and `compare_files` (the shared slices and each side's share). Three things we do around it,
each for a reason a test checks:
- copydetect hashes k-grams with Python's `hash()`, salted per process (PYTHONHASHSEED), so its winnowing keeps
  different fingerprints in each run; we hash with blake2b, and the report is the same bytes in every run;
- copydetect drops boilerplate fingerprints after winnowing, which keeps the k-grams that straddle given and own
  code: two learners who only deleted `raise NotImplementedError()` would share them and score 100%. We take the
  release's code out of the text first (above);
- Pygments reads `x@W` (a matrix product without a space after `@`) as a decorator and keeps the name verbatim, so
  a renamed operand would break a match; an `@` inside a line is read as an operator before tokenising.
We also keep, for each normalised character, the source characters behind it (filter_code's offsets are not
exact), and check on every text that our count of normalised characters equals filter_code's.

The parameters (Options) were chosen from measurements on the corpora of grader_tests/ (valid/ and
samples/*_solution: several correct, differently written solutions of each exercise), which
tests/grader/test_similarity.py redoes. k = 25 normalised characters with a window of 6 (guarantee 30):
- different correct solutions of one cell (54 pairs over the three assignments): at most 0.56 (`model` with a
  progress bar added against the plain one; `sample` with its own softmax against the solution, 0.55, and they share
  half their lines verbatim). With k = 20 or 15 (window 1) that pair scores 0.72 and 0.71;
- a copy of each of them (49 with enough code of their own) with every name it binds renamed, its helper functions
  reordered, its comments and spacing changed: 1.00, but one at 0.88 (an import line respaced lexes differently);
  with every function of the cell reordered, the release's too, at least 0.66 (two short functions swapped);
- a copy with one line of its own added: median 0.83, and 10 of 49 below 0.75, all in cells of 60 to 120
  normalised characters (one line among three to six): a k-gram method's limit on short code. The table of learner
  pairs adds up the cells, so a copied notebook still shows in its longer cells.
The threshold 0.75 sits 0.19 above the highest honest pair and below every renamed, reordered, re-commented copy.

Incremental: the report's key (this module's version and parameters, copydetect's version, the release, and the
current grading of each learner) is kept in the page; a run with the same key reads no notebook and only puts the
section back into the summary if report.write_summary rewrote it. Cost (one core): the class of 200 that
`python -m grader build --size 200` makes from the corpora, 2 to 3 s of CPU per assignment; 200 distinct
near-copies in all 13 cells of lstm_text8 (every pair compared, most above the threshold), 22 to 28 s.
The page is static: every text in it is escaped (it shows learners' code), and its Content-Security-Policy
forbids scripts and every load.
"""

import argparse
import dataclasses
import functools
import hashlib
import html
import importlib.metadata
import itertools
import json
import os
import re
import sys
from collections import Counter

import numpy as np
from pygments import token
from pygments.lexers import PythonLexer

from course import notebooks
from course.assignments import ASSIGNMENTS, ROOT, release_notebook

COPYDETECT = importlib.metadata.version("copydetect")   # imported when a report is computed (it loads pyplot)
VERSION = 1                 # of this report's method: a change here recomputes every report
MAX_CELL_CHARS = 20_000     # a cell longer than this is compared on its first MAX_CELL_CHARS characters
MAX_ROWS = 300              # student pairs listed in the page's table (all are counted)
MAX_BLOCKS = 60             # side-by-side comparisons shown per cell (the highest first; all are counted)
SUMMARY_ROWS = 10           # student pairs listed in the summary's section
BEGIN = "<!-- similarity"
END = "<!-- /similarity -->"


@dataclasses.dataclass(frozen=True)
class Options:
    noise: int = 25         # k: the shortest run of normalised code that counts as shared (copydetect's noise_t)
    guarantee: int = 30     # every shared run at least this long is found (winnowing window = guarantee - noise + 1)
    given_k: int = 12       # runs of normalised code this long that occur in the released cell are the release's
    min_own: int = 60       # normalised characters of own code a cell needs to be compared (about two lines)
    threshold: float = 0.75  # a pair is listed when the shared code is at least this share of both cells' own code

    @property
    def window(self):
        return self.guarantee - self.noise + 1


# ---------------------------------------------------------------------------------------------------------------
# one cell of one learner: the code of their own, normalised, and where each normalised character came from

_LEXER = PythonLexer(stripnl=False, ensurenl=False)
_VARIABLE = {token.Name, token.Name.Variable, token.Name.Attribute}


def _tokens(code):
    """[(start, end, type, text)] of every token of the code."""
    return [(start, start + len(text), ttype, text) for start, ttype, text in _LEXER.get_tokens_unprocessed(code)]


def _width(ttype, text):
    """How many characters copydetect.utils.filter_code writes for one token (0: whitespace and comments)."""
    if ttype in _VARIABLE or ttype in token.Name.Function or ttype in token.Name.Class:
        return 1
    if ttype == token.Comment.Preproc or ttype == token.Comment.Hashbang:
        return 1
    if ttype in token.Text or ttype in token.Comment:
        return 0
    if ttype in token.Literal.String:
        return 1
    return len(text)


def _matmul_as_operator(code):
    """The code with every `@` that does not start its line read as an operator (same length, same positions)."""
    return re.sub(r"(?m)(?<=\S)([ \t]*)@", lambda m: m.group(1) + "^", code)


def normalise(code):
    """(copydetect's normalised text of the code, [(start, end)] of the source characters behind each character)."""
    text = _matmul_as_operator(code)
    spans = []
    for start, end, ttype, value in _tokens(text):
        width = _width(ttype, value)
        spans += [(start, end)] * width if width == 1 else [(start + i, start + i + 1) for i in range(width)]
    from copydetect import utils
    filtered, _ = utils.filter_code(text, "cell.py", "python")
    if len(filtered) != len(spans):   # our reading of filter_code no longer matches the library's
        raise RuntimeError(f"copydetect {COPYDETECT}: normalised text of {len(filtered)} characters, "
                           f"{len(spans)} expected; this module reads copydetect 0.5.0's filter_code")
    return filtered, spans


def kgram_hashes(text, k):
    """A 63-bit blake2b hash of every k-gram of text, as copydetect.utils.hashed_kgrams but the same in every run."""
    data = text.encode("utf-32-le")   # one code unit per character, so slices of bytes are slices of text
    return np.array([int.from_bytes(hashlib.blake2b(data[4 * i:4 * (i + k)], digest_size=8).digest(), "big") >> 1
                     for i in range(len(text) - k + 1)], dtype=np.int64)


@dataclasses.dataclass
class Cell:
    """One learner's code in one solution cell, as copydetect.detector.compare_files reads a CodeFingerprint."""

    raw_code: str                 # the cell's source as the learner left it
    filtered_code: str            # their own code, normalised (the release's code taken out)
    spans: list                   # [(start, end)] in raw_code of each character of filtered_code
    given: list                   # [(start, end)] in raw_code of the release's code
    hashes: set                   # winnowed fingerprints, boilerplate dropped
    hash_idx: dict                # fingerprint -> [positions in filtered_code]
    k: int
    token_coverage: int           # characters of filtered_code under some fingerprint
    offsets = np.array([])        # positions are mapped back through spans, not by compare_files


def _lines(text, spans):
    """The normalised text cut where the source's lines begin: [(first, end)] index ranges, one per source line."""
    starts = np.array([start for start, _ in spans], dtype=np.int64)
    newlines = np.array([i for i, c in enumerate(text) if c == "\n"], dtype=np.int64)
    line = np.searchsorted(newlines, starts)   # the source line of each normalised character
    cuts = np.flatnonzero(np.diff(line)) + 1
    bounds = np.concatenate([[0], cuts, [len(spans)]]).tolist()
    return list(zip(bounds[:-1], bounds[1:])) if spans else []


@functools.lru_cache(maxsize=64)
def _released(release, k):
    """(the normalised lines of a released cell, the set of its normalised runs of k characters)."""
    released, spans = normalise(release)
    return (tuple(released[a:b] for a, b in _lines(release, spans)),
            frozenset(released[i:i + k] for i in range(len(released) - k + 1)))


def own_code(code, release, options):
    """(the learner's own code in a cell, normalised; its source spans; the spans of the release's code).

    The release's code, in the learner's cell: every line whose normalised text is that of a line of the released
    cell (as many times as the release has it), so given lines renamed, reformatted or moved count as given; and,
    within the other lines, every run of given_k normalised characters that occurs in the released cell (given
    lines partly edited).
    """
    code = code[:MAX_CELL_CHARS]
    filtered, spans = normalise(code)
    lines, known = _released(release, options.given_k)
    budget = Counter(lines)
    k = options.given_k
    keep = np.ones(len(filtered), bool)
    for a, b in _lines(code, spans):
        if budget[filtered[a:b]] > 0:
            budget[filtered[a:b]] -= 1
            keep[a:b] = False
        else:
            for i in range(a, b - k + 1):
                if filtered[i:i + k] in known:
                    keep[i:i + k] = False
    own = "".join(c for c, kept in zip(filtered, keep) if kept)
    own_spans = [s for s, kept in zip(spans, keep) if kept]
    given = [s for s, kept in zip(spans, keep) if not kept]
    return own, own_spans, given


def fingerprint(code, release, boilerplate, options):
    """The Cell of one learner's code, or None when it has too little code of its own to compare."""
    from copydetect import utils
    own, spans, given = own_code(code, release, options)
    if len(own) < max(options.min_own, options.noise):
        return None
    hashes, idx = utils.winnow(kgram_hashes(own, options.noise), options.window, remove_duplicates=False)
    hash_idx = {}
    for h, i in zip(hashes.tolist(), idx.tolist()):
        if h not in boilerplate:
            hash_idx.setdefault(h, []).append(i)
    return Cell(raw_code=code[:MAX_CELL_CHARS], filtered_code=own, spans=spans, given=sorted(given),
                hashes=set(hash_idx), hash_idx=hash_idx, k=options.noise,
                token_coverage=int(utils.get_token_coverage(hash_idx, options.noise, len(own))))


def _bound(a, b, shared):
    """An upper bound of compare(a, b)'s score: every shared fingerprint covering k characters of its own."""
    def share(cell):
        return min(1.0, cell.k * sum(len(cell.hash_idx[h]) for h in shared) / cell.token_coverage)
    return min(share(a), share(b))


def compare(a, b, threshold=0.0):
    """(score, share of a, share of b, shared slices of a, of b) by copydetect's compare_files; the score is the
    smaller share; slices are [(start, end)] in filtered_code. (0, 0, 0, [], []) when the bound is below threshold."""
    shared = a.hashes & b.hashes
    if not shared or not a.token_coverage or not b.token_coverage or _bound(a, b, shared) < threshold:
        return 0.0, 0.0, 0.0, [], []
    from copydetect import detector
    _, (sa, sb), (slices_a, slices_b) = detector.compare_files(a, b)
    sa, sb = min(1.0, float(sa)), min(1.0, float(sb))
    return (min(sa, sb), sa, sb, list(zip(*np.asarray(slices_a).tolist())),
            list(zip(*np.asarray(slices_b).tolist())))


# ---------------------------------------------------------------------------------------------------------------
# the release and the class

def _release_notebook(assignment):
    return notebooks.read(release_notebook(assignment))


def release_cells(assignment):
    """{grade_id: released source} of the assignment's solution cells, in notebook order."""
    return {notebooks.grade_id(c): c.source for c in _release_notebook(assignment).cells
            if c.cell_type == "code" and notebooks.grade_id(c) and c.metadata["nbgrader"].get("solution")}


def boilerplate(assignment, options):
    """Every k-gram hash of the release's code cells and of the Python helpers shipped with it."""
    texts = [c.source for c in _release_notebook(assignment).cells if c.cell_type == "code"]
    for path in ASSIGNMENTS[assignment][1]:
        if path.endswith(".py"):
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                texts.append(f.read())
    out = set()
    for text in texts:
        out.update(kgram_hashes(normalise(text)[0], options.noise).tolist())
    return out


@dataclasses.dataclass
class Text:
    """One distinct source of one cell, and the learners who have exactly it."""

    source: str
    learners: list
    cell: Cell = None       # None: too little code of its own to compare, or error says why not
    error: str = ""


@dataclasses.dataclass
class Match:
    """Two texts of a cell that share code (a == b: one text several learners have)."""

    a: int                  # index in CellReport.texts
    b: int
    score: float            # the smaller of the two shares
    share_a: float          # of a's own code, the part shared with b
    share_b: float
    slices_a: list          # [(start, end)] of the shared code in a's normalised own code
    slices_b: list


@dataclasses.dataclass
class CellReport:
    grade_id: str
    texts: list             # [Text], ordered by their learners
    matches: list           # [Match] at or above the threshold, highest first
    learners: int           # learners with this cell

    @property
    def short(self):
        return sorted(s for t in self.texts if t.cell is None and not t.error for s in t.learners)


@dataclasses.dataclass
class Analysis:
    assignment: str
    options: Options
    learners: list          # every learner compared, sorted
    cells: list             # [CellReport], in notebook order
    pairs: list             # [((learner, learner), {grade_id: (score, index of the match in its cell)})], ranked


def _clean(source):
    """The source as compared and shown: newlines as \\n, no byte-order mark, at most MAX_CELL_CHARS characters."""
    return source.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")[:MAX_CELL_CHARS]


def marks(cell, slices):
    """Source ranges of the normalised slices of a cell's own code."""
    out = []
    for start, end in slices:
        out += cell.spans[start:end]
    return out


def analyse_cell(grade_id, released, sources, plate, options):
    """The CellReport of one solution cell. sources: {learner: source of that cell}."""
    by_text = {}
    for learner in sorted(sources):
        by_text.setdefault(_clean(sources[learner]), []).append(learner)
    texts = sorted((Text(source, learners) for source, learners in by_text.items()),
                   key=lambda t: (t.learners, t.source))
    groups = {}   # own code -> the texts that have exactly it (a copy with its names changed has the same)
    for i, t in enumerate(texts):
        try:
            t.cell = fingerprint(t.source, released, plate, options)
        except (RuntimeError, ValueError, RecursionError, MemoryError) as e:   # this text alone is not compared
            t.error = f"{type(e).__name__}: {e}"[:300]
        if t.cell is not None:
            groups.setdefault(t.cell.filtered_code, []).append(i)
    matches = []
    for own, group in groups.items():
        whole = [(0, len(own))]
        matches += [Match(i, i, 1.0, 1.0, 1.0, whole, whole) for i in group if len(texts[i].learners) > 1]
        matches += [Match(i, j, 1.0, 1.0, 1.0, whole, whole) for i, j in itertools.combinations(group, 2)]
    firsts = sorted(group[0] for group in groups.values())
    index = {}   # fingerprint -> the groups that have it: only groups that share one are compared
    for i in firsts:
        for h in texts[i].cell.hashes:
            index.setdefault(h, []).append(i)
    candidates = set()
    for having in index.values():
        candidates.update(itertools.combinations(having, 2))
    for i, j in sorted(candidates):
        score, share_i, share_j, slices_i, slices_j = compare(texts[i].cell, texts[j].cell, options.threshold)
        if score >= options.threshold:
            for x, y in itertools.product(groups[texts[i].cell.filtered_code], groups[texts[j].cell.filtered_code]):
                matches.append(Match(x, y, score, share_i, share_j, slices_i, slices_j) if x < y else
                               Match(y, x, score, share_j, share_i, slices_j, slices_i))
    matches.sort(key=lambda m: (-m.score, m.a, m.b))
    return CellReport(grade_id, texts, matches, len(sources))


def analyse(assignment, sources, options=Options()):
    """Compare a class. sources: {learner: {grade_id: source}} (cells a learner lacks are left out)."""
    plate = boilerplate(assignment, options)
    cells = [analyse_cell(gid, released, {s: cells[gid] for s, cells in sources.items() if gid in cells},
                          plate, options)
             for gid, released in release_cells(assignment).items()]
    pairs = {}
    for cell in cells:
        for n, m in enumerate(cell.matches):
            left, right = cell.texts[m.a].learners, cell.texts[m.b].learners
            for s, t in (itertools.combinations(left, 2) if m.a == m.b else itertools.product(left, right)):
                pairs.setdefault(tuple(sorted((s, t))), {})[cell.grade_id] = (m.score, n)
    ranked = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), -sum(v[0] for v in kv[1].values()), kv[0]))
    return Analysis(assignment, options, sorted(sources), cells, ranked)


# ---------------------------------------------------------------------------------------------------------------
# the page and the summary's section

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
.match { border-top: 1px solid #bbb; margin-top: 1.2em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; } .pair.one { grid-template-columns: 1fr; }
.pair > div { min-width: 0; }
pre { background: #fafafa; border: 1px solid #ddd; padding: 6px; overflow-x: auto; font-size: 12px; margin: 0; }
.shared { background: #ffd36b; } .given { color: #999; }
.who { font-weight: 600; margin: 0.3em 0; word-break: break-all; }
.note { color: #555; }
"""


def _esc(text):
    return html.escape(str(text), quote=True)


def code_html(source, given, shared):
    """The source, escaped, with the release's code in grey and the shared code marked."""
    kind = np.zeros(len(source) + 1, np.int8)
    for start, end in given:
        kind[start:end] = 1
    for start, end in shared:
        kind[start:end] = 2
    for gap in re.finditer(r"[ \t]+", source):   # spaces between two marked tokens of a line take their mark
        start, end = gap.span()
        if start > 0 and kind[start - 1] and end < len(source) and kind[start - 1] == kind[end]:
            kind[start:end] = kind[end]
    out = []
    bounds = [0, *(np.flatnonzero(np.diff(kind[:len(source)])) + 1).tolist(), len(source)]
    for start, end in zip(bounds[:-1], bounds[1:]):
        piece = _esc(source[start:end])
        out.append(f'<span class="{("", "given", "shared")[kind[start]]}">{piece}</span>' if kind[start] else piece)
    return "".join(out)


def _who(learners, limit=40):
    names = ", ".join(learners[:limit])
    return names + (f" and {len(learners) - limit} more" if len(learners) > limit else "")


def render(found, key, unreadable=None):
    """The page (HTML text): the pairs of learners, then each cell's matches side by side."""
    o = found.options
    title = f"{found.assignment}: similar solutions"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
           f'<meta name="similarity-key" content="{_esc(key)}">', f"<title>{_esc(title)}</title>",
           f"<style>{STYLE}</style></head><body>", f"<h1>{_esc(title)}</h1>",
           "<p>For a person to review, never a penalty and never a flag: code that learners share in a solution "
           "cell, after the release's own code (in grey) is left out. A high score says two texts share most of "
           "their code, not who wrote it or why: many learners can reach the same short solution honestly.</p>",
           f"<p class=\"note\">{len(found.learners)} graded notebooks compared cell by cell with copydetect "
           f"{_esc(COPYDETECT)} (winnowing, as MOSS): a pair is listed when the code they share is at "
           f"least {o.threshold:.0%} of the own code of both (score = the smaller share); runs of {o.noise} "
           f"normalised characters or more count as shared (names and strings normalised, comments and spacing "
           f"ignored); cells with fewer than {o.min_own} normalised characters of their own are not compared.</p>"]
    for learner, why in sorted((unreadable or {}).items()):
        out.append(f'<p class="note">Not compared: {_esc(learner)}: {_esc(why)}</p>')
    out.append(f"<h2>Pairs of learners ({len(found.pairs)})</h2>")
    if found.pairs:
        out.append("<table><tr><th>learners</th><th>cells (score)</th></tr>")
        for (s, t), hits in found.pairs[:MAX_ROWS]:
            links = ", ".join(f'<a href="#{_anchor(found, gid, n)}">{_esc(gid)} {score:.2f}</a>'
                              for gid, (score, n) in _in_order(found, hits))
            out.append(f"<tr><td>{_esc(s)}, {_esc(t)}</td><td>{links}</td></tr>")
        out.append("</table>")
        if len(found.pairs) > MAX_ROWS:
            out.append(f'<p class="note">{len(found.pairs) - MAX_ROWS} more pairs, in the cells below.</p>')
    else:
        out.append(f"<p>None at or above {o.threshold:.2f}.</p>")
    for c, cell in enumerate(found.cells):
        out.append(f'<h2 id="c{c}">Cell {_esc(cell.grade_id)}</h2>')
        out.append(f'<p class="note">{cell.learners} learners, {len(cell.texts)} distinct texts; '
                   f"{len(cell.short)} with too little code of their own to compare"
                   f"{': ' + _esc(_who(cell.short)) if cell.short else ''}; "
                   f"{len(cell.matches)} matches at or above {o.threshold:.2f}.</p>")
        for t in cell.texts:
            if t.error:
                out.append(f'<p class="note">Not compared in this cell: {_esc(_who(t.learners))}: {_esc(t.error)}</p>')
        for n, m in enumerate(cell.matches[:MAX_BLOCKS]):
            a, b = cell.texts[m.a], cell.texts[m.b]
            out.append(f'<div class="match" id="{_anchor(found, cell.grade_id, n)}">')
            if m.a == m.b:
                out.append(f"<h3>score 1.00: the same text, {len(a.learners)} learners</h3>"
                           f'<div class="pair one"><div><p class="who">{_esc(_who(a.learners))}</p>'
                           f"<pre>{code_html(a.source, a.cell.given, marks(a.cell, m.slices_a))}</pre></div></div>")
            else:
                out.append(f"<h3>score {m.score:.2f} (shared: {m.share_a:.0%} of the left's own code, "
                           f"{m.share_b:.0%} of the right's)</h3><div class=\"pair\">")
                for text, slices in ((a, m.slices_a), (b, m.slices_b)):
                    out.append(f'<div><p class="who">{_esc(_who(text.learners))}</p>'
                               f"<pre>{code_html(text.source, text.cell.given, marks(text.cell, slices))}</pre></div>")
                out.append("</div>")
            out.append("</div>")
        if len(cell.matches) > MAX_BLOCKS:
            out.append(f'<p class="note">Not shown here: {len(cell.matches) - MAX_BLOCKS} more in this cell, with '
                       f"lower scores (the table above lists the pairs of learners).</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _anchor(found, grade_id, n):
    """The id of the n-th match of a cell on the page (of the cell's heading when that match is not shown)."""
    c = next(i for i, cell in enumerate(found.cells) if cell.grade_id == grade_id)
    return f"c{c}-m{n}" if n < MAX_BLOCKS else f"c{c}"


def _in_order(found, hits):
    order = {cell.grade_id: i for i, cell in enumerate(found.cells)}
    return sorted(hits.items(), key=lambda kv: order[kv[0]])


def section(found, key, page):
    """The summary's Markdown section: how many pairs, the first few, a link to the page."""
    o = found.options
    lines = [f"{BEGIN} {key} -->", "## Similar solutions", "",
             f"For review, never a penalty: {len(found.pairs)} pair(s) of learners share at least "
             f"{o.threshold:.0%} of their own code in one solution cell or more (winnowing as MOSS does, the "
             f"release's code left out; {len(found.learners)} notebooks compared). Side by side: [{page}]({page}).",
             ""]
    if found.pairs:
        lines += ["| learners | cells (score) |", "|---|---|"]
        for (s, t), hits in found.pairs[:SUMMARY_ROWS]:
            lines.append(f"| `{s}`, `{t}` | "
                         f"{', '.join(f'{gid} {score:.2f}' for gid, (score, _) in _in_order(found, hits))} |")
        if len(found.pairs) > SUMMARY_ROWS:
            lines += ["", f"and {len(found.pairs) - SUMMARY_ROWS} more in the page."]
    lines.append(END)
    return "\n".join(lines) + "\n"


def with_section(summary, text):
    """The summary's Markdown with the section put in (in place of an earlier one, else at the end)."""
    start = summary.find(BEGIN)
    if start >= 0:
        end = summary.find(END, start)
        if end >= 0:
            return summary[:start] + text + summary[end + len(END):].lstrip("\n")
    return summary.rstrip("\n") + "\n\n" + text


# ---------------------------------------------------------------------------------------------------------------
# the course folder

def _sha(*parts):
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def report_key(assignment, records, options):
    """What the report depends on: method, libraries, parameters, the release, and each learner's current grading."""
    from grader.store import version
    files = [os.path.join("release", assignment, ASSIGNMENTS[assignment][0])]
    files += [p for p in ASSIGNMENTS[assignment][1] if p.endswith(".py")]
    contents = []
    for path in files:
        with open(os.path.join(ROOT, path), "rb") as f:
            contents.append(f.read())
    graded = sorted((s, version(r)) for s, r in records.items())
    return _sha(VERSION, COPYDETECT, importlib.metadata.version("pygments"),
                json.dumps(dataclasses.asdict(options), sort_keys=True),
                *contents, json.dumps(graded))


def read_sources(course, assignment, students, release):
    """({learner: {grade_id: source}} from the graded notebooks, {learner: why one could not be read})."""
    from grader.store import autograded_path
    sources, unreadable = {}, {}
    for student in sorted(students):
        try:
            with open(autograded_path(course, assignment, student), encoding="utf-8") as f:
                nb = json.load(f)
            cells = {}
            for cell in nb["cells"]:
                meta = (cell.get("metadata") or {}).get("nbgrader") or {}
                gid = meta.get("grade_id") if isinstance(meta, dict) else None
                if cell.get("cell_type") == "code" and gid in release and gid not in cells:
                    source = cell.get("source", "")
                    cells[gid] = "".join(source) if isinstance(source, list) else str(source)
            sources[student] = cells
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            unreadable[student] = f"graded notebook unreadable ({type(e).__name__})"
    return sources, unreadable


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def _page_key(path):
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(4096)
    except OSError:
        return None
    m = re.search(r'<meta name="similarity-key" content="([0-9a-f]+)">', head)
    return m.group(1) if m else None


def report(course, assignment, options=Options()):
    """Write summary/<assignment>-similarity.html, its section (summary/<assignment>-similarity.md) and that section
    into summary/<assignment>.md; return the page's
    path, or None when fewer than two graded notebooks can be compared. Nothing is recomputed when the learners'
    gradings, the release and the parameters are those of the page already there. Call it after the summary is
    written (it adds its section to the summary's Markdown when that is missing)."""
    from grader.store import load_results, write_atomic
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
    records = {s: r for s, r in load_results(course, assignment).items() if r.get("has_notebook")}
    if len(records) < 2:
        return None
    folder = os.path.join(course, "summary")
    name = f"{assignment}-similarity.html"
    page, summary = os.path.join(folder, name), os.path.join(folder, f"{assignment}.md")
    key = report_key(assignment, records, options)
    part = os.path.join(folder, f"{assignment}-similarity.md")
    marker = f"{BEGIN} {key} -->"
    text = _read(part) if _page_key(page) == key else None
    if text is None or marker not in text:
        release = release_cells(assignment)
        sources, unreadable = read_sources(course, assignment, records, release)
        found = analyse(assignment, sources, options)
        text = section(found, key, name)
        write_atomic(page, render(found, key, unreadable))
        write_atomic(part, text)
    current = _read(summary)
    if current is not None and marker not in current:
        write_atomic(summary, with_section(current, text))
    return page


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m grader.similarity", description=__doc__.split("\n")[0])
    ap.add_argument("--course", required=True, help="the course folder `python -m grader grade` wrote")
    ap.add_argument("--assignment", required=True, help=f"one of {', '.join(ASSIGNMENTS)}")
    ap.add_argument("--threshold", type=float, default=Options.threshold,
                    help=f"list pairs whose shared code is at least this share of both (default {Options.threshold})")
    args = ap.parse_args(argv)
    from grader.store import CourseLock
    if args.assignment not in ASSIGNMENTS:
        print(f"error: unknown assignment {args.assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}",
              file=sys.stderr)
        return 2
    if not 0 < args.threshold <= 1:
        print("error: --threshold must be in (0, 1]", file=sys.stderr)
        return 2
    course = os.path.abspath(args.course)
    if not os.path.isdir(os.path.join(course, "results", args.assignment)):
        print(f"error: {args.course}: no graded {args.assignment} submissions (results/{args.assignment}/ is missing)",
              file=sys.stderr)
        return 2
    try:
        with CourseLock(course):
            page = report(course, args.assignment, Options(threshold=args.threshold))
    except (RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"similarity: {page}" if page else f"{args.assignment}: fewer than two graded notebooks, nothing to compare")
    return 0


if __name__ == "__main__":
    sys.exit(main())
