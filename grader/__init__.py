"""The course's grading system: a class of notebook submissions in, grades, feedback and a summary out.

- grader.unit (with grader.intake, sandbox, harness, judge, rpc): grade_submission(job) -> result, one
  submission, judged outside the learner's process, which runs in a minimal sandbox; never raises, runs in any
  process (here, a process pool or a Dask worker);
- grader.inputs: finds submissions in nbgrader's layout, a flat folder or a .zip, without following links;
- grader.driver: the coordinator: what to grade (content hashes), the unit run by an executor, results kept
  as they come;
- grader.store: the course folder (result files written atomically, state, lock) and the text written there;
- grader.executors: where the unit runs: here, in a local process pool, or on a dask.distributed cluster;
- grader.results: verdicts as types (Outcome), a zero verdict, a result that is our fault;
- grader.gradebook, grader.feedback, grader.report: nbgrader's gradebook, feedback HTML, grades.csv and the
  class summary, all rebuilt from the result files by the one coordinating process;
- grader.pipeline: a `grade` run as an ordered list of steps (grade, gradebook, CSV, summary, feedback);
- grader.cli: `python -m grader grade ...`: parses, checks and prints (see docs/grading.md).
"""

import sys

# nbformat and nbgrader import jsonschema, which builds a URI grammar at import time when the optional
# rfc3987_syntax package is installed (about 2 s per process here). Notebooks and the gradebook have no
# URI formats to check, and the grader starts processes per class and per submission: tell jsonschema
# the package is absent.
sys.modules.setdefault("rfc3987_syntax", None)
