"""nbgrader settings for the course. The course root is this folder (run nbgrader from here)."""

import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, GetGrades, IgnorePattern,
                                    SaveAutoGrades)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nbgrader.converters import GenerateAssignment  # noqa: E402

from course.assignments import COURSE_ID  # noqa: E402
from grader.feedback_page import TEMPLATES, FeedbackExporter, FeedbackPage  # noqa: E402
from tools.nbgrader_ext import ClearWidgetState, HideHiddenTests, LimitOutputSize  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = COURSE_ID
# a course-local exchange, so release, fetch, submit and collect work on one machine (git-ignored)
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build", "exchange")
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# the build writes copies of shared files into source/; never carry caches into a release
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache"]

# releases carry no widget state (it makes JupyterLab rewrite an untouched notebook on open): nbgrader's steps,
# then ClearWidgetState (tools/nbgrader_ext.py)
c.GenerateAssignment.preprocessors = [*GenerateAssignment.class_traits()["preprocessors"].default(),
                                      ClearWidgetState]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# a runaway submission (an infinite loop, a hung kernel) costs a bounded time, not the batch
c.ExecutePreprocessor.timeout = 120
c.ExecutePreprocessor.interrupt_on_timeout = True

# nbgrader's defaults, with LimitOutput replaced by one that also caps characters per output
c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutputSize,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# feedback shows results and messages, never hidden-test source; the page stands alone and runs nothing: learner
# content cleaned, math as MathML, the course's figures embedded, each score named after its exercise, the review
# reasons listed (grader/feedback_page.py, template grader/templates/charlm_feedback). The exporter is a subclass
# of HTMLExporter so that these settings never reach the formgrader's own exporter.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, FeedbackPage, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = FeedbackExporter
c.FeedbackExporter.template_name = "charlm_feedback"
c.FeedbackExporter.template_file = "page.html.j2"  # it extends nbgrader's feedback/index.html.j2
c.FeedbackExporter.extra_template_basedirs = TEMPLATES

# `make formgrader COURSE=DIR` sets CHARLM_COURSE: the formgrader then reads and writes the course folder that
# `python -m grader grade --course DIR` fills (one gradebook per course folder: its gradebook.db, or the URL in
# CHARLM_COURSE_DB, and its submitted/, autograded/ and feedback/), so its flags, needs-manual-grade and the
# manual scores entered there are the class's; source/ and release/ stay this repository's
if os.environ.get("CHARLM_COURSE"):
    _course = os.environ["CHARLM_COURSE"]
    _default_db = f"sqlite:///{os.path.join(_course, 'gradebook.db')}"
    c.CourseDirectory.db_url = os.environ.get("CHARLM_COURSE_DB") or _default_db
    for _step in ("submitted", "autograded", "feedback"):
        setattr(c.CourseDirectory, f"{_step}_directory", os.path.join(_course, _step))

# `make formgrader` sets CHARLM_FORMGRADER: there the Autograde button refuses with a message, since nbgrader's
# autograde runs student code unsandboxed next to the gradebook; instructors grade with the course's driver
if os.environ.get("CHARLM_FORMGRADER"):
    from tools.lab_server import RefuseAutograde
    c.Autograde.autograde_preprocessors = [RefuseAutograde]
