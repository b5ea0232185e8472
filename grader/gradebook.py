"""nbgrader's gradebook, filled from the grading results through nbgrader's own database API.

- The assignment and its grade cells are created by `nbgrader generate_assignment` run from the repository's
  source/ (into a temporary release folder, so the course folder gets nothing but the database rows); this
  happens again only when the instructor notebook changed.
- Each student gets one SubmittedAssignment (nbgrader's update_or_create: never a second one); each grade cell
  gets `auto_score` = the points the unit measured.
- **Flagged for review** (a static finding, a limit hit, a repair, an internal error) is represented the way
  formgrader shows it: the SubmittedNotebook's `flagged` is set (the flag icon in formgrader's submission
  list), and the grade cells get `needs_manual_grade = True`, so the submission appears under "needs manual
  grading" and in `nbgrader export`. The points are kept: `score` stays the measured `auto_score` until a
  grader enters a manual score in formgrader, which then takes precedence (nbgrader's rule). A regrade of a
  changed submission clears an earlier manual score of that student, since it was given to another notebook.

The database is `sqlite:///<course>/gradebook.db` unless --db gives another URL (PostgreSQL for a large
course, see README). Only the coordinator writes it.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import warnings

from nbgrader.api import Gradebook, MissingEntry

from tools.assignments import ASSIGNMENTS, ROOT


def db_url(course, url=None):
    return url or f"sqlite:///{os.path.join(course, 'gradebook.db')}"


def source_hash(assignment):
    with open(os.path.join(ROOT, "source", assignment, ASSIGNMENTS[assignment][0]), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ensure_assignment(course, assignment, url, state):
    """Create or update the assignment's cells in the gradebook (nbgrader generate_assignment), when needed."""
    want = source_hash(assignment)
    known = state.setdefault("assignments", {})
    if known.get(assignment) == want and _has_assignment(url, assignment):
        return
    with tempfile.TemporaryDirectory(prefix="charlm-release-") as release:
        args = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--log-level=ERROR",
                f"--CourseDirectory.release_directory={release}", f"--CourseDirectory.db_url={url}"]
        made = subprocess.run(args, cwd=ROOT, text=True, capture_output=True)
    if made.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{made.stdout}{made.stderr}")
    known[assignment] = want


def _has_assignment(url, assignment):
    with Gradebook(url) as gb:
        try:
            gb.find_assignment(assignment)
            return True
        except MissingEntry:
            return False


def sync(url, assignment, records, synced):
    """Write the results of `records` ({student: record}) whose key is not yet in `synced` ({student: key}).

    Idempotent: writing a result twice leaves the same rows (so a run killed before it recorded `synced` redoes
    the work harmlessly). Updates `synced` in place; returns the number of students written.
    """
    written = 0
    # nbgrader's add_submission trips SQLAlchemy autoflush warnings of its own; the rows are right
    warnings.filterwarnings("ignore", message=".*not in session.*")
    with Gradebook(url) as gb:
        for student, record in sorted(records.items()):
            if synced.get(student) == record["key"]:
                continue
            result = record["result"]
            gb.update_or_create_student(student)
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                sub = gb.add_submission(assignment, student)
            changed = student in synced and synced[student] != record["key"]
            flagged = bool(result.get("flagged"))
            for nb in sub.notebooks:
                nb.flagged = flagged
                for g in nb.grades:
                    cell = result.get("cells", {}).get(g.name)
                    g.auto_score = float(cell["points"]) if cell else 0.0
                    g.needs_manual_grade = flagged
                    if changed:
                        g.manual_score = None
            gb.db.commit()
            synced[student] = record["key"]
            written += 1
    return written


def manual_scores(url, assignment):
    """{(student, grade_id): manual score} entered by graders (formgrader) for the assignment."""
    found = {}
    with Gradebook(url) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return found
        for student in gb.students:
            try:
                sub = gb.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.manual_score is not None:
                        found[(student.id, g.name)] = float(g.manual_score)
    return found
