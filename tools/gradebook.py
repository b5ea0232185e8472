"""Print the gradebook after autograding, and optionally check it against expected scores.

usage: python -m tools.gradebook [--expect SPEC.py ...]
Each spec file (see tools/submissions.py) names its student (the file name) and may carry an
`# expected_score: N` line and an `# expected_failures: test_a, test_b` line (`none`, or `all`): the
exact set of graded cells that must not get full points. `# expected_flag: text` says a flag
containing that text must be raised (python -m grader grade records them as a result's reasons and
notes; older runs in flags.json beside the gradebook), and every submission without such a line must
raise none. `# expected_absent: TEXT` says TEXT must not appear in the
outputs of the autograded notebook (used to prove that a sandboxed read failed), and
`# expected_max_bytes: N` bounds the size of those outputs. With --expect,
any difference, or a student with no grade at all, is reported and the exit status is 1.
The checks of `python -m grader expect` (grader/expect.py) read these same headers with expectations().
"""

import argparse
import json
import os
import sys

from nbgrader.api import Gradebook, MissingEntry

from tools.submissions import parse, student_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expectations(spec):
    """Header lines of a spec: {'score': float, 'failures': set or 'all', 'flag': [str], 'absent': [str]}."""
    found = {"score": None, "failures": None, "flag": [], "absent": [], "max_bytes": None}
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
            elif key == "# expected_absent":
                found["absent"].append(value)
            elif key == "# expected_max_bytes":
                found["max_bytes"] = int(value)
    return found


def load_flags(db):
    path = os.path.join(os.path.dirname(os.path.abspath(db)), "flags.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def autograded_text(db, student, assignment):
    """All output text of a student's autograded notebook ('' when there is none)."""
    folder = os.path.join(os.path.dirname(os.path.abspath(db)), "autograded", student, assignment)
    if not os.path.isdir(folder):
        return ""
    parts = []
    for name in os.listdir(folder):
        if name.endswith(".ipynb"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                for cell in json.load(f)["cells"]:
                    for out in cell.get("outputs", []):
                        parts.append(json.dumps(out))
    return "\n".join(parts)


def cells_count(gb, assignment):
    """Number of graded cells (with points) in an assignment."""
    return sum(1 for nb in gb.find_assignment(assignment).notebooks for cell in nb.grade_cells if cell.max_score)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expect", nargs="*", default=[])
    ap.add_argument("--db", default=os.path.join(ROOT, "gradebook.db"))
    args = ap.parse_args(argv)
    problems = []
    rows = []
    with Gradebook(f"sqlite:///{args.db}") as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                failed = [g.name for nb in sub.notebooks for g in nb.grades
                          if g.max_score and (g.score or 0) < g.max_score]
                rows.append((student.id, assignment.name, sub.score, sub.max_score, sub.needs_manual_grade, failed))
        flags = load_flags(args.db)
        print(f"{'student':<40} {'assignment':<16} {'score':>12} {'secs':>5}  tests not passed")
        for sid, name, score, max_score, manual, failed in sorted(rows):
            record = flags.get(f"{sid}/{name}", {})
            secs = f"{record['seconds']:5.1f}" if record.get("seconds") is not None else "    -"
            flag = "  NEEDS MANUAL GRADE" if manual else ""
            flag += "  FLAGGED: zero, " + "; ".join(record["zeroed"]) if record.get("zeroed") else ""
            flag += "  NOTE: " + "; ".join(record["notes"]) if record.get("notes") else ""
            failed_text = ", ".join(failed) or "-"
            if len(failed) > 4:
                failed_text = f"{len(failed)} cells"
            print(f"{sid:<40} {name:<16} {score:>5g} / {max_score:<4g} {secs}  {failed_text}{flag}")
        graded = {(sid, name): (score, manual, set(failed), n) for sid, name, score, _, manual, failed in rows
                  for n in [cells_count(gb, name)]}
        for spec in args.expect:
            assignment, _, _ = parse(spec)
            want = expectations(spec)
            sid = student_id(spec)
            got = graded.get((sid, assignment))
            if got is None:
                problems.append(f"{sid}: no grade recorded for {assignment}")
                continue
            score, manual, failed, n_cells = got
            if manual:
                problems.append(f"{sid}: flagged for manual grading")
            if want["score"] is not None and score != want["score"]:
                problems.append(f"{sid}: expected {want['score']:g} points, got {score:g}")
            want_failures = want["failures"]
            if want_failures == "all" and len(failed) != n_cells:
                problems.append(f"{sid}: expected every test cell to fail, got {sorted(failed) or 'none'} failed")
            elif want_failures not in (None, "all") and failed != want_failures:
                problems.append(f"{sid}: expected failed cells {sorted(want_failures) or 'none'}, "
                                f"got {sorted(failed) or 'none'}")
            record = flags.get(f"{sid}/{assignment}")
            if record is not None:
                raised = record["zeroed"] + record["notes"]
                for text in want["flag"]:
                    if not any(text in r for r in raised):
                        problems.append(f"{sid}: expected a flag mentioning {text!r}, got {raised or 'none'}")
                if not want["flag"] and raised:
                    problems.append(f"{sid}: expected no flag, got {raised}")
            outputs = autograded_text(args.db, sid, assignment) if want["absent"] or want["max_bytes"] else ""
            for text in want["absent"]:
                if text in outputs:
                    problems.append(f"{sid}: {text!r} appears in the autograded notebook's outputs")
            if want["max_bytes"] is not None and len(outputs) > want["max_bytes"]:
                problems.append(f"{sid}: the autograded notebook's outputs hold {len(outputs):,} bytes, "
                                f"more than {want['max_bytes']:,}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if args.expect and not problems:
        print(f"all {len(args.expect)} expected scores match")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
