"""A Jupyter server extension for the course's JupyterLab (`make lab`, `make formgrader`).

Loaded with `--ServerApp.jpserver_extensions=tools.lab_server=True` (the Makefile does). It adds:

- POST /charlm/check {"path": NOTEBOOK}: the learner's self-check (grader/selfcheck.py, the same judge in the
  same sandbox as `python -m grader grade`) on a saved notebook under the server's root, run as a child
  process (the server keeps answering meanwhile). The answer is the short list the Validate button of the
  learner's lab shows (tools/jupyter_config_learner/labextensions/charlm-check): a title, the summary line
  (points, and how many graded tests fail), one line per failing test, the grader's review notes. On a
  notebook without graded tests (the optional lab) it says so plainly.
- A pre-save hook: notebooks are saved without widget state (metadata `widgets`) and a widget's view in an
  output is saved as a one-line text saying to run its cell again. Saved widget state is what JupyterLab
  rewrites as soon as it opens a notebook (an untouched notebook would ask to be saved), and a view without
  its state reopens as "Error displaying widget: model not found".
- nbgrader's own Validate (kept in the instructor's lab) on a notebook without graded cells runs nothing and
  answers NO_GRADED_TESTS, instead of "Success! Your notebook passes all the tests." after minutes of training.

RefuseAutograde is what the formgrader's Autograde button runs under `make formgrader` (see
nbgrader_config.py): a preprocessor that stops with GRADE_WITH_THE_DRIVER.
"""

import asyncio
import json
import os
import sys

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.server_extensions.validate_assignment import handlers

from course.assignments import ROOT

NO_GRADED_TESTS = ("Nothing to validate: this notebook has no graded tests. It is an optional lab and nothing "
                   "in it is graded; Validate checks the graded assignments (their notebooks are in assignments/).")
CHECK_TIMEOUT = 900  # seconds: the grader's budget for one notebook (600) and its start, with room to spare
SHORT = 240  # characters of a failing test's reason in the short list (./check prints it whole)
WIDGET_STATE = "widgets"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_HINT = "(an interactive widget: run this cell to show it again)"


# ---------------------------------------------------------------------------------------------------------------
# the self-check behind the learner's Validate button

def short_list(report):
    """What the Validate dialog shows for a grader.selfcheck report: {"title", "ok", "summary", "lines"}."""
    name = os.path.basename(str(report.get("path", "")))
    status = report.get("status")
    if status == "no-tests":
        return {"title": f"{name}: no graded tests", "ok": True, "summary": report["summary"], "lines": []}
    if status not in ("graded", "unreadable", "internal-error"):
        return {"title": f"{name}: not checked", "ok": False, "summary": str(report.get("summary")), "lines": []}
    lines = []
    if not report.get("sandboxed", True):
        lines.append("Not sandboxed: bubblewrap is missing here, so your notebook ran as a plain process.")
    for c in report.get("cells", []):
        if c["points"] < c["max_points"]:
            kind = " (hidden test)" if c.get("hidden") else ""
            reason = " ".join(str(c.get("message", "")).split())
            reason = reason if len(reason) <= SHORT else reason[:SHORT - 3] + "..."
            lines.append(f"{c['id']}{kind}: {c['points']:g} of {c['max_points']:g} points: {reason}")
    lines += [f"Review: {r}" for r in report.get("review", [])]
    lines += [f"Note: {n}" for n in report.get("notes", [])]
    if (report.get("seed") or {}).get("source") == "practice":   # no seed token: not the grade's hidden inputs
        lines.append(f"Note: {report['seed']['note']}")
    title = f"{name}: {report.get('score', 0):g} of {report.get('max_score', 0):g} points"
    return {"title": title, "ok": report.get("exit") == 0, "summary": report["summary"], "lines": lines}


async def run_check(path, workspace):
    """grader.selfcheck on one notebook in a child process; its short list, or one of ours if it failed."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "grader.selfcheck", "--json", "--workspace", workspace, path, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=ROOT, PYTHONSAFEPATH="1"), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CHECK_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return {"title": "Not checked", "ok": False, "lines": [],
                "summary": f"The check did not finish in {CHECK_TIMEOUT} s; try ./check in a terminal."}
    try:
        return short_list(json.loads(out.decode().strip().splitlines()[-1]))
    except (ValueError, IndexError, KeyError, TypeError):
        tail = (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1][:300]
        return {"title": "Not checked", "ok": False, "lines": [],
                "summary": f"The check could not run ({tail}); try ./check in a terminal."}


def _check_handler():
    from jupyter_server.base.handlers import APIHandler
    from tornado import web

    class CheckHandler(APIHandler):
        @web.authenticated
        async def post(self):
            body = self.get_json_body() or {}
            root = os.path.realpath(self.settings["server_root_dir"])
            target = os.path.realpath(os.path.join(root, str(body.get("path", ""))))
            if not target.startswith(root + os.sep) or not target.endswith(".ipynb") or not os.path.isfile(target):
                raise web.HTTPError(400, "not a notebook under this lab's folder")
            self.finish(json.dumps(await run_check(target, root)))

    return CheckHandler


# ---------------------------------------------------------------------------------------------------------------
# saving without widget state

def strip_widgets(model, **kwargs):
    """Pre-save hook: no widget state in a saved notebook, and widget views as a one-line text."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    if isinstance(nb.get("metadata"), dict):
        nb["metadata"].pop(WIDGET_STATE, None)
    for cell in nb.get("cells") or []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for out in outputs if isinstance(outputs, list) else []:
            data = out.get("data") if isinstance(out, dict) else None
            if isinstance(data, dict) and WIDGET_VIEW in data:
                out["data"] = {"text/plain": WIDGET_HINT}


# ---------------------------------------------------------------------------------------------------------------
# nbgrader's Validate (the instructor's lab) on an ungraded lab

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
    from jupyter_server.utils import url_path_join

    handler = handlers.ValidateAssignmentHandler
    if not getattr(handler.validate_notebook, "course_wrapped", False):
        handler.validate_notebook = _validate_notebook(handler.validate_notebook)
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", [(url_path_join(web_app.settings["base_url"], "charlm/check"), _check_handler())])
    serverapp.contents_manager.register_pre_save_hook(strip_widgets)
    serverapp.log.info("course: /charlm/check (the self-check), notebooks saved without widget state")


GRADE_WITH_THE_DRIVER = (
    "Autograde is turned off in this course's formgrader: nbgrader's autograde runs student code with your "
    "permissions, unsandboxed, next to the gradebook that holds the hidden tests. Grade with the course's "
    "sandboxed driver instead: python -m grader grade --assignment NAME --submissions DIR --course DIR "
    "(see docs/grading.md)."
)


class RefuseAutograde(NbGraderPreprocessor):
    """The only Autograde preprocessor under `make formgrader` (nbgrader_config.py): it stops with a message."""

    def preprocess(self, nb, resources):
        raise RuntimeError(GRADE_WITH_THE_DRIVER)
