"""The learner's self-check: their notebook graded exactly as `python -m grader grade` will grade it.

    python -m grader.selfcheck NOTEBOOK.ipynb        (or an assignment's name, found in --workspace)
    ./check dinosaur_island                          (the launcher `make lab` writes into the workspace)

It hands the notebook to the grading unit (grader.unit.grade_submission) with the job `grade` builds
(grader.unit.make_job, the same fields and limits), so the same judge runs it in the same sandbox, hidden tests
included, and it prints every graded cell's verdict and points as `grade` gives them. What it prints comes from
the judge's verdicts, which never hold a hidden test's code, inputs or expected values.

Output: one line per graded cell (its points, and for a failed cell the judge's one-line reason), the review
notes the grader would record, then one summary line: `N of M points: K of L graded tests fail` (or `all L
graded tests pass`). Exit status 0 when every point is earned, 1 otherwise (and when the check could not
finish), 2 for a file that cannot be read or a notebook of no known assignment. A notebook without graded
tests (an optional lab) gets one line saying so, and status 0.

Without bubblewrap (see grader/sandbox.py) the grader refuses to run learners' code; this check is the
learner's own code on the learner's own machine, so there it runs unsandboxed and says so in its first line.

The hidden tests draw their inputs from the learner's own seed (grader/seeds.py), as `grade` does: the check
uses the seed token the instructor gave the learner, saved as `seed.txt` in the workspace (`./check --save-seed
TOKEN` saves it; it is looked for in --workspace, then beside the notebook and in the three folders above it), or
given with --seed. With it, the check draws exactly the inputs the grade will draw. Without one it uses a practice
seed, and says so: other inputs than the grade's (a correct notebook passes them all the same).

`--json` prints the same as one JSON object (the lab's Validate button, tools/lab_server.py, shows it).
"""

import argparse
import getpass
import json
import os
import sys

from course import notebooks
from course.assignments import ASSIGNMENTS, LAB_FILES, ROOT
from grader import seeds
from grader.defaults import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT
from grader.unit import grade_submission, make_job

NO_TESTS = "has no graded tests: it is an optional lab, nothing in it is graded"
LABS = {os.path.basename(rel) for rel in LAB_FILES if rel.endswith(".ipynb")}
UNSANDBOXED = ("bubblewrap (the grader's sandbox) is not available here, so your notebook runs as a plain "
               "process on your own machine; the course's grader runs it sandboxed")
NOT_SANDBOXED_REASON = "NOT SANDBOXED"   # how the judge's own reason for an unsandboxed run begins


class CheckError(Exception):
    """A notebook that cannot be checked, in one line (exit status 2)."""


def _grade_ids(nb):
    """grade_ids in a notebook read as plain JSON (whatever its shape: it is the learner's file)."""
    ids = set()
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        meta = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            ids.add(meta["grade_id"])
    return ids


def _graded_cells(assignment):
    """[(grade_id, hidden)] of the assignment's graded test cells, in the instructor notebook's order."""
    source = notebooks.read(os.path.join(ROOT, "source", assignment, ASSIGNMENTS[assignment][0]))
    cells = []
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            cells.append((meta["grade_id"], bool(notebooks.regions(cell.source, "HIDDEN TESTS"))))
    return cells


def which_assignment(nb, path):
    """The assignment a notebook belongs to: the one whose notebook file it is (by name: that is the assignment it is
    handed in for, so it is checked as `grade` will grade it, even when its cells are another assignment's), else the
    one sharing most graded-cell ids with it, else the one its file name starts with.

    None when nothing tells (a lab, or a notebook of no assignment of this course).
    """
    base = os.path.basename(path)
    for name, (notebook, _) in ASSIGNMENTS.items():
        if base == notebook:
            return name
    ids = _grade_ids(nb)
    best, shared = None, 0
    for name, (notebook, _) in ASSIGNMENTS.items():
        release = os.path.join(ROOT, "release", name, notebook)
        if not os.path.exists(release):
            continue
        n = len(ids & set(notebooks.cells_by_id(notebooks.read(release))))
        if n > shared:
            best, shared = name, n
    if best:
        return best
    for name, (notebook, _) in ASSIGNMENTS.items():
        if base.startswith(notebook[:-len(".ipynb")]):
            return name
    return None


def resolve(target, workspace):
    """A notebook path from what the learner typed: a path, or an assignment's name (its notebook in the
    workspace's assignments/ folder)."""
    if os.path.isfile(target):
        return os.path.abspath(target)
    if target in ASSIGNMENTS:
        path = os.path.join(workspace, "assignments", target, ASSIGNMENTS[target][0])
        if os.path.isfile(path):
            return os.path.abspath(path)
        raise CheckError(f"{target}: no notebook at {path}")
    raise CheckError(f"{target}: no such notebook (give its path, or one of: {', '.join(ASSIGNMENTS)})")


def find_token(path, workspace=None):
    """(token text, file) of the learner's seed token: seed.txt in the workspace, else beside the notebook or in the
    three folders above it; (None, None) when there is none."""
    places = [workspace] if workspace else []
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(4):
        places.append(folder)
        folder = os.path.dirname(folder)
    for place in places:
        candidate = os.path.join(place, seeds.TOKEN_FILE)
        if os.path.isfile(candidate):
            try:
                with open(candidate, encoding="utf-8") as f:
                    return f.read(4096), candidate
            except (OSError, UnicodeDecodeError) as err:
                raise CheckError(f"{candidate}: cannot be read ({getattr(err, 'strerror', None) or err})") from None
    return None, None


def learner_seed(assignment, token=None, where=None, student=None):
    """(student, seed, what the report says about it) for a check: the learner's seed from their token, else the
    practice seed."""
    if token is None:
        return student or _student(), seeds.PRACTICE_SEED, {
            "source": "practice", "file": None,
            "note": f"practice seed: no seed token found (save the one your instructor gave you as {seeds.TOKEN_FILE} "
                    "in your workspace, or run ./check --save-seed TOKEN), so the hidden tests drew other inputs than "
                    "your grade's; a correct notebook passes them all the same"}
    try:
        owner, key = seeds.parse_token(token)
    except seeds.SeedError as err:
        raise CheckError(f"{where or 'the seed token'}: {err}") from None
    if student and student != owner:
        raise CheckError(f"{where or 'the seed token'} is {owner!r}'s, not {student!r}'s")
    return owner, seeds.seed_from_key(key, assignment), {
        "source": "token", "file": where,
        "note": f"your seed ({os.path.basename(where) if where else 'the token given'}, student {owner}): the hidden "
                "tests drew the inputs your grade will draw"}


def sandbox_available():
    from grader.sandbox import bwrap_path
    return bwrap_path() is not None


def check(path, assignment=None, student=None, sandboxed=None, token=None, workspace=None):
    """Grade the notebook at `path` as `grade` would; returns the report (see `report`).

    `token`: the learner's seed token (grader/seeds.py); when None it is looked for (find_token), and without one
    the practice seed is used."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")  # as grader.inputs reads a submission
    except OSError as err:
        raise CheckError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        nb = json.loads(text)
    except ValueError:
        nb = None
    if assignment is None:
        assignment = which_assignment(nb, path)
    elif assignment not in ASSIGNMENTS:
        raise CheckError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    if assignment is None:
        if isinstance(nb, dict):
            name = os.path.basename(path)
            what = NO_TESTS if name in LABS else f"has no graded tests of this course ({', '.join(ASSIGNMENTS)})"
            return {"path": path, "assignment": None, "status": "no-tests", "exit": 0, "summary": f"{name} {what}.",
                    "cells": [], "review": [], "notes": []}
        raise CheckError(f"{path}: not a notebook (it is not valid JSON) and not named after an assignment")
    where = "--seed" if token is not None else None
    if token is None:
        token, where = find_token(path, workspace)
    student, seed, about = learner_seed(assignment, token, where, student)
    if sandboxed is None:
        sandboxed = sandbox_available()
    job = make_job(student, assignment, notebook=text, cell_timeout=DEFAULT_CELL_TIMEOUT,
                   budget=DEFAULT_BUDGET, allow_unsandboxed=not sandboxed, seed=seed)
    return dict(report(path, grade_submission(job), sandboxed), seed=about)


def _student():
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def _points(value):
    return f"{value:g}"


def report(path, result, sandboxed=True):
    """The learner's view of a unit result: the cells in notebook order, the summary line, the exit status."""
    assignment = result.get("assignment")
    hidden = dict(_graded_cells(assignment)) if assignment in ASSIGNMENTS else {}
    cells = []
    for gid, v in result.get("cells", {}).items():
        cells.append({"id": gid, "hidden": hidden.get(gid, False), "outcome": v.get("outcome"),
                      "points": float(v.get("points", 0)), "max_points": float(v.get("max_points", 0)),
                      "message": "" if v.get("outcome") == "passed" else str(v.get("message", ""))})
    order = {gid: i for i, gid in enumerate(hidden)}
    cells.sort(key=lambda c: order.get(c["id"], len(order)))
    score, max_score = float(result.get("score", 0)), float(result.get("max_score", 0))
    failing = [c for c in cells if c["points"] < c["max_points"]]
    review = [r for r in result.get("reasons", []) if not (not sandboxed and r.startswith(NOT_SANDBOXED_REASON))]
    status = result.get("status")
    if status == "internal-error":
        summary = ("the check could not finish (a fault of the grader, not of your notebook): "
                   + "; ".join(result.get("reasons", []))[:300] + "; run it again")
    else:
        tests = f"{len(failing)} of {len(cells)} graded tests fail" if failing else \
            f"all {len(cells)} graded tests pass"
        summary = f"{_points(score)} of {_points(max_score)} points: {tests}"
        if status == "unreadable":
            summary += " (the grader could not read this notebook)"
    ok = status == "graded" and score >= max_score and not failing
    return {"path": path, "assignment": assignment, "status": status, "exit": 0 if ok else 1, "summary": summary,
            "score": score, "max_score": max_score, "sandboxed": sandboxed, "cells": cells, "review": review,
            "notes": list(result.get("notes", []))}


def cell_line(c):
    """One graded cell as one line: verdict, id, points, and the judge's reason when it failed."""
    verdict = "passed" if c["outcome"] == "passed" else "FAILED"
    kind = " (hidden test)" if c["hidden"] else ""
    line = f"{verdict:6}  {c['id']}{kind}: {_points(c['points'])} of {_points(c['max_points'])} points"
    if c["outcome"] != "passed":
        message = " ".join(c["message"].split())
        line += f" ({c['outcome']}): {message}" if c["outcome"] != "failed" else f": {message}"
    return line


def lines(rep):
    """The report as the command prints it."""
    out = []
    if rep["status"] == "no-tests":
        return [rep["summary"]]
    if not rep.get("sandboxed", True):
        out.append(f"note: {UNSANDBOXED}")
    out.append(f"{os.path.basename(rep['path'])} ({rep['assignment']}), graded as the course's grader grades it, "
               "hidden tests included:")
    if rep.get("seed"):
        out.append(f"  {rep['seed']['note']}")
    out += ["  " + cell_line(c) for c in rep["cells"]]
    out += [f"  review: {r}" for r in rep["review"]]
    out += [f"  note: {n}" for n in rep["notes"]]
    out.append(rep["summary"])
    return out


def save_token(token, workspace):
    """Save a seed token as seed.txt in the workspace (never over another token); one line saying what was done."""
    try:
        student, key = seeds.parse_token(token)
    except seeds.SeedError as err:
        raise CheckError(f"--save-seed: {err}") from None
    path = os.path.join(workspace, seeds.TOKEN_FILE)
    text = f"{seeds.TOKEN_PREFIX}:{student}:{key}\n"
    if os.path.lexists(path):
        try:
            with open(path, encoding="utf-8") as f:
                same = f.read().strip() == text.strip()
        except (OSError, UnicodeDecodeError):
            same = False
        if same:
            return f"{path} already holds this seed token (student {student})"
        raise CheckError(f"{path} already exists and holds something else: move it away first")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as err:
        raise CheckError(f"{path}: cannot be written ({err.strerror})") from None
    return f"saved your seed token (student {student}) in {path}: the check now draws the inputs your grade will draw"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="check", description="Grade your notebook exactly as the course's grader "
                                 "will, hidden tests included (exit status 0 when every point is earned).")
    ap.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="a notebook's path, or an assignment's name")
    ap.add_argument("--assignment", help="which assignment (normally found from the notebook)")
    ap.add_argument("--student", help="your student id (default: the one in your seed token, else your user name)")
    ap.add_argument("--workspace", default=os.getcwd(), help="where assignment names and seed.txt are looked up")
    ap.add_argument("--seed", metavar="TOKEN", help="your seed token (default: the one saved in seed.txt)")
    ap.add_argument("--save-seed", metavar="TOKEN", help="save your seed token as seed.txt in the workspace")
    ap.add_argument("--json", action="store_true", help="print one JSON object per notebook")
    args = ap.parse_args(argv)
    if args.save_seed is not None:
        try:
            print(save_token(args.save_seed, args.workspace))
        except CheckError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    elif not args.notebooks:
        ap.error("give a notebook's path or an assignment's name")
    status = 0
    for target in args.notebooks:
        try:
            path = resolve(target, args.workspace)
            if not args.json:
                shown = os.path.relpath(path) if path.startswith(os.getcwd() + os.sep) else path
                print(f"checking {shown} ...", flush=True)
            rep = check(path, args.assignment, args.student, token=args.seed, workspace=args.workspace)
        except CheckError as err:
            if args.json:
                print(json.dumps({"path": target, "status": "error", "exit": 2, "summary": str(err)}))
            else:
                print(f"error: {err}", file=sys.stderr)
            status = max(status, 2)
            continue
        print(json.dumps(rep) if args.json else "\n".join(lines(rep)), flush=True)
        status = max(status, rep["exit"])
    return status


if __name__ == "__main__":
    sys.exit(main())
