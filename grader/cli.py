"""The instructor's command.

    python -m grader grade --assignment NAME --submissions DIR|ZIP --course DIR
                           [--workers N] [--scheduler tcp://HOST:PORT] [--cell-timeout S] [--budget S]
                           [--regrade] [--dry-run [--scratch DIR]] [--no-feedback] [--db URL]
                           [--student-pattern REGEX] [--allow-unsandboxed] [--quiet]
    python -m grader build --out DIR [--layout nbgrader|flat|zip] SPEC.py...   (test classes from specifications)
    python -m grader expect --course DIR SPEC.py...                            (check declared outcomes)

`grade` reads the submissions (never writing there), grades those that are new or changed, and brings the
course folder up to date: results/, autograded/, gradebook.db, grades.csv, summary/, then feedback/. Nothing in
the course folder is deleted. With --dry-run it grades into a scratch folder outside the course instead
and prints what the same command without --dry-run would change, per student: the score before ->
after, the cells that change and why; the course folder is only read (not a byte of it changes). It refuses to
run learners' code where it cannot sandbox it, unless --allow-unsandboxed says the instructor accepts that.
The hidden tests draw each learner's inputs from a seed derived from the course's secret, <course>/grader-secret,
made on first need (grader/seeds.py); a dry run uses it when it exists and never makes it.
Exit status: 0 when every submission has a grade; 1 when a submission could not be graded because of a fault of
ours (it has no grade, and the next run grades it) or on a problem with the class as a whole (feedback that leaks
hidden-test text, a failed gradebook); 2 for bad arguments, unreadable submissions, or no sandbox.

This module parses and checks the arguments and prints; the run itself, its steps in order, is grader/pipeline.py.
"""

import argparse
import os
import re
import sys
from dataclasses import fields

from course.assignments import ASSIGNMENTS
from grader import pipeline
from grader.defaults import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT, GradeOptions
from grader.pipeline import Fail


def _course(path):
    course = os.path.abspath(path)
    if os.path.exists(course) and not os.path.isdir(course):
        raise Fail(f"--course {path}: exists and is not a folder")
    os.makedirs(course, exist_ok=True)
    return course


def cmd_grade(args):
    options = GradeOptions(**{f.name: getattr(args, f.name) for f in fields(GradeOptions)})
    if options.assignment not in ASSIGNMENTS:
        raise Fail(f"unknown assignment {options.assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
    if options.workers < 1:
        raise Fail("--workers must be at least 1")
    if options.scratch and not options.dry_run:
        raise Fail("--scratch is for --dry-run")
    submissions_path = os.path.abspath(options.submissions)
    if options.dry_run:   # the course folder is only read: not even created
        course = os.path.abspath(options.course)
        if os.path.exists(course) and not os.path.isdir(course):
            raise Fail(f"--course {options.course}: exists and is not a folder")
    else:
        course = _course(options.course)
    if course == submissions_path or course.startswith(submissions_path + os.sep):
        raise Fail("--course must not be inside --submissions (the submissions are never written to)")
    if options.student_pattern:
        try:
            pattern = re.compile(options.student_pattern)
        except re.error as e:
            raise Fail(f"--student-pattern: {e}") from None
        if "student" not in pattern.groupindex:
            raise Fail("--student-pattern needs a group named student, e.g. '^(?P<student>[^_]+)_'")
    problems = pipeline.grade(options)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_build(args):
    """Write specification files as a class of submissions (each spec once, or cycled to --size students)."""
    import io
    import zipfile

    import nbformat

    from grader import specs as submissions

    built = []
    for spec in args.specs:
        assignment, base, edits = submissions.parse(spec)
        text = nbformat.writes(submissions.build(assignment, base, edits))
        built.append((submissions.student_id(spec), assignment, text))
    if args.size:
        built = [(f"s{i:05d}_{built[i % len(built)][0]}", *built[i % len(built)][1:]) for i in range(args.size)]
    out = os.path.abspath(args.out)
    if args.layout == "nbgrader":
        paths = [(os.path.join(student, a, ASSIGNMENTS[a][0]), text) for student, a, text in built]
    else:  # flat and zip: <student>_<assignment>.ipynb, the pattern grader.inputs reads back
        paths = [(f"{student}_{a}.ipynb", text) for student, a, text in built]
    if args.layout == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in paths:
                z.writestr(name, text)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(buf.getvalue())
    else:
        for name, text in paths:
            os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
            with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                f.write(text)
    print(f"{len(built)} submission(s) in {out} ({args.layout} layout)")
    return 0


def cmd_expect(args):
    from grader.expect import check

    problems = check(os.path.abspath(args.course), args.specs)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        print(f"all {len(args.specs)} expected outcomes match")
    return 1 if problems else 0


def parser():
    ap = argparse.ArgumentParser(prog="python -m grader", description="Grade a class of notebook submissions.")
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade the new or changed submissions of one assignment")
    g.add_argument("--assignment", required=True, help=f"one of {', '.join(ASSIGNMENTS)}")
    g.add_argument("--submissions", required=True, help="nbgrader layout folder, flat folder or .zip (read only)")
    g.add_argument("--course", required=True, help="course folder for the results (created; never emptied)")
    g.add_argument("--workers", type=int, default=GradeOptions.workers,
                   help="submissions graded at once on this machine")
    g.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:port) to grade on its workers")
    g.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT,
                   help=f"seconds per cell (default {DEFAULT_CELL_TIMEOUT:g})")
    g.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                   help=f"seconds per notebook in all (default {DEFAULT_BUDGET:g})")
    g.add_argument("--regrade", action="store_true", help="grade every submission again, changed or not")
    g.add_argument("--dry-run", action="store_true",
                   help="grade into a scratch folder and print what would change (per student: score before -> "
                        "after, the cells that change and why); nothing in the course folder is written")
    g.add_argument("--scratch", help="the dry run's scratch folder (new, empty, or an earlier dry run's; default: a "
                                     "new folder in the system's temporary folder); its changes.md is the report")
    g.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    g.add_argument("--db", help="gradebook database URL (default sqlite:///<course>/gradebook.db)")
    g.add_argument("--student-pattern", help="regex with a group named student, matched on file names")
    g.add_argument("--allow-unsandboxed", action="store_true",
                   help="where bubblewrap cannot sandbox, run learners' code anyway, as a plain process with "
                        "resource limits only (it can then read what you can read); refused by default")
    g.add_argument("--quiet", action="store_true", help="do not print the class table")
    g.set_defaults(run=cmd_grade)
    b = sub.add_parser("build", help="write specification files (grader_tests/) as a class of submissions")
    b.add_argument("--out", required=True)
    b.add_argument("--layout", choices=["nbgrader", "flat", "zip"], default="nbgrader")
    b.add_argument("--size", type=int, default=0, help="students in all: the specs cycled, ids s00000_<spec>...")
    b.add_argument("specs", nargs="+")
    b.set_defaults(run=cmd_build)
    e = sub.add_parser("expect", help="check graded specifications against their declared outcomes")
    e.add_argument("--course", required=True)
    e.add_argument("specs", nargs="+")
    e.set_defaults(run=cmd_expect)
    return ap


def main(argv=None):
    for stream in (sys.stdout, sys.stderr):   # a learner's odd string (a lone surrogate) is printed as its escape
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = parser().parse_args(argv)
    # nbgrader's code may run commands of this interpreter's environment (alembic; gradebook.py reads its head itself)
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    try:
        return args.run(args)
    except Fail as e:
        print(f"error: {e}", file=sys.stderr)
        return e.status
    except (RuntimeError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: results written so far are kept; run the same command again to finish", file=sys.stderr)
        return 130
