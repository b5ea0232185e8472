"""Build submission notebooks for the autograder from short, readable specifications.

A specification is a Python file in grader_tests/<corpus>/ that names its assignment and base:

    # assignment: dinosaur_island
    # base: solution            (or: release)
    # %% cell: clip
    def clip(gradients, maxValue):
        ...

`base: release` starts from the student release (every exercise untouched); `base: solution` starts
from the release with every solution cell filled in with the instructor's code from source/. A header
line `# notebook: <another assignment>` starts from that assignment's notebook instead (its release,
solved or not as `base` says), handed in as the named assignment's: a wrong upload. Then, in order,
each section changes it (grade_ids are those of the notebook it starts from):

    # %% cell: <grade_id>          replace that cell's code with the section's text
    # %% unsolved: <grade_id>      put back that cell's text as released (the section has no text)
    # %% cell-type: <grade_id> <code|markdown|raw>
                                   turn that cell into a cell of that type (its text kept, outputs cleared)
    # %% duplicate: <grade_id>     insert a copy of that cell, metadata included, after it (as copy and
                                   paste in Jupyter do)
    # %% new-cell-after: <grade_id> insert a new code cell (no nbgrader metadata) with the text
    # %% new-graded-cell-after: <grade_id> <new_id> <points>
                                   insert a code cell claiming to be a graded test (for attacks)
    # %% delete: <grade_id>         delete that cell (the section has no text)
    # %% move-after: <anchor> <grade_id>
                                   move the cell <grade_id> to just after <anchor> (no text)
    # %% strip-metadata             remove the nbgrader metadata of every cell

Specifications stay small and never drift from the notebook: everything else comes from the
current release. Header lines starting `# expected_` declare the outcome (see grader/expect.py).

usage: python -m grader.specs <spec.py>... --out submitted/   (one student per spec, named after the file)
"""

import argparse
import copy
import os
import re
import sys

import nbformat
from nbformat.v4.nbbase import random_cell_id

from course import notebooks
from course.assignments import ASSIGNMENTS, ROOT

HEADER = re.compile(r"^# (assignment|base|notebook|expected_score): *(\S+)\s*$", re.M)
OPERATIONS = ("cell", "unsolved", "cell-type", "duplicate", "new-cell-after", "new-graded-cell-after", "delete",
              "move-after", "strip-metadata")
SECTION = re.compile(r"^# %% (" + "|".join(OPERATIONS) + r")(?:: *(\S+(?: \S+)*))?[ \t]*$", re.M)
CELL_TYPES = ("code", "markdown", "raw")


def parse(path):
    """Return (assignment, base, [(operation, grade_id or None, text)]) of a specification file.

    A spec that starts from another assignment's notebook (`# notebook: NAME`) has base "solution@NAME" or
    "release@NAME".
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    header = dict(HEADER.findall(text.split("# %%", 1)[0]))
    if header.get("base") not in ("solution", "release") or header.get("assignment") not in ASSIGNMENTS:
        raise ValueError(
            f"{path}: expected '# assignment: <one of {sorted(ASSIGNMENTS)}>' and '# base: solution|release' lines"
        )
    base = header["base"]
    if "notebook" in header:
        if header["notebook"] not in ASSIGNMENTS:
            raise ValueError(f"{path}: '# notebook: {header['notebook']}' is not one of {sorted(ASSIGNMENTS)}")
        base = f"{base}@{header['notebook']}"
    parts = SECTION.split(text)
    edits = [(parts[i], parts[i + 1], parts[i + 2].strip("\n") + "\n") for i in range(1, len(parts), 3)]
    return header["assignment"], base, edits


def expectations(spec):
    """The expected outcome a spec declares in its header lines (`# expected_...: ...`):
    {'score': float, 'failures': set or 'all', 'flag': [str], 'note': [str], 'absent': [str], 'max_bytes': int,
    'kind': {grade_id: kind}}."""
    found = {"score": None, "failures": None, "flag": [], "note": [], "absent": [], "max_bytes": None, "kind": {}}
    with open(spec, encoding="utf-8") as f:
        for line in f.read().splitlines():
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "# expected_score":
                found["score"] = float(value)
            elif key == "# expected_failures":
                found["failures"] = (set() if value == "none" else "all" if value == "all"
                                     else {n.strip() for n in value.split(",") if n.strip()})
            elif key == "# expected_flag":
                found["flag"].append(value)
            elif key == "# expected_note":
                found["note"].append(value)
            elif key == "# expected_absent":
                found["absent"].append(value)
            elif key == "# expected_max_bytes":
                found["max_bytes"] = int(value)
            elif key == "# expected_kind":
                gid, _, kind = value.partition(":")
                found["kind"][gid.strip()] = kind.strip()
    return found


def build(assignment, base, edits):
    """The submission notebook: the release, optionally solved, with the edits applied in order.

    `base` is "solution" or "release", or "solution@OTHER" / "release@OTHER" to start from the notebook of
    the assignment OTHER (handed in as `assignment`'s).
    """
    base, _, other = base.partition("@")
    start = other or assignment
    notebook, _ = ASSIGNMENTS[start]
    nb = notebooks.read(os.path.join(ROOT, "release", start, notebook))
    released = notebooks.cells_by_id(notebooks.read(os.path.join(ROOT, "release", start, notebook)))
    solved = notebooks.cells_by_id(notebooks.read(os.path.join(ROOT, "source", start, notebook)))
    cells = notebooks.cells_by_id(nb)
    named = {name for op, gid, _ in edits if gid for name in (gid.split() if op == "move-after" else gid.split()[:1])}
    unknown = sorted(named - set(cells))
    if unknown:
        raise ValueError(f"no cells with grade_id {unknown} in {start}; known: {sorted(cells)}")
    if base == "solution":
        for gid, cell in cells.items():
            if cell.metadata["nbgrader"].get("solution"):
                cell.source = notebooks.strip_markers(solved[gid].source)
    for operation, gid, text in edits:
        if operation == "cell":
            cells[gid].source = text
        elif operation == "unsolved":
            cells[gid].source = released[gid].source
        elif operation == "cell-type":
            name, _, cell_type = gid.partition(" ")
            if cell_type not in CELL_TYPES:
                raise ValueError(f"cell-type: {cell_type!r} is not one of {', '.join(CELL_TYPES)}")
            notebooks.set_cell_type(cells[name], cell_type)
        elif operation == "duplicate":
            twin = copy.deepcopy(cells[gid])
            if "id" in twin:
                twin["id"] = random_cell_id()
            nb.cells.insert(nb.cells.index(cells[gid]) + 1, twin)
        elif operation == "new-cell-after":
            nb.cells.insert(nb.cells.index(cells[gid]) + 1, nbformat.v4.new_code_cell(text))
        elif operation == "new-graded-cell-after":
            anchor, new_id, points = gid.split()
            cell = nbformat.v4.new_code_cell(text)
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": new_id, "locked": True, "points": float(points),
                                         "schema_version": 3, "solution": False, "task": False}
            nb.cells.insert(nb.cells.index(cells[anchor]) + 1, cell)
        elif operation == "delete":
            nb.cells.remove(cells[gid])
        elif operation == "move-after":
            anchor, moved = gid.split()
            nb.cells.remove(cells[moved])
            nb.cells.insert(nb.cells.index(cells[anchor]) + 1, cells[moved])
        else:  # strip-metadata
            for cell in nb.cells:
                cell.metadata.pop("nbgrader", None)
    return nb


def student_id(spec_path):
    return os.path.splitext(os.path.basename(spec_path))[0]


def write_submission(spec_path, out_dir):
    assignment, base, edits = parse(spec_path)
    nb = build(assignment, base, edits)
    folder = os.path.join(out_dir, student_id(spec_path), assignment)
    os.makedirs(folder, exist_ok=True)
    nbformat.write(nb, os.path.join(folder, ASSIGNMENTS[assignment][0]))
    return student_id(spec_path), assignment


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--out", default=os.path.join(ROOT, "submitted"))
    args = ap.parse_args(argv)
    for spec in args.specs:
        print("%s/%s" % write_submission(spec, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
