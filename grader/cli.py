"""The instructor's command.

    python -m grader grade --assignment NAME --submissions DIR|ZIP --course DIR
                           [--workers N] [--scheduler tcp://HOST:PORT] [--cell-timeout S] [--budget S]
                           [--regrade] [--no-feedback] [--db URL] [--student-pattern REGEX]
    python -m grader build --out DIR [--layout nbgrader|flat|zip] SPEC.py...   (test classes from specifications)
    python -m grader expect --course DIR SPEC.py...                            (check declared outcomes)

`grade` reads the submissions (never writing there), grades those that are new or changed, and brings the
course folder up to date: results/, autograded/, gradebook.db, feedback/, grades.csv, summary/. Nothing in the
course folder is deleted. Exit status: 0 when every submission has a grade, 1 on a problem with the class
as a whole (feedback that leaks hidden-test text, a failed gradebook), 2 for bad arguments.
"""

import argparse
import os
import re
import sys
import time

from tools.assignments import ASSIGNMENTS


class Fail(Exception):
    """A problem to report in one line, with exit status 2 (bad input) or 1."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


def _course(path):
    course = os.path.abspath(path)
    if os.path.exists(course) and not os.path.isdir(course):
        raise Fail(f"--course {path}: exists and is not a folder")
    os.makedirs(course, exist_ok=True)
    return course


def cmd_grade(args):
    from grader import driver, feedback, gradebook, inputs, report

    if args.assignment not in ASSIGNMENTS:
        raise Fail(f"unknown assignment {args.assignment!r}; known: {', '.join(sorted(ASSIGNMENTS))}")
    if args.workers < 1:
        raise Fail("--workers must be at least 1")
    submissions_path = os.path.abspath(args.submissions)
    course = _course(args.course)
    if course == submissions_path or course.startswith(submissions_path + os.sep):
        raise Fail("--course must not be inside --submissions (the submissions are never written to)")
    pattern = None
    if args.student_pattern:
        try:
            pattern = re.compile(args.student_pattern)
        except re.error as e:
            raise Fail(f"--student-pattern: {e}") from None
        if "student" not in pattern.groupindex:
            raise Fail("--student-pattern needs a group named student, e.g. '^(?P<student>[^_]+)_'")
    url = gradebook.db_url(course, args.db)
    t0 = time.time()
    try:
        subs = inputs.find_submissions(submissions_path, args.assignment, pattern)
    except inputs.InputError as e:
        raise Fail(str(e)) from None
    if not subs:
        raise Fail(f"{args.submissions}: no {args.assignment} submissions found (see `python -m grader.inputs` "
                   "docs in README: nbgrader layout <student>/<assignment>/*.ipynb, or a flat folder/zip of .ipynb)")
    print(f"{args.assignment}: {len(subs)} submission(s) in {args.submissions}", flush=True)
    with driver.CourseLock(course):
        state = driver.load_state(course)
        graded, skipped = driver.grade(course, args.assignment, subs, workers=args.workers,
                                       scheduler=args.scheduler, cell_timeout=args.cell_timeout, budget=args.budget,
                                       regrade=args.regrade)
        if graded == 0:
            print(f"{args.assignment}: nothing new or changed ({skipped} already graded)")
        records = driver.load_results(course, args.assignment)
        t1 = time.time()
        gradebook.ensure_assignment(course, args.assignment, url, state)
        driver.save_state(course, state)
        synced = state.setdefault("gradebook", {}).setdefault(args.assignment, {})
        if any((synced.get(s) or {}).get("id") != driver.version(r) for s, r in records.items()):
            with gradebook.open_gradebook(url) as gb:
                written = gradebook.sync(gb, args.assignment, records, synced)
            driver.save_state(course, state)
            print(f"gradebook: {written} submission(s) written to {url} ({time.time() - t1:.1f} s)")
        manual = {name: gradebook.manual_scores(url, name) for name in ASSIGNMENTS
                  if os.path.isdir(os.path.join(course, "results", name))}
        problems = 0
        if not args.no_feedback:
            made = state.setdefault("feedback", {}).setdefault(args.assignment, {})
            changed = [s for s, r in sorted(records.items()) if made.get(s) != driver.version(r)]
            for s in changed:
                if not records[s].get("has_notebook"):
                    feedback.write_ungraded(course, args.assignment, s, records[s]["result"])
                    made[s] = driver.version(records[s])
            todo = [s for s in changed if records[s].get("has_notebook")]
            t1 = time.time()
            errors = feedback.generate(course, args.assignment, url, todo, workers=args.workers)
            for student in todo:
                if student in errors:
                    print(f"warning: no feedback for {student}: {errors[student].strip().splitlines()[-1:]}",
                          file=sys.stderr)
                else:
                    made[student] = driver.version(records[student])
            driver.save_state(course, state)
            if changed:
                leaked = feedback.leaks(course)
                for path, line in leaked:
                    print(f"error: hidden-test text in {path}: {line!r}", file=sys.stderr)
                problems += len(leaked)
                print(f"feedback: {len(changed) - len(errors)} file(s) written to {course}/feedback"
                      f"{'; no hidden-test text in it' if not leaked else ''} ({time.time() - t1:.1f} s)")
        by_assignment = {name: report.rows(course, name, scores) for name, scores in manual.items()}
        csv_path = report.write_csv(course, by_assignment)
        found = by_assignment[args.assignment]
        fingerprint = report.fingerprint(found)
        summaries = state.setdefault("summary", {})
        if summaries.get(args.assignment) != fingerprint or not os.path.exists(
                os.path.join(course, "summary", f"{args.assignment}.png")):
            report.write_summary(course, args.assignment, found)
            summaries[args.assignment] = fingerprint
            driver.save_state(course, state)
        from grader import similarity  # after the summary, to which it adds a section; for review, never a penalty
        try:
            similar = similarity.report(course, args.assignment)
        except (OSError, RuntimeError, ValueError) as e:   # the grades are all written: only the report is lost
            similar = None
            print(f"warning: no similarity report: {e}", file=sys.stderr)
        if similar:
            print(f"similarity: {similar}")
        if not args.quiet:
            report.print_table(by_assignment[args.assignment])
        print(f"grades: {csv_path}; summary: {course}/summary/{args.assignment}.md (.png); "
              f"{time.time() - t0:.1f} s in all")
    return 1 if problems else 0


def cmd_build(args):
    """Write specification files as a class of submissions (each spec once, or cycled to --size students)."""
    import io
    import zipfile

    import nbformat

    from tools import submissions

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
    g.add_argument("--workers", type=int, default=1, help="submissions graded at once on this machine")
    g.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:port) to grade on its workers")
    g.add_argument("--cell-timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    g.add_argument("--budget", type=float, default=600.0, help="seconds per notebook in all (default 600)")
    g.add_argument("--regrade", action="store_true", help="grade every submission again, changed or not")
    g.add_argument("--no-feedback", action="store_true", help="skip the feedback HTML")
    g.add_argument("--db", help="gradebook database URL (default sqlite:///<course>/gradebook.db)")
    g.add_argument("--student-pattern", help="regex with a group named student, matched on file names")
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
    args = parser().parse_args(argv)
    # nbgrader's Gradebook runs `alembic` and we run nbgrader: both from this interpreter's environment
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
