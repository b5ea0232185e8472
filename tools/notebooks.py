"""Small helpers for reading nbgrader notebooks: cells by grade_id and the marked regions in them."""

import re

import nbformat

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[ \t]*\n(.*?)^[ \t]*### END \1[ \t]*$", re.S | re.M)


def read(path):
    return nbformat.read(path, as_version=4)


def write(nb, path):
    nbformat.write(nb, path)


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def cells_by_id(nb):
    return {grade_id(c): c for c in nb.cells if grade_id(c)}


def regions(source, kind):
    """The text of every `### BEGIN <kind>` ... `### END <kind>` region in a cell's source."""
    return [m.group(2) for m in REGION.finditer(source) if m.group(1) == kind]


def strip_markers(source):
    """The source with the BEGIN/END marker lines removed and the regions kept (the instructor's code)."""
    marker = re.compile(r"^\s*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
    return "\n".join(line for line in source.split("\n") if not marker.match(line))
