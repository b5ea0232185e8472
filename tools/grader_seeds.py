"""The hidden tests check the same things whatever the learner's seed: the mutant and valid corpora graded under
many course secrets (`make grader-seeds`; issue 20 point 3).

    python -m tools.grader_seeds [--secrets 20] [--assignment NAME ...] [--workers 2] [--out build/grader-seeds]

For each assignment, grader_tests/mutants and grader_tests/valid are built as one class, then graded (sandboxed,
as `python -m grader grade --regrade` grades, without feedback or gradebook) once per course secret, each into a
scratch course of its own under --out; after each, every spec must get exactly the outcome it declares
(grader/expect.py: a mutant loses exactly its declared cells, a valid notebook loses nothing and gets no flag),
and every result must record the seed grader/seeds.py derives for its student under that secret, a different
seed under every secret. The secrets are fixed (sha256 of "charlm grader-seeds <k>"), so a failure can be
reproduced with the same command; the seed of each failing student is printed.

It grades (mutants + valid) x secrets notebooks: about 2,600 for the three assignments at 20 secrets, hours on
two cores, so it is not part of `make test` (`make grader-check` grades every corpus once, under a fixed secret).
Exit status 0 when every outcome matches under every secret, 1 otherwise.
"""

import argparse
import glob
import hashlib
import os
import shutil
import sys
import time

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from course.assignments import ASSIGNMENTS, active  # noqa: E402
from grader import driver, expect, inputs, seeds, store  # noqa: E402
from grader import specs as submissions  # noqa: E402

CORPORA = ("mutants", "valid")


def _quiet(_line):
    """The driver's per-submission lines are not printed (one line per secret is)."""


def secret(k):
    """The k-th fixed course secret of this sweep (64 hex digits)."""
    return hashlib.sha256(f"charlm grader-seeds {k}".encode()).hexdigest()


def specs_of(assignment):
    return sorted(p for corpus in CORPORA for p in glob.glob(os.path.join(ROOT, "grader_tests", corpus,
                                                                           f"{assignment}_*.py")))


def build(specs, out):
    """Write the specs as a class of submissions in `out` (nbgrader layout), as `python -m grader build` does."""
    for spec in specs:
        assignment, base, edits = submissions.parse(spec)
        folder = os.path.join(out, submissions.student_id(spec), assignment)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, ASSIGNMENTS[assignment][0]), "w", encoding="utf-8") as f:
            f.write(nbformat.writes(submissions.build(assignment, base, edits)))


def prepare(assignment, out):
    """(specs, submissions) of the assignment's corpora, built as one class under `out`."""
    specs = specs_of(assignment)
    submitted = os.path.join(out, f"{assignment}-submitted")
    shutil.rmtree(submitted, ignore_errors=True)   # our own scratch, rebuilt each run
    build(specs, submitted)
    return specs, inputs.find_submissions(submitted, assignment)


def grade_under(k, assignment, specs, subs, out, workers, seen, cell_timeout=20.0):
    """Grade one assignment's corpora under the k-th secret; the problems found (one line each)."""
    course = os.path.join(out, assignment, str(k))
    shutil.rmtree(course, ignore_errors=True)
    outcome = driver.grade(course, assignment, subs, workers=workers, cell_timeout=cell_timeout, regrade=True,
                           secret=secret(k), log=_quiet)
    found = [f"{who}: not graded: {why}" for who, why in sorted(outcome.not_graded.items())]
    found += expect.check(course, specs)
    results = store.load_results(course, assignment)
    for spec in specs:
        student = submissions.student_id(spec)
        want = seeds.seed_for(secret(k), student, assignment)
        got = (results.get(student) or {}).get("result", {}).get("seed")
        if got != want:
            found.append(f"{student}: the result records seed {got!r}, not its own {want!r}")
        if want in seen.setdefault((assignment, student), set()):
            found.append(f"{student}: seed {want} drawn under two secrets")
        seen[(assignment, student)].add(want)
    return [f"{assignment} secret {k} (seed {seeds.seed_for(secret(k), line.split(':', 1)[0], assignment)}): {line}"
            for line in found]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tools.grader_seeds", description=__doc__.split("\n\n")[0])
    ap.add_argument("--secrets", type=int, default=20, help="how many course secrets (default 20)")
    ap.add_argument("--assignment", action="append", choices=list(ASSIGNMENTS), help="default: every active one")
    ap.add_argument("--workers", type=int, default=2, help="submissions graded at once (default 2)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "grader-seeds"), help="scratch folder (rebuilt)")
    args = ap.parse_args(argv)
    if args.secrets < 1:
        ap.error("--secrets must be at least 1")
    t0, problems, seen = time.monotonic(), [], {}
    out = os.path.abspath(args.out)
    names = args.assignment or list(active())
    classes = {a: prepare(a, out) for a in names}
    for k in range(args.secrets):   # secret after secret, every assignment under each: a partial run covers all
        for assignment, (specs, subs) in classes.items():
            t1 = time.monotonic()
            found = grade_under(k, assignment, specs, subs, out, args.workers, seen)
            print(f"secret {k + 1}/{args.secrets}, {assignment}: {len(specs)} notebooks, "
                  f"{'all expected outcomes match' if not found else f'{len(found)} problem(s)'} "
                  f"({time.monotonic() - t1:.0f} s)", flush=True)
            for line in found:
                print(f"  error: {line}", flush=True)
            problems += found
    total = sum(len(specs) for specs, _ in classes.values()) * args.secrets
    print(f"grader-seeds: {total} gradings ({args.secrets} secrets) in {time.monotonic() - t0:.0f} s: "
          f"{'every expected outcome matches' if not problems else f'{len(problems)} problem(s)'}")
    for line in problems:
        print(f"error: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
