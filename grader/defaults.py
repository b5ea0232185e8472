"""The grader's defaults and a run's options, in one place: what a run uses unless the instructor says otherwise
(`grade --cell-timeout`, `--budget`, ...). The constants are imported by the command line, the coordinator, the unit,
the judge and the learner's self-check; GradeOptions is what `grade` was asked to do, built once by grader/cli.py
from its arguments and read by the pipeline's steps (grader/pipeline.py) as `run.options`."""

from dataclasses import dataclass

DEFAULT_CELL_TIMEOUT = 60.0   # seconds one cell (or one test) of a notebook may run
DEFAULT_BUDGET = 600.0        # seconds a whole notebook may run; the learner's process gets this + 30 s of CPU time


@dataclass(frozen=True)
class GradeOptions:
    """The options of one `python -m grader grade` run, as the instructor gave them (paths as written)."""

    assignment: str                          # one of course.assignments.ASSIGNMENTS
    submissions: str                         # nbgrader layout folder, flat folder or .zip (only read)
    course: str                              # the course folder the results go to
    workers: int = 1                         # submissions graded at once on this machine
    scheduler: str | None = None             # a Dask scheduler's address (tcp://host:port) to grade on its workers
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    budget: float = DEFAULT_BUDGET
    regrade: bool = False                    # grade every submission again, changed or not
    dry_run: bool = False                    # grade into a scratch folder and print what would change
    scratch: str | None = None               # the dry run's scratch folder (None: a new temporary folder)
    no_feedback: bool = False                # skip the feedback pages
    db: str | None = None                    # the gradebook's URL (None: sqlite:///<course>/gradebook.db)
    student_pattern: str | None = None       # a regex with a group named student, matched on file names
    allow_unsandboxed: bool = False          # where bubblewrap cannot sandbox, run with resource limits only
    quiet: bool = False                      # do not print the class table
