"""Reading nbgrader notebooks: cell predicates as nbgrader names them, cells by grade_id, the marked regions.

The markers: `### BEGIN SOLUTION` ... `### END SOLUTION` (what the release replaces with a stub) and
`### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS` (what the release leaves out). `graded_cells(a)` reads an
assignment's instructor notebook once per process.
"""

import functools
import re

import nbformat

from course.assignments import source_notebook

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[ \t]*\n(.*?)^[ \t]*### END \1[ \t]*$", re.S | re.M)


def read(path):
    return nbformat.read(path, as_version=4)


def write(nb, path):
    nbformat.write(nb, path)


def grade_id(cell):
    return nbgrader(cell).get("grade_id")


def points(cell):
    """The points a graded cell is worth (0.0 for any other cell)."""
    return float(nbgrader(cell).get("points", 0) or 0)


def cells_by_id(nb):
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def regions(source, kind):
    """The text of every `### BEGIN <kind>` ... `### END <kind>` region in a cell's source."""
    return [m.group(2) for m in REGION.finditer(source) if m.group(1) == kind]


def strip_markers(source):
    """The source with the BEGIN/END marker lines removed and the regions kept (the instructor's code)."""
    marker = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
    return "\n".join(line for line in source.split("\n") if not marker.match(line))


def nbgrader(cell):
    """A cell's nbgrader metadata, or {} when it has none (or what it has is not a mapping)."""
    meta = cell.get("metadata")
    found = meta.get("nbgrader") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def is_solution(cell):
    return bool(nbgrader(cell).get("solution"))


def is_test(cell):
    """An autograded test cell: graded, and not a solution the learner writes."""
    return bool(nbgrader(cell).get("grade")) and not is_solution(cell)


def is_locked(cell):
    """Read-only as nbgrader sees it: never a solution cell, always a test cell, else what the metadata says."""
    if is_solution(cell):
        return False
    return is_test(cell) or bool(nbgrader(cell).get("locked"))


def set_cell_type(cell, cell_type):
    """Turn a cell into a code, markdown or raw cell in place, with the fields that type needs (outputs cleared)."""
    if cell.get("cell_type") == cell_type:
        return
    cell["cell_type"] = cell_type
    if cell_type == "code":
        cell.pop("attachments", None)
        cell["outputs"], cell["execution_count"] = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


@functools.cache
def graded_cells(assignment):
    """{grade_id: points} of the instructor notebook's graded test cells, in notebook order (read once)."""
    nb = read(source_notebook(assignment))
    return {grade_id(c): points(c) for c in nb.cells if c.cell_type == "code" and is_test(c)}
