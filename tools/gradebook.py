"""Print the gradebook after autograding, and optionally check it against expected scores.

usage: python -m tools.gradebook [--expect SPEC.py ...]
Each spec file (see tools/submissions.py) names its student (the file name) and may carry an
`# expected_score: N` line; with --expect, any student whose score differs, or who has no grade
at all, is reported and the exit status is 1.
"""

import argparse
import os
import sys

from nbgrader.api import Gradebook, MissingEntry

from tools.submissions import parse, student_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expected_score(spec):
    with open(spec, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for line in lines:
        if line.startswith("# expected_score:"):
            return float(line.split(":", 1)[1])
    return None


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
        print(f"{'student':<28} {'assignment':<18} {'score':>12}  tests not passed")
        for sid, name, score, max_score, manual, failed in sorted(rows):
            flag = "  NEEDS MANUAL GRADE" if manual else ""
            print(f"{sid:<28} {name:<18} {score:>5g} / {max_score:<4g}  {', '.join(failed) or '-'}{flag}")
        graded = {(sid, name): (score, manual) for sid, name, score, _, manual, _ in rows}
        for spec in args.expect:
            assignment, _, _ = parse(spec)
            want = expected_score(spec)
            got = graded.get((student_id(spec), assignment))
            if got is None:
                problems.append(f"{student_id(spec)}: no grade recorded for {assignment}")
            elif want is not None and (got[0] != want or got[1]):
                problems.append(f"{student_id(spec)}: expected {want:g} points, got {got[0]:g}"
                                + (" (flagged for manual grading)" if got[1] else ""))
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if args.expect and not problems:
        print(f"all {len(args.expect)} expected scores match")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
