"""Reading nbgrader notebooks: cell predicates as nbgrader names them, cells by grade_id, the marked regions.

The markers: `### BEGIN SOLUTION` ... `### END SOLUTION` (what the release replaces with a stub) and
`### BEGIN HIDDEN TESTS` ... `### END HIDDEN TESTS` (what the release leaves out), each on a line of its own;
`marked_lines` is their one parser (regions, without_regions and strip_markers are built on it). `graded_cells(a)`
reads an assignment's instructor notebook once per process.
"""

import functools
import re

import nbformat

from course.assignments import source_notebook

MARKER = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")   # one marker line, either kind


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


def marked_lines(source, kind="SOLUTION"):
    """A cell's source read line by line, the one parser of the markers: `(spans, kept)`.

    Positions count the lines of `source.split("\\n")` from 0. spans: `(begin, end)`, the positions of the marker
    lines of each `### BEGIN <kind>` ... `### END <kind>` region (a second BEGIN before the END is a line of the
    region). kept: `(position, line)` of every line that is no marker line (of either kind), in order.
    """
    spans, kept, begin = [], [], None
    for i, line in enumerate(source.split("\n")):
        marker = MARKER.match(line)
        if marker is None:
            kept.append((i, line))
        elif marker.group(2) == kind and marker.group(1) == "BEGIN" and begin is None:
            begin = i
        elif marker.group(2) == kind and marker.group(1) == "END" and begin is not None:
            spans.append((begin, i))
            begin = None
    return spans, kept


def regions(source, kind):
    """The text of every `### BEGIN <kind>` ... `### END <kind>` region in a cell's source (each line ends "\\n")."""
    lines = source.split("\n")
    return ["".join(line + "\n" for line in lines[begin + 1:end]) for begin, end in marked_lines(source, kind)[0]]


def without_regions(source, kind, replacement=""):
    """The source with each `<kind>` region cut out, marker lines included: a line `replacement` in its place."""
    lines = source.split("\n")
    kept, start = [], 0
    for begin, end in marked_lines(source, kind)[0]:
        kept += [*lines[start:begin], replacement]
        start = end + 1
    return "\n".join(kept + lines[start:])


def strip_markers(source):
    """The source with the BEGIN/END marker lines removed and the regions kept (the instructor's code)."""
    return "\n".join(line for _, line in marked_lines(source)[1])


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
