"""What learners read in the notebooks: no CI jargon, none of the errors issue 18 quoted, expected outputs
printed the way a correct solution prints them, and a one-line guard that names every exercise.

Reads the committed notebooks as data (nothing is executed): the instructor notebooks in source/ with their
stored outputs (which nbval keeps equal to a real run), the releases in release/ and the labs in notebooks/.
"""

import ast
import glob
import os
import re

import nbformat
import pytest

from course.assignments import ASSIGNMENTS
from grader.judge import learner_names

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = {name: os.path.join(ROOT, "source", name, nb) for name, (nb, _) in ASSIGNMENTS.items()}
LEARNER_FACING = sorted(glob.glob(os.path.join(ROOT, "release", "*", "*.ipynb"))
                        + glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
ALL_NOTEBOOKS = sorted(SOURCES.values()) + sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))


def read(path):
    return nbformat.read(path, as_version=4)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.parametrize("path", LEARNER_FACING, ids=os.path.basename)
def test_no_ci_jargon_where_learners_read(path):
    """Cell text a learner sees never mentions the course's CI (the nbval tags stay in cell metadata)."""
    found = [(i, line.strip()) for i, cell in enumerate(read(path).cells) for line in cell.source.split("\n")
             if re.search(r"nbval|committed (with|run)|run committed", line, re.I)]
    assert not found, f"{os.path.relpath(path, ROOT)}: {found}"


# the prose errors issue 18 quoted, each as it was written
QUOTED_ERRORS = [
    "the direction of a huge one is roughly kept",
    "thousands of times larger than",
    "the exact digits can differ slightly",
    "the cell above printed ×1.12",
    "about 10–30 seconds",
    "8 to 20 seconds",
    "the same chain rule you practise",
    "forward/backward pairs you wrote by hand",
    "which no longer runs",
    "pass through the 8 steps without shrinking",
    "0 means always the most likely character",
    "the run committed with this notebook",
    "about 4.5 from step 4,000 to 7,000",
    "\n= 0",  # the figure's a<0> label (tools/draw_dinosaur_figures.py)
]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS + [os.path.join(ROOT, "tools", "draw_dinosaur_figures.py")],
                         ids=os.path.basename)
def test_the_quoted_errors_are_gone(path):
    if path.endswith(".ipynb"):
        text = "\n".join(cell.source for cell in read(path).cells)
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    assert not [q for q in QUOTED_ERRORS if q in text]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_expected_output_is_what_the_demo_prints(name):
    """Every "Expected output" block, line by line, appears in order in the stored output of the demo after it.

    The stored outputs come from the instructor's (correct) solutions, so the expected output shows
    numbers the way Python prints them for a correct solution. Dinosaur Island's `sample` block is a
    description of the portable prefix, not a printout, and is left out.
    """
    cells = read(SOURCES[name]).cells
    pairs = 0
    for i, cell in enumerate(cells):
        gid = grade_id(cell) or ""
        if cell.cell_type != "code" or not gid.endswith("_expected") or "show_expected" not in cell.source:
            continue
        if (name, gid) == ("dinosaur_island", "sample_expected"):
            continue
        demo = next(c for c in cells[i + 1:] if c.cell_type == "code")
        expected = [line for line in stdout(cell).split("\n") if line.strip()]
        printed = [line for line in stdout(demo).split("\n") if line.strip()]
        assert expected, f"{gid}: no stored output"
        it = iter(printed)
        missing = [line for line in expected if not any(line == p for p in it)]
        assert not missing, f"{name} {gid}: the demo {grade_id(demo)!r} does not print {missing}"
        pairs += 1
    assert pairs >= 3  # every exercise with an "Expected output" block (Dinosaur Island: clip, optimize, model)


def _guard_table(source_nb):
    for cell in source_nb.cells:
        if cell.cell_type == "code" and "ExerciseGuard(" in cell.source:
            code = "\n".join(line for line in cell.source.split("\n") if not line.startswith("%"))
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ExerciseGuard":
                    return ast.literal_eval(node.args[0])
    return None


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_guard_names_every_exercise(name):
    """The setup cell's ExerciseGuard table holds exactly the functions (and methods) the learner writes."""
    nb = read(SOURCES[name])
    table = _guard_table(nb)
    assert table, f"{name}: no ExerciseGuard table in a setup cell"
    written = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            code = cell.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
            for node in ast.parse(code).body:
                if isinstance(node, ast.FunctionDef):
                    written.add(node.name)
                elif isinstance(node, ast.ClassDef):
                    written |= {f"{node.name}.{f.name}" for f in node.body
                                if isinstance(f, ast.FunctionDef) and f.name != "__init__"}
    solved = learner_names(nb)  # top-level names holding a solution region
    covered = {key.split(".")[0] for key in table}
    assert solved <= covered, f"{name}: exercises without a guard entry: {solved - covered}"
    assert set(table) <= written, f"{name}: guard entries that name no learner function: {set(table) - written}"
