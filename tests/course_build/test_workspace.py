"""The learner workspace (tools/workspace.py): created once, then never overwritten."""

import ast
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from course.assignments import LAB_FILES, active
from tools import workspace

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRST = next(iter(active()))
NOTEBOOK = f"assignments/{FIRST}/{FIRST}.ipynb"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree(folder):
    """{relative path: sha256} of every file under `folder`."""
    return {os.path.relpath(os.path.join(d, n), folder): digest(os.path.join(d, n))
            for d, _, names in os.walk(folder) for n in names}


def learner_edit(path):
    """What a learner does: change a cell and save (here with nbformat, as JupyterLab writes JSON)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\n\nMy notes: clip before the update, not after."
    nbformat.write(nb, path)
    return digest(path)


@pytest.fixture
def course(tmp_path):
    """A scratch copy of what the workspace is built from (release/ and the lab files)."""
    root = tmp_path / "course"
    for assignment in active():
        shutil.copytree(os.path.join(ROOT, "release", assignment), root / "release" / assignment,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for rel in LAB_FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(os.path.join(ROOT, rel), root / rel)
    return root


def test_first_sync_copies_every_assignment_and_lab(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    for assignment, (notebook, _) in active().items():
        assert (ws / "assignments" / assignment / notebook).is_file()
        assert (ws / "assignments" / assignment / "grading.py").is_file()
    for rel in LAB_FILES:
        assert (ws / rel).is_file(), rel
    assert (ws / "README.md").is_file()
    for assignment in active():
        assert f"assignments/{assignment}/{assignment}.ipynb" in (ws / "README.md").read_text()


def test_learner_edit_survives_an_unchanged_and_a_changed_release(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    mine = learner_edit(ws / NOTEBOOK)
    (ws / "assignments" / FIRST / "scratch.py").write_text("my own file\n")

    out = io.StringIO()
    assert workspace.sync(str(ws), root=str(course), out=out) == []
    assert digest(ws / NOTEBOOK) == mine and out.getvalue() == ""

    # the instructor changes the release: the notebook and a helper
    released = course / "release" / FIRST / f"{FIRST}.ipynb"
    nb = nbformat.read(released, as_version=4)
    nb.cells[0].source += "\n\nErratum: a new hint."
    nbformat.write(nb, released)
    with open(course / "release" / FIRST / "grading.py", "a") as f:
        f.write("\n# a fix\n")
    out = io.StringIO()
    messages = workspace.sync(str(ws), root=str(course), out=out)

    assert digest(ws / NOTEBOOK) == mine, "the learner's notebook must never change"
    assert (ws / "assignments" / FIRST / "scratch.py").read_text() == "my own file\n"
    beside = workspace.beside_name(NOTEBOOK, digest(released))
    assert digest(ws / beside) == digest(released)
    assert len(messages) == 1 and os.path.basename(beside) in messages[0] and "\n" not in messages[0]
    assert out.getvalue() == messages[0] + "\n"
    # an untouched helper is the course's own copy: refreshed in place, nothing of the learner's lost
    assert digest(ws / "assignments" / FIRST / "grading.py") == digest(course / "release" / FIRST / "grading.py")

    # a third sync says nothing new and changes nothing
    before = tree(ws)
    assert workspace.sync(str(ws), root=str(course), out=io.StringIO()) == []
    assert tree(ws) == before


def test_edited_helper_and_missing_record_are_treated_as_the_learners(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    helper = ws / "assignments" / FIRST / "grading.py"
    helper.write_text(helper.read_text() + "\n# my debugging print\n")
    mine = digest(helper)
    os.remove(ws / workspace.RECORD)  # e.g. a workspace copied from elsewhere
    with open(course / "release" / FIRST / "grading.py", "a") as f:
        f.write("\n# a fix\n")
    messages = workspace.sync(str(ws), root=str(course), out=io.StringIO())
    assert digest(helper) == mine
    assert any("grading.new-" in m for m in messages)


def test_deleted_file_comes_back_and_nothing_is_deleted(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    os.remove(ws / NOTEBOOK)
    (ws / "notebooks" / "my_experiment.ipynb").write_text("{}")
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    assert (ws / NOTEBOOK).is_file()
    assert (ws / "notebooks" / "my_experiment.ipynb").read_text() == "{}"


def make(*args, cwd=ROOT):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def course_copy(dest):
    """The repository's files (not its .git, environment, build/ or workspaces) copied to dest: `make release` there
    rewrites the copy's release/, never the one the notebooks, the grader checks and the browser tests read while
    this test runs beside them (`make test` runs the unit tests in parallel with those)."""
    shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "workspace", "__pycache__", ".ipynb_checkpoints"))
    return dest


def test_make_lab_does_not_regenerate_the_release(tmp_path):
    dry = make("-n", "lab", f"WORKSPACE={tmp_path / 'ws'}")
    assert dry.returncode == 0, dry.stderr
    assert "generate_assignment" not in dry.stdout and "tools.workspace" in dry.stdout


def test_saved_work_survives_make_release_and_make_lab(tmp_path):
    """The bar of issue 13: edit and save in the workspace, run `make release` and the sync `make lab`
    runs, the edit is still there byte for byte (and nothing else in the workspace changed)."""
    ws, repo = tmp_path / "ws", course_copy(tmp_path / "course")
    venv = f"VENV={sys.prefix}"   # this environment: the copy has none of its own
    first = make("workspace", f"WORKSPACE={ws}", venv, cwd=repo)
    assert first.returncode == 0, first.stderr
    mine = learner_edit(ws / NOTEBOOK)
    (ws / "assignments" / FIRST / ".ipynb_checkpoints").mkdir()
    (ws / "assignments" / FIRST / ".ipynb_checkpoints" / f"{FIRST}-checkpoint.ipynb").write_text("{}")
    before = tree(ws)
    for target in ("release", "workspace"):
        run = make(target, f"WORKSPACE={ws}", venv, cwd=repo)
        assert run.returncode == 0, run.stderr
        assert target != "release" or "generate_assignment" in make("-n", "release", venv, cwd=repo).stdout
    assert digest(ws / NOTEBOOK) == mine
    assert tree(ws) == before


def test_readme_says_how_to_check_and_hand_in_and_check_is_a_launcher(course, tmp_path):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    readme = (ws / "README.md").read_text()
    assert "## Check your notebook" in readme and f"./check {FIRST}" in readme and "Validate" in readme
    assert "## Hand in" in readme and f"`{NOTEBOOK}`" in readme
    launcher = ws / workspace.LAUNCHER
    assert os.access(launcher, os.X_OK) and launcher.read_text().startswith("#!/bin/sh\n")
    assert f"PYTHONPATH={ROOT} " in launcher.read_text() and "-m grader.selfcheck" in launcher.read_text()


def test_readme_and_launcher_are_refreshed_only_while_untouched(course, tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    workspace.sync(str(ws), root=str(course), out=io.StringIO())
    # the course moves (the launcher names the repository): an untouched launcher follows it
    monkeypatch.setattr(workspace, "ROOT", str(tmp_path / "moved"))
    assert workspace.sync(str(ws), root=str(course), out=io.StringIO()) == []
    assert str(tmp_path / "moved") in (ws / "check").read_text()
    # a learner's own changes to either are never overwritten: the new version lands beside
    (ws / "check").write_text("#!/bin/sh\necho my own check\n")
    (ws / "README.md").write_text((ws / "README.md").read_text() + "\nMy notes.\n")
    mine = tree(ws)
    monkeypatch.setattr(workspace, "ROOT", ROOT)
    messages = workspace.sync(str(ws), root=str(course), out=io.StringIO())
    assert {k: v for k, v in tree(ws).items() if k in mine and k != workspace.RECORD} == \
        {k: v for k, v in mine.items() if k != workspace.RECORD}
    assert len(messages) == 1 and "check.new-" in messages[0]  # README.md's text does not depend on ROOT


def test_the_readme_of_an_earlier_workspace_is_known_as_the_courses(course, tmp_path):
    """Workspaces made before README.md was in the record get the new README, unless the learner edited it."""
    shown = subprocess.run(["git", "show", "67081b1:tools/workspace.py"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip("the commit with the earlier README is not in this clone's history")
    earlier = shown.stdout
    old_readme = ast.literal_eval('"""' + earlier.split('README = """', 1)[1].split('"""', 1)[0] + '"""')
    for edited, expect_new in ((False, True), (True, False)):
        ws = tmp_path / f"ws-{edited}"
        workspace.sync(str(ws), root=str(course), out=io.StringIO())
        record = json.loads((ws / workspace.RECORD).read_text())
        del record["README.md"]
        (ws / workspace.RECORD).write_text(json.dumps(record))
        text = old_readme + ("\nmine\n" if edited else "")
        (ws / "README.md").write_text(text)
        workspace.sync(str(ws), root=str(course), out=io.StringIO())
        assert ((ws / "README.md").read_text() == workspace.readme()) == expect_new
        assert ((ws / "README.md").read_text() == text) == (not expect_new)
