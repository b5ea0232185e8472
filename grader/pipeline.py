"""The `grade` run as ordered lists of steps, after nbgrader's converters: each step is `step(run)` on one GradeRun.

A run (GRADE_STEPS, in this order):
1. step_grade: grades the new or changed submissions (grader.driver), into results/ and autograded/; the run's
   records are then the assignment's result files;
2. step_gradebook: the assignment and its cells in nbgrader's gradebook, then each changed record written there;
3. step_csv: grades.csv, every assignment of the course folder, with the gradebook's manual scores;
4. step_summary: summary/<assignment>.md and .png (and the last regrade's changes), when what they show changed;
5. step_similarity: the class's similarity report beside the summary (for review, never a penalty);
6. step_feedback: feedback/ pages of the students whose result changed, then searched for hidden-test text;
7. step_report: prints the class table, the submissions not graded (a fault of ours) and where the grades are.

The CSV and the gradebook are written before feedback is rendered, so the slowest step can never keep grades from
the instructor. A step that fails is reported (one line in run.problems) and the run goes on with the next; a
step that needs what a failed one makes does nothing. A Fail ends the run at once (bad input, no sandbox, an
unusable course secret).

A dry run (DRY_RUN_STEPS): step_scratch makes a scratch folder outside the course with a copy of its results and
state, step_grade grades into it, step_changes prints and writes (changes.md, changes.json) what the same command
without --dry-run would change; the course folder is only read. Each step needs the one before, so the first
failure ends a dry run.

`grade(options)` (a GradeOptions, grader/defaults.py) finds the submissions, holds the course's lock (shared for
a dry run), runs the steps and returns the problems, one line each; the command line (grader/cli.py) prints them
and sets the exit status. Steps read the run's options as `run.options`.
"""

import copy
import os
import re
import sys
import time
from dataclasses import dataclass, field

from course.assignments import ASSIGNMENTS
from grader.defaults import GradeOptions


class Fail(Exception):
    """A problem to report in one line, with exit status 2 (bad input) or 1."""

    def __init__(self, message, status=2):
        super().__init__(message)
        self.status = status


@dataclass
class GradeRun:
    """One `grade` run: its options, what each step found, and the problems that make it end non-zero.

    grade() runs GRADE_STEPS (or DRY_RUN_STEPS) in order on it (see the module's docstring)."""

    options: GradeOptions
    course: str
    url: str
    submissions: list
    t0: float
    state: dict = field(default_factory=dict)
    outcome: object = None          # driver.Outcome of the grading step
    records: dict = field(default_factory=dict)   # {student: record} of the assignment, after grading
    by_assignment: dict = None      # {assignment: report rows}, for the CSV, summary and table
    csv_path: str = None            # grades.csv, once written
    problems: list = field(default_factory=list)  # one line each, printed as errors at the end
    scratch: str = None             # a dry run's stand-in course: every write of the grading goes there
    before: dict = None             # a dry run's {student: store.compact} of the course, before it grades
    last: dict = None               # the last regrade (report.last_regrade), for the summary

    @property
    def target(self):
        """Where the grading writes: the course folder, or a dry run's scratch folder (never the course then)."""
        if self.options.dry_run and not self.scratch:
            raise Fail("dry run without a scratch folder: nothing is graded", status=1)
        return self.scratch if self.options.dry_run else self.course

    @property
    def assignment(self):
        return self.options.assignment


def _secret(run):
    """The secret a dry run derives the learners' seeds from (grader/seeds.py): the course's if it has one, else one
    of its scratch folder (it says so); None for a real run, where driver.grade reads the course's secret, or makes
    it when it first grades something."""
    from grader import seeds

    warning = seeds.exposed(run.course)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if not run.options.dry_run:
        return None
    secret = seeds.read_secret(run.course)
    if secret is None:
        print(f"note: {seeds.secret_path(run.course)} does not exist yet (the first grade makes it): this dry run "
              "draws the hidden tests' inputs from a secret of its scratch folder, so each learner's inputs differ "
              "from the ones the real run will draw (a correct notebook's points do not)", flush=True)
        secret = seeds.course_secret(run.scratch)
    return secret


def step_grade(run):
    from grader import driver, seeds, store

    options = run.options
    target = run.target
    try:
        run.outcome = driver.grade(target, options.assignment, run.submissions, workers=options.workers,
                                   scheduler=options.scheduler, cell_timeout=options.cell_timeout,
                                   budget=options.budget, regrade=options.regrade,
                                   allow_unsandboxed=options.allow_unsandboxed, state=run.state, secret=_secret(run))
    except seeds.SeedError as e:   # a course secret that cannot be used: nothing is graded
        raise Fail(str(e), status=1) from None
    except driver.NoSandbox as e:
        raise Fail(str(e)) from None
    if run.outcome.graded == 0 and not run.outcome.not_graded:
        print(f"{options.assignment}: nothing new or changed ({run.outcome.skipped} already graded)")
    run.records = store.load_results(target, options.assignment)


def step_gradebook(run):
    from grader import gradebook, store

    t1 = time.time()
    gradebook.ensure_assignment(run.course, run.assignment, run.url, run.state)
    store.save_state(run.course, run.state)
    synced = run.state.setdefault("gradebook", {}).setdefault(run.assignment, {})
    if any((synced.get(s) or {}).get("id") != store.version(r) for s, r in run.records.items()):
        with gradebook.open_gradebook(run.url) as gb:
            written, failed = gradebook.sync(gb, run.assignment, run.records, synced)
        store.save_state(run.course, run.state)
        print(f"gradebook: {written} submission(s) written to {run.url} ({time.time() - t1:.1f} s)")
        for student, why in sorted(failed.items()):
            run.problems.append(f"gradebook: {student} not written ({why}); the next run writes it")


def step_csv(run):
    from grader import gradebook, report

    manual = {name: gradebook.manual_scores(run.url, name) for name in ASSIGNMENTS
              if os.path.isdir(os.path.join(run.course, "results", name))}
    run.by_assignment = {name: report.rows(run.course, name, scores) for name, scores in manual.items()}
    run.csv_path = report.write_csv(run.course, run.by_assignment)


def step_summary(run):
    from grader import report, store

    if run.by_assignment is None:
        return
    found = run.by_assignment.get(run.assignment, [])
    records = run.records or store.load_results(run.course, run.assignment)
    run.last = report.last_regrade(run.course, run.assignment, run.state, records,
                                   {sub.student for sub in run.submissions})
    fingerprint = report.fingerprint(found, run.last)
    summaries = run.state.setdefault("summary", {})
    if summaries.get(run.assignment) != fingerprint or not os.path.exists(
            os.path.join(run.course, "summary", f"{run.assignment}.png")):
        report.write_summary(run.course, run.assignment, found, run.last)
        summaries[run.assignment] = fingerprint
        store.save_state(run.course, run.state)


def step_similarity(run):
    """The class's similarity report, a section of the summary and a page beside it: for review, never a penalty."""
    from grader import similarity

    try:
        page = similarity.report(run.course, run.assignment)
    except (OSError, RuntimeError, ValueError) as e:  # the grades are all written: only the report is lost
        print(f"warning: no similarity report: {e}", file=sys.stderr)
        return
    if page:
        print(f"similarity: {page}")


def step_feedback(run):
    """Feedback pages of the students whose result changed; one student's failure is a note about that student."""
    from grader import feedback, store

    if run.options.no_feedback:
        return
    records, course, assignment = run.records, run.course, run.assignment
    made = run.state.setdefault("feedback", {}).setdefault(assignment, {})
    changed = [s for s, r in sorted(records.items()) if made.get(s) != store.version(r)]
    errors = {}
    for s in changed:
        if not records[s].get("has_notebook"):
            try:
                feedback.write_ungraded(course, assignment, s, records[s]["result"])
                made[s] = store.version(records[s])
            except Exception as e:  # noqa: BLE001 (this student's page alone)
                errors[s] = f"{type(e).__name__}: {e}"
    todo = [s for s in changed if records[s].get("has_notebook")]
    t1 = time.time()
    try:
        errors.update(feedback.generate(course, assignment, run.url, todo, workers=run.options.workers))
    except Exception as e:  # noqa: BLE001 (feedback is never the end of a run: every page waits for the next)
        errors.update({s: f"{type(e).__name__}: {e}" for s in todo})
    for student in todo:
        if student not in errors:
            made[student] = store.version(records[student])
    store.save_state(course, run.state)
    for student, why in sorted(errors.items()):
        last = (str(why).strip().splitlines() or ["no message"])[-1]
        print(f"note: no feedback for {student} ({store.cap(last, 300)}); the next run tries again",
              file=sys.stderr)
    if changed:
        leaked = feedback.leaks(course)
        for path, line in leaked:
            run.problems.append(f"hidden-test text in {path}: {line!r}")
        print(f"feedback: {len(changed) - len(errors)} file(s) written to {course}/feedback"
              f"{'; no hidden-test text in it' if not leaked else ''} ({time.time() - t1:.1f} s)")


def step_report(run):
    from grader import report

    if run.by_assignment is not None and not run.options.quiet:
        report.print_table(run.by_assignment.get(run.assignment, []))
    not_graded = run.outcome.not_graded if run.outcome else {}
    if not_graded:
        by_reason = {}
        for student, why in sorted(not_graded.items()):
            by_reason.setdefault(why, []).append(student)
        for why, students in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))[:5]:
            names = ", ".join(students[:5]) + (f" and {len(students) - 5:,} more" if len(students) > 5 else "")
            print(f"not graded: {names}: {why}", file=sys.stderr)
        run.problems.append(f"{len(not_graded):,} submission(s) NOT graded because of a fault of ours, not the "
                            "learners' (nothing recorded for them; an earlier grade stays as it was); fix the cause "
                            "above and run the same command again (without --regrade): it grades them")
    if run.options.regrade and run.last:
        print(f"regrade: {report.totals(run.last['changes'], would=False).removeprefix('total: ')}"
              + (f"; {len(run.last['waiting'])} not graded again yet" if run.last["waiting"] else "")
              + " (listed in the summary's \"Last regrade\")")
    print(f"grades: {run.csv_path or 'NOT written'}; summary: {run.course}/summary/{run.assignment}.md (.png); "
          f"{time.time() - run.t0:.1f} s in all")


GRADE_STEPS = [step_grade, step_gradebook, step_csv, step_summary, step_similarity, step_feedback, step_report]


# ---------------------------------------------------------------------------------------------------------------
# --dry-run: grade into a scratch folder, print what would change; the course folder is only read

SCRATCH_MARK = ".charlm-dry-run"    # in a scratch folder this command made (which a later dry run may reuse)


def _overlap(a, b):
    a, b = os.path.realpath(a), os.path.realpath(b)
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep) or b.startswith(a.rstrip(os.sep) + os.sep)


def step_scratch(run):
    """The dry run's stand-in course: --scratch DIR (new, empty, or an earlier dry run's), else a new folder in
    the system's temporary folder; outside the course and the submissions; with a copy of the assignment's results
    and of grader-state.json's content (in memory), so that the grading skips and grades what the real run would."""
    import shutil
    import tempfile

    from grader import store

    options = run.options
    if options.scratch:
        scratch = os.path.abspath(options.scratch)
        for option, other in (("--course", run.course), ("--submissions", os.path.abspath(options.submissions))):
            if _overlap(scratch, other):
                raise Fail(f"--scratch {options.scratch}: must be outside {option} (and not hold it)")
        if os.path.exists(scratch) and not os.path.isdir(scratch):
            raise Fail(f"--scratch {options.scratch}: exists and is not a folder")
        if os.path.isdir(scratch) and os.listdir(scratch) and not os.path.exists(os.path.join(scratch, SCRATCH_MARK)):
            raise Fail(f"--scratch {options.scratch}: not empty, and not a dry run's scratch folder; give a new or "
                       "empty folder")
        for ours in ("results", "autograded", "regrades"):   # an earlier dry run's, in a folder marked as ours
            shutil.rmtree(os.path.join(scratch, ours), ignore_errors=True)
        os.makedirs(scratch, exist_ok=True)
    else:
        temp = os.path.realpath(tempfile.gettempdir())
        for option, other in (("--course", run.course), ("--submissions", os.path.abspath(options.submissions))):
            other = os.path.realpath(other)
            if temp == other or temp.startswith(other.rstrip(os.sep) + os.sep):
                raise Fail(f"the temporary folder {temp} is inside {option}: give the dry run a --scratch folder")
        scratch = tempfile.mkdtemp(prefix=f"charlm-dry-run-{run.assignment}-")
    with open(os.path.join(scratch, SCRATCH_MARK), "w", encoding="utf-8") as f:
        f.write(f"a dry run's scratch folder for {run.course} (python -m grader grade --dry-run); delete it when "
                "done\n")
    order = store.graded_cells(run.assignment)
    run.before = {s: store.compact(r, run.assignment, order)
                  for s, r in store.load_results(run.course, run.assignment).items()}
    store.scratch_course(run.course, run.assignment, scratch)
    run.state = copy.deepcopy(run.state)
    run.scratch = scratch
    print(f"{run.assignment}: dry run{' of --regrade' if options.regrade else ''}: grading into {scratch}; nothing "
          f"in {run.course} is written", flush=True)


def _manual_notes(run, changes):
    """A note on each changed student with a manual score (formgrader) on a cell: it stays and wins, or it would
    be cleared (another notebook)."""
    from grader import gradebook

    try:
        manual = gradebook.manual_scores(run.url, run.assignment)   # a read-only query
    except Exception as e:  # noqa: BLE001 (a note less, never a failed dry run)
        print(f"note: manual scores not read ({type(e).__name__}: {e})", file=sys.stderr)
        return
    for entry in changes["changed"]:
        cells = {gid: v for (s, gid), v in manual.items() if s == entry["student"]}
        if cells:
            listed = ", ".join(f"{gid} {v:g}" for gid, v in sorted(cells.items()))
            entry["manual"] = (f"manual scores in the gradebook ({listed}) would be cleared: another notebook"
                               if entry["notebook"] != "same" else
                               f"manual scores in the gradebook ({listed}) stay, and win over these points")


def step_changes(run):
    """What the same command without --dry-run would change: printed, and written to the scratch folder
    (changes.md to read, changes.json for programs)."""
    from grader import report, store

    if run.outcome is None:   # the grading failed (reported): there is nothing to compare
        return
    not_graded = run.outcome.not_graded
    order = store.graded_cells(run.assignment)
    after = {s: store.compact(r, run.assignment, order) for s, r in run.records.items()}
    changes = report.compare(run.assignment, run.before, after, {sub.student for sub in run.submissions},
                             not_graded)
    _manual_notes(run, changes)
    what = "--regrade" if run.options.regrade else "this run"
    md = [f"# {run.assignment}: what {what} would change (dry run)", "",
          f"Course `{run.course}`, graded into `{run.scratch}` at "
          f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}. Nothing in the course folder was written; the "
          "same command without `--dry-run` makes these changes. Scores are the autograder's (a manual score "
          "entered in formgrader still wins in grades.csv).", "", *report.changes_markdown(changes)]
    for entry in changes["changed"]:
        if entry.get("manual"):
            md.append(f"- `{entry['student']}`: {entry['manual']}")
    store.write_atomic(os.path.join(run.scratch, "changes.md"), "\n".join(md) + "\n")
    store.write_json(os.path.join(run.scratch, "changes.json"),
                      {"assignment": run.assignment, "course": run.course, "regrade": bool(run.options.regrade),
                       "changes": changes})
    print(f"{run.assignment}: what {what} would change in {run.course}:")
    for line in report.format_changes(changes):
        print(line)
    for entry in changes["changed"]:
        if entry.get("manual"):
            print(f"note: {entry['student']}: {entry['manual']}")
    print(f"dry run: nothing in {run.course} was written; the same command without --dry-run makes these changes. "
          f"Report: {os.path.join(run.scratch, 'changes.md')} (and .json; the graded notebooks are in "
          f"{run.scratch}/autograded)")
    if not_graded:
        run.problems.append(f"{len(not_graded):,} submission(s) could not be graded in this dry run because of a "
                            "fault of ours, not the learners' (listed as \"not graded (ours)\" above)")


DRY_RUN_STEPS = [step_scratch, step_grade, step_changes]


def grade(options):
    """Grade options.submissions into options.course (checked by the command line): find the submissions, run the steps
    under the course's lock, return the problems (one line each; none when every step did its work)."""
    from grader import gradebook, inputs, store

    course = os.path.abspath(options.course)
    pattern = re.compile(options.student_pattern) if options.student_pattern else None
    t0 = time.time()
    try:
        subs = inputs.find_submissions(os.path.abspath(options.submissions), options.assignment, pattern)
    except inputs.InputError as e:
        raise Fail(str(e)) from None
    if not subs:
        raise Fail(f"{options.submissions}: no {options.assignment} submissions found (see `python -m grader.inputs` "
                   "docs/grading.md: nbgrader layout <student>/<assignment>/*.ipynb, or a flat folder/zip of .ipynb)")
    print(f"{options.assignment}: {len(subs)} submission(s) in {options.submissions}", flush=True)
    run = GradeRun(options, course, gradebook.db_url(course, options.db), subs, t0)
    with store.CourseLock(course, shared=options.dry_run):
        run.state = store.load_state(course)
        for step in DRY_RUN_STEPS if options.dry_run else GRADE_STEPS:
            try:
                step(run)
            except Fail:
                raise
            except Exception as e:  # noqa: BLE001 (a step's failure is reported; the steps after it still run)
                run.problems.append(f"{step.__name__.removeprefix('step_')}: {type(e).__name__}: "
                                    f"{store.cap(str(e).strip(), 500)}")
                if options.dry_run:   # a dry run's steps each need the one before: its report would be wrong
                    break
    return run.problems
