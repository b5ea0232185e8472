"""Per-student feedback HTML, by nbgrader's generate_feedback, from the autograded notebooks and the gradebook.

nbgrader renders <course>/autograded/<student>/<assignment>/<notebook>.ipynb with the scores of the gradebook
into <course>/feedback/<student>/<assignment>/<notebook>.html, with the course's preprocessors from
nbgrader_config.py (HideHiddenTests: no hidden-test source, tracebacks cut to their message). Only students
whose result changed since their feedback was made are rendered, in child processes (as many as --workers, each
with its share of the students; nbgrader's application state stays out of the coordinator, and they only read the
gradebook); then tools.check_feedback searches the feedback for hidden-test text.

usage (internal): python -m grader.feedback COURSE ASSIGNMENT DB_URL < students, one per line
"""

import html
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from tools.assignments import ROOT


def generate(course, assignment, url, students, workers=1):
    """Render feedback for `students` in up to `workers` child processes at once (each renders its share
    and only reads the gradebook); returns {student: error text} for those that failed."""
    if not students:
        return {}
    shares = [students[i::workers] for i in range(min(workers, len(students)))]

    def render(share):
        done = subprocess.run([sys.executable, "-m", "grader.feedback", course, assignment, url], cwd=ROOT,
                              text=True, input="\n".join(share) + "\n", capture_output=True)
        try:
            return json.loads(done.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {s: f"feedback generation failed: {done.stderr.strip()[-500:]}" for s in share}

    errors = {}
    with ThreadPoolExecutor(len(shares)) as pool:  # threads only wait: each share renders in its own process
        for failed in pool.map(render, shares):
            errors.update(failed)
    return errors


def write_ungraded(course, assignment, student, result):
    """Feedback for a submission that could not be graded (no notebook to render): the reasons, plainly."""
    from grader.driver import write_atomic
    from tools.assignments import ASSIGNMENTS

    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in result.get("reasons", []) + result.get("notes", []))
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(assignment)}</title></head>"
            f"<body><h1>{html.escape(assignment)}: {result.get('score', 0):g} / {result.get('max_score', 0):g}</h1>"
            f"<p>Your submission could not be graded ({html.escape(str(result.get('status')))}).</p>"
            f"<ul>{reasons}</ul></body></html>\n")
    name = ASSIGNMENTS[assignment][0][: -len(".ipynb")] + ".html"
    write_atomic(os.path.join(course, "feedback", student, assignment, name), page)


def leaks(course):
    """(file, line) of hidden-test text found in the course's feedback."""
    from tools import check_feedback  # imports nbformat (seconds): only when feedback was made

    folder = os.path.join(course, "feedback")
    return check_feedback.leaks(folder) if os.path.isdir(folder) else []


def _main(argv):
    import logging

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course, assignment, url = argv
    config = PyFileConfigLoader("nbgrader_config.py", path=ROOT).load_config()
    extra = Config()
    extra.CourseDirectory.root = ROOT
    extra.CourseDirectory.autograded_directory = os.path.join(course, "autograded")
    extra.CourseDirectory.feedback_directory = os.path.join(course, "feedback")
    extra.CourseDirectory.submitted_directory = os.path.join(course, "submitted")
    extra.CourseDirectory.db_url = url
    config.merge(extra)
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    errors = {}
    for student in (line.strip() for line in sys.stdin):
        if not student:
            continue
        out = api.generate_feedback(assignment, student, force=True)
        if not out.get("success"):
            errors[student] = (out.get("error") or out.get("log") or "failed")[-800:]
    print(json.dumps(errors))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
