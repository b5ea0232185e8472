"""Print the gradebook after autograding, and optionally check it against expected scores.

usage: python -m tools.gradebook [--expect SPEC.py ...]
Each spec file (see tools/submissions.py) names its student (the file name) and may carry an
`# expected_score: N` line and an `# expected_failures: test_a, test_b` line (or `none`): the exact
set of graded cells that must not get full points. With --expect, any student whose score or set
of failed cells differs, or who has no grade at all, is reported and the exit status is 1.
"""

import argparse
import os
import sys

from nbgrader.api import Gradebook, MissingEntry

from tools.submissions import parse, student_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expectations(spec):
    """(expected score or None, expected set of failed cells or None) from a spec's header lines."""
    score = failures = None
    with open(spec, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith("# expected_score:"):
                score = float(line.split(":", 1)[1])
            elif line.startswith("# expected_failures:"):
                names = line.split(":", 1)[1].strip()
                failures = set() if names == "none" else {n.strip() for n in names.split(",") if n.strip()}
    return score, failures


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
        graded = {(sid, name): (score, manual, set(failed)) for sid, name, score, _, manual, failed in rows}
        for spec in args.expect:
            assignment, _, _ = parse(spec)
            want_score, want_failures = expectations(spec)
            got = graded.get((student_id(spec), assignment))
            if got is None:
                problems.append(f"{student_id(spec)}: no grade recorded for {assignment}")
                continue
            score, manual, failed = got
            if manual:
                problems.append(f"{student_id(spec)}: flagged for manual grading")
            if want_score is not None and score != want_score:
                problems.append(f"{student_id(spec)}: expected {want_score:g} points, got {score:g}")
            if want_failures is not None and failed != want_failures:
                problems.append(f"{student_id(spec)}: expected failed cells {sorted(want_failures) or 'none'}, "
                                f"got {sorted(failed) or 'none'}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if args.expect and not problems:
        print(f"all {len(args.expect)} expected scores match")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
