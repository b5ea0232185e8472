"""A Jupyter server extension for the course's JupyterLab (`make lab`, `make formgrader`).

nbgrader's Validate button answers "Success! Your notebook passes all the tests." for a notebook
whose graded cells all pass, including an optional lab that has none, after running it from top
to bottom (minutes of training). With this extension loaded, Validate on a notebook without graded
cells runs nothing and answers with NO_GRADED_TESTS instead (nbgrader's dialog shows it under
"There was an error running the validate command:"). Graded notebooks are validated as before.

Loaded with `--ServerApp.jpserver_extensions=tools.lab_server=True` (the Makefile does).

RefuseAutograde is what the formgrader's Autograde button runs under `make formgrader` (see
nbgrader_config.py): a preprocessor that stops with GRADE_WITH_THE_DRIVER.
"""

import os

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.server_extensions.validate_assignment import handlers

NO_GRADED_TESTS = ("Nothing to validate: this notebook has no graded tests. It is an optional lab and nothing "
                   "in it is graded; Validate checks the graded assignments (their notebooks are in assignments/).")


def has_graded_cells(path):
    nb = nbformat.read(path, as_version=4)
    return any(utils.is_grade(cell) for cell in nb.cells)


def _validate_notebook(original):
    def validate_notebook(self, path):
        fullpath = os.path.join(self.root_dir, path)
        try:
            graded = has_graded_cells(fullpath)
        except Exception:  # unreadable: let nbgrader report it as it does
            graded = True
        if not graded:
            return {"success": False, "value": NO_GRADED_TESTS}
        return original(self, path)
    validate_notebook.course_wrapped = True
    return validate_notebook


def _jupyter_server_extension_points():
    return [{"module": "tools.lab_server"}]


def _load_jupyter_server_extension(serverapp):
    handler = handlers.ValidateAssignmentHandler
    if not getattr(handler.validate_notebook, "course_wrapped", False):
        handler.validate_notebook = _validate_notebook(handler.validate_notebook)
    serverapp.log.info("course: Validate on a notebook without graded cells says it has no graded tests")


GRADE_WITH_THE_DRIVER = (
    "Autograde is turned off in this course's formgrader: nbgrader's autograde runs student code with your "
    "permissions, unsandboxed, next to the gradebook that holds the hidden tests. Grade with the course's "
    "sandboxed driver instead: python -m grader grade --assignment NAME --submissions DIR --course DIR "
    "(see the README, section For instructors)."
)


class RefuseAutograde(NbGraderPreprocessor):
    """The only Autograde preprocessor under `make formgrader` (nbgrader_config.py): it stops with a message."""

    def preprocess(self, nb, resources):
        raise RuntimeError(GRADE_WITH_THE_DRIVER)
