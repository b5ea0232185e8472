"""tools/lab_server.py and the formgrader settings of nbgrader_config.py."""

import os
import subprocess
import sys
import types

import pytest

from tools import lab_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_validate_on_a_notebook_without_graded_cells_says_so():
    validate = lab_server._validate_notebook(lambda self, path: {"success": True, "value": {}})
    server = types.SimpleNamespace(root_dir=ROOT)
    assert validate(server, "notebooks/shakespeare.ipynb") == {"success": False, "value": lab_server.NO_GRADED_TESTS}
    assert "no graded tests" in lab_server.NO_GRADED_TESTS
    # a graded notebook goes to nbgrader's own validation
    assert validate(server, "release/dinosaur_island/dinosaur_island.ipynb") == {"success": True, "value": {}}


def config_under(env):
    """Autograde preprocessors and the exchange as nbgrader_config.py sets them in an environment."""
    code = ("from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
            "print([p.__name__ for p in c.Autograde.autograde_preprocessors]); print(c.Exchange.root)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, **env), capture_output=True,
                         text=True, check=True)
    return run.stdout.split("\n")[:2]


def test_formgrader_autograde_refuses_and_exchange_is_course_local():
    names, exchange = config_under({"CHARLM_FORMGRADER": "1"})
    assert names == "['RefuseAutograde']" and exchange == os.path.join(ROOT, "build", "exchange")
    with pytest.raises(RuntimeError, match="python -m grader grade --assignment NAME"):
        lab_server.RefuseAutograde().preprocess(None, {})


def test_command_line_autograde_is_unchanged():
    env = {k: v for k, v in os.environ.items() if k != "CHARLM_FORMGRADER"}
    code = ("import os; os.environ.pop('CHARLM_FORMGRADER', None)\n"
            "from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
            "print([p.__name__ for p in c.Autograde.autograde_preprocessors])")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "Execute" in run.stdout and "RefuseAutograde" not in run.stdout


# ---------------------------------------------------------------------------------------------------------------
# the self-check behind the learner lab's Validate button, and saving without widget state

def graded_report(**overrides):
    report = {"path": "/ws/assignments/dinosaur_island/dinosaur_island.ipynb", "assignment": "dinosaur_island",
              "status": "graded", "exit": 1, "score": 10.0, "max_score": 24.0, "sandboxed": True,
              "summary": "10 of 24 points: 2 of 3 graded tests fail", "review": [], "notes": [],
              "cells": [{"id": "test_clip", "hidden": False, "outcome": "passed", "points": 4.0, "max_points": 4.0,
                         "message": ""},
                        {"id": "test_sample", "hidden": False, "outcome": "failed", "points": 0.0, "max_points": 3.0,
                         "message": "sample(...): expected 3 indices, got " + "x" * 400},
                        {"id": "test_sample_hidden", "hidden": True, "outcome": "error", "points": 0.0,
                         "max_points": 3.0, "message": "NotImplementedError: "}]}
    report.update(overrides)
    return report


def test_validate_shows_the_points_and_one_line_per_failing_test():
    answer = lab_server.short_list(graded_report())
    assert answer["title"] == "dinosaur_island.ipynb: 10 of 24 points" and not answer["ok"]
    assert answer["summary"] == "10 of 24 points: 2 of 3 graded tests fail"
    assert [line.split(":")[0] for line in answer["lines"]] == ["test_sample", "test_sample_hidden (hidden test)"]
    assert len(answer["lines"][0]) <= lab_server.SHORT + 40 and answer["lines"][0].endswith("...")
    unsandboxed = lab_server.short_list(graded_report(sandboxed=False, review=["flag"], notes=["note"]))
    assert unsandboxed["lines"][0].startswith("Not sandboxed") and unsandboxed["lines"][-2:] == ["Review: flag",
                                                                                                "Note: note"]
    assert lab_server.short_list(graded_report(exit=0))["ok"]


def test_validate_on_the_lab_says_it_has_no_graded_tests_without_the_word_error(tmp_path):
    import asyncio
    import shutil

    path = tmp_path / "notebooks" / "shakespeare.ipynb"
    path.parent.mkdir()
    shutil.copy(os.path.join(ROOT, "notebooks", "shakespeare.ipynb"), path)
    answer = asyncio.run(lab_server.run_check(str(path), str(tmp_path)))  # the real self-check, in a child process
    assert answer["title"] == "shakespeare.ipynb: no graded tests" and answer["ok"] and answer["lines"] == []
    assert "no graded tests" in answer["summary"] and "error" not in str(answer).lower()


def test_notebooks_are_saved_without_widget_state():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    model = {"type": "notebook", "content": {
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}, "kernelspec": {"name": "python3"}},
        "cells": [{"cell_type": "code", "outputs": [
            {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": view,
                                                     "text/plain": "VBox(children=(Text(..."}},
            {"output_type": "stream", "name": "stdout", "text": "kept\n"}]},
            {"cell_type": "markdown", "source": "kept"}]}}
    lab_server.strip_widgets(model=model, path="x.ipynb")
    nb = model["content"]
    assert nb["metadata"] == {"kernelspec": {"name": "python3"}}
    assert nb["cells"][0]["outputs"][0]["data"] == {"text/plain": lab_server.WIDGET_HINT}
    assert nb["cells"][0]["outputs"][1]["text"] == "kept\n" and nb["cells"][1]["source"] == "kept"
    other = {"type": "file", "content": "widgets"}
    lab_server.strip_widgets(model=other, path="x.txt")
    assert other == {"type": "file", "content": "widgets"}


# ---------------------------------------------------------------------------------------------------------------
# the two labs as the Makefile starts them

def make_dry(*args):
    return subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.replace("\\\n", " ")


def test_each_lab_keeps_its_own_settings_and_layout(tmp_path):
    lab = make_dry("lab", f"WORKSPACE={tmp_path / 'ws'}")
    grader = make_dry("formgrader", f"COURSE={tmp_path / 'course'}")
    for line, state in ((lab, tmp_path / "ws" / ".lab"), (grader, os.path.join(ROOT, "build", "formgrader-lab"))):
        assert f"--LabApp.user_settings_dir={state}/settings" in line
        assert f"--LabApp.workspaces_dir={state}/workspaces" in line
        assert "--KernelManager.transport_encryption=auto" in line  # no "running over TCP without encryption"
    assert "--LabApp.default_url=/lab/tree/README.md" in lab and "charlm-check" not in grader
    # the learner's lab runs in the workspace (its terminals start there), the workspace off its module path
    assert f"\ncd {tmp_path / 'ws'} && " in lab and " -P -m jupyterlab " in lab
    assert "jupyter_config_learner/labextensions" in lab
    assert f"CHARLM_COURSE={tmp_path / 'course'}" in grader


def test_formgrader_on_a_course_folder_uses_its_gradebook_and_folders(tmp_path):
    c = str(tmp_path)
    code = ("import os\n"
            "from traitlets.config.loader import PyFileConfigLoader\n"
            "for env in ({}, {'CHARLM_COURSE': %r}, {'CHARLM_COURSE': %r, 'CHARLM_COURSE_DB': 'postgresql://h/db'}):\n"
            "    os.environ.update(env)\n"
            "    d = PyFileConfigLoader('nbgrader_config.py', path='.').load_config().CourseDirectory\n"
            "    print(d.db_url, d.autograded_directory, d.feedback_directory, d.submitted_directory)\n" % (c, c))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARLM_COURSE")}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    default, course, postgres = (line.split() for line in run.stdout.splitlines())
    assert default[0] == "sqlite:///gradebook.db"
    assert course == [f"sqlite:///{c}/gradebook.db", f"{c}/autograded", f"{c}/feedback", f"{c}/submitted"]
    assert postgres[0] == "postgresql://h/db" and postgres[1:] == course[1:]
