"""nbgrader's gradebook, filled from the grading results through nbgrader's own database API.

- The assignment and its grade cells are created by nbgrader generate_assignment's own database step run on
  the repository's source/ (the course folder gets the database rows, no release files); again only when the
  instructor notebook changed.
- Each student gets one SubmittedAssignment (nbgrader's update_or_create: never a second one); each grade cell
  gets `auto_score` = the points the unit measured.
- **Flagged for review** (a static finding, a limit hit, a repair) is represented the way
  formgrader shows it: the SubmittedNotebook's `flagged` is set (the flag icon in formgrader's submission
  list), and the grade cells get `needs_manual_grade = True`, so the submission appears under "needs manual
  grading" and in `nbgrader export`. The points are kept: `score` stays the measured `auto_score` until a
  grader enters a manual score in formgrader, which then takes precedence (nbgrader's rule). A regrade of a
  changed submission clears an earlier manual score of that student, since it was given to another notebook.

The database is `sqlite:///<course>/gradebook.db` unless --db gives another URL (PostgreSQL for a large
course, see docs/grading.md). Only the coordinator writes it.
"""

import functools
import hashlib
import os
import sqlite3
import warnings

from course.assignments import ASSIGNMENTS, COURSE_ID, ROOT, source_notebook
from grader.store import version

CODE_STUB = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}   # as in nbgrader_config.py


def db_url(course, url=None):
    return url or f"sqlite:///{os.path.join(course, 'gradebook.db')}"


def source_hash(assignment):
    with open(source_notebook(assignment), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ensure_assignment(course, assignment, url, state):
    """Create or update the assignment's cells in the gradebook, when the instructor notebook changed.

    This is nbgrader generate_assignment's database step (LockCells, ClearSolutions, ClearOutput,
    ComputeChecksums, SaveCells, with the course's code stub), run in this process on source/<assignment>/:
    the course folder gets the rows and no release files.
    """
    want = source_hash(assignment)
    known = state.setdefault("assignments", {})
    sqlite_file = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
    if known.get(assignment) == want and (os.path.exists(sqlite_file) if sqlite_file else
                                          _has_assignment(url, assignment)):
        return
    import nbformat
    from nbgrader.preprocessors import ClearOutput, ClearSolutions, ComputeChecksums, LockCells, SaveCells

    notebook = ASSIGNMENTS[assignment][0]
    nb = nbformat.read(os.path.join(ROOT, "source", assignment, notebook), as_version=4)
    with nbgrader_api().Gradebook(url, COURSE_ID) as gb:
        gb.update_or_create_assignment(assignment)
    resources = {"nbgrader": {"db_url": url, "assignment": assignment, "notebook": notebook[:-len(".ipynb")]}}
    for step in (LockCells(), ClearSolutions(code_stub=CODE_STUB), ClearOutput(), ComputeChecksums(), SaveCells()):
        nb, resources = step.preprocess(nb, resources)
    known[assignment] = want


def _has_assignment(url, assignment):
    api = nbgrader_api()
    with api.Gradebook(url) as gb:
        try:
            gb.find_assignment(assignment)
            return True
        except api.MissingEntry:
            return False


def open_gradebook(url):
    return nbgrader_api().Gradebook(url)


def nbgrader_api():
    """nbgrader.api (imported in seconds: only when something is read or written), whose new gradebooks get their
    migration head from this process. nbgrader asks a subprocess, `alembic heads`, for every new database: it needs
    the `alembic` command on PATH (a grader run as .venv/bin/python without the environment activated failed on a
    new course folder) and costs a second Python start (about 3 s) per new gradebook."""
    from nbgrader import api

    api.get_alembic_version = alembic_head
    return api


@functools.cache
def alembic_head():
    """The revision `alembic heads` prints for nbgrader's migrations, read from its migration scripts."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def sync(gb, assignment, records, synced):
    """Write the results of `records` ({student: record}) not yet in `synced` ({student: {"key", "id"}}).

    Idempotent: writing a result twice leaves the same rows (so a run killed before it recorded `synced` redoes
    the work harmlessly). Each student is written and committed on their own: a failure is rolled back and is
    that student's alone (not recorded in `synced`, so the next run writes them). Updates `synced` in place;
    returns (the number of students written, {student: why} of those that failed).
    """
    written, failed = 0, {}
    # nbgrader's add_submission trips SQLAlchemy autoflush warnings of its own; the rows are right
    warnings.filterwarnings("ignore", message=".*not in session.*")
    for student, record in sorted(records.items()):
        before = synced.get(student) or {}
        if before.get("id") == version(record):
            continue
        try:
            _write(gb, assignment, student, record, before)
            gb.db.commit()
        except Exception as e:  # noqa: BLE001 (this student alone; the database stays as it was for them)
            gb.db.rollback()
            failed[student] = f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
            continue
        synced[student] = {"key": record["key"], "id": version(record)}
        written += 1
    return written, failed


def _write(gb, assignment, student, record, before):
    from nbgrader.api import MissingEntry

    result = record["result"]
    gb.update_or_create_student(student)
    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        sub = gb.add_submission(assignment, student)
    changed = before.get("key") not in (None, record["key"])   # another notebook than the one reviewed
    flagged = bool(result.get("flagged"))
    for nb in sub.notebooks:
        nb.flagged = flagged
        for g in nb.grades:
            cell = result.get("cells", {}).get(g.name)
            g.auto_score = float(cell["points"]) if cell else 0.0
            g.needs_manual_grade = flagged
            if changed:
                g.manual_score = None


MANUAL_SQL = """select sa.student_id, bc.name, g.manual_score from grade g
    join submitted_notebook sn on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id
    join assignment a on sa.assignment_id = a.id join base_cell bc on g.cell_id = bc.id
    where a.name = ? and g.manual_score is not null"""


def manual_scores(url, assignment):
    """{(student, grade_id): manual score} entered by graders (formgrader) for the assignment.

    One read-only query; for SQLite without importing nbgrader (seconds), so an unchanged rerun stays quick.
    """
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not os.path.exists(path):
            return {}
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            try:
                return {(s, n): float(v) for s, n, v in db.execute(MANUAL_SQL, (assignment,))}
            except sqlite3.OperationalError:   # not a gradebook yet
                return {}
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as db:
        rows = db.execute(text(MANUAL_SQL.replace("?", ":a")), {"a": assignment})
        return {(s, n): float(v) for s, n, v in rows}
