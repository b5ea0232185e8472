"""`python -m grader grade`: inputs, nothing lost, incremental, resumable, parallel; with the fake unit (fast)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import pytest
from grader_helpers import ROOT, build_class, csv_rows, env, grade_args, grader, tree_checksums

from grader import inputs


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """A class of 12 in nbgrader's layout, plus a broken notebook, a symlinked one and extra files."""
    root = tmp_path_factory.mktemp("class")
    subs = build_class(root / "submitted", 12)
    broken = subs / "broken" / "dinosaur_island"
    broken.mkdir(parents=True)
    (broken / "dinosaur_island.ipynb").write_text("{ this is not json", encoding="utf-8")
    linked = subs / "linked" / "dinosaur_island"
    linked.mkdir(parents=True)
    os.symlink(subs / "s00000_dinosaur_island_solution" / "dinosaur_island" / "dinosaur_island.ipynb",
               linked / "dinosaur_island.ipynb")
    extra = subs / "s00001_dinosaur_island_partial" / "dinosaur_island"
    (extra / "notes.txt").write_text("mine", encoding="utf-8")
    os.symlink("../../../gradebook.db", extra / "sneaky.txt")
    return subs


def test_inputs_never_follow_links_and_list_other_files(klass):
    subs = {s.student: s for s in inputs.find_submissions(str(klass), "dinosaur_island")}
    assert len(subs) == 14
    assert subs["linked"].text() == "" and any("symlink" in n for n in subs["linked"].notes)
    files = {f["name"]: f["kind"] for f in subs["s00001_dinosaur_island_partial"].files}
    assert files == {"notes.txt": "file", "sneaky.txt": "symlink"}
    assert subs["broken"].text() == "{ this is not json"


def test_student_ids_from_lms_file_names():
    f = inputs.student_from_name
    assert f("smithjohn_12345_67890_dinosaur_island.ipynb", "dinosaur_island") == "12345"
    assert f("smithjohn_late_12345_67890_dinosaur_island-1.ipynb", "dinosaur_island") == "12345"
    assert f("John Smith_4711_assignsubmission_file_dinosaur_island.ipynb", "dinosaur_island") == "4711"
    assert f("alice_dinosaur_island.ipynb", "dinosaur_island") == "alice"
    assert f("bob.ipynb", "dinosaur_island") == "bob"
    assert f("carol__v2.ipynb", "dinosaur_island") == "carol"
    assert inputs.safe_student("../../etc") == ("_.._etc", True)


def test_zip_guards(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../../escape.ipynb", "{}")
        z.writestr("/abs.ipynb", "{}")
        z.writestr("alice.ipynb", "{}")
        z.writestr("big.ipynb", "x" * 5000)
    old = inputs.MAX_NOTEBOOK_BYTES
    inputs.MAX_NOTEBOOK_BYTES = 1000
    try:
        subs = {s.student: s for s in inputs.find_submissions(str(bad), "dinosaur_island")}
    finally:
        inputs.MAX_NOTEBOOK_BYTES = old
    assert set(subs) == {"alice", "big"}
    assert subs["big"].text() == "" and "not read" in subs["big"].notes[0]
    (tmp_path / "plain.zip").write_text("not a zip")
    with pytest.raises(inputs.InputError, match="neither a folder nor a .zip"):
        inputs.find_submissions(str(tmp_path / "plain.zip"), "dinosaur_island")


@pytest.mark.parametrize("args, message", [
    (["--submissions", "/nonexistent/x"], "no such file or folder"),
    (["--assignment", "nope"], "unknown assignment 'nope'"),
])
def test_bad_input_is_one_clear_line(tmp_path, args, message):
    base = {"--assignment": "dinosaur_island", "--submissions": str(tmp_path), "--course": str(tmp_path / "c")}
    base.update(dict(zip(args[::2], args[1::2])))
    done = grader("grade", *[x for kv in base.items() for x in kv], check=False)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_class_graded_nothing_lost(klass, tmp_path):
    course = tmp_path / "course"
    (course / "mine").mkdir(parents=True)
    (course / "mine" / "lecture.ipynb").write_text("keep me", encoding="utf-8")
    (course / "gradebook.db.bak").write_text("keep me too", encoding="utf-8")
    before, kept = tree_checksums(klass), tree_checksums(course)
    done = grader(*grade_args(klass, course))
    assert tree_checksums(klass) == before
    after = tree_checksums(course)
    assert all(after.get(k) == v for k, v in kept.items())
    rows = csv_rows(course)
    assert sorted(r["student"] for r in rows) == sorted(os.listdir(klass))
    by = {r["student"]: r for r in rows}
    assert by["s00000_dinosaur_island_solution"]["score"] == "24"
    assert by["s00002_dinosaur_island_untouched"]["score"] == "0"
    assert by["broken"]["flagged"] == "yes" and "unreadable" in by["broken"]["reasons"]
    assert by["linked"]["score"] == "0"
    with sqlite3.connect(course / "gradebook.db") as db:
        n = db.execute("select count(*) from submitted_assignment").fetchone()[0]
        flagged = db.execute("select count(*) from submitted_notebook where flagged").fetchone()[0]
    assert n == 14 and flagged == sum(r["flagged"] == "yes" for r in rows)
    assert (course / "feedback" / "s00000_dinosaur_island_solution" / "dinosaur_island" /
            "dinosaur_island.html").exists()
    assert "could not be graded" in (course / "feedback" / "broken" / "dinosaur_island" /
                                     "dinosaur_island.html").read_text()
    assert (course / "summary" / "dinosaur_island.png").exists()
    assert "Flagged for review" in (course / "summary" / "dinosaur_island.md").read_text()
    assert "no hidden-test text" in done.stdout


def test_flat_folder_and_zip_give_the_same_grades(tmp_path):
    build_class(tmp_path / "nb", 10)
    build_class(tmp_path / "flat", 10, layout="flat")
    build_class(tmp_path / "class.zip", 10, layout="zip")
    results = []
    for name in ("nb", "flat", "class.zip"):
        before = tree_checksums(tmp_path / name)
        grader(*grade_args(tmp_path / name, tmp_path / f"course-{name}", "--no-feedback"))
        assert tree_checksums(tmp_path / name) == before
        results.append(csv_rows(tmp_path / f"course-{name}"))
    assert len(results[0]) == 10 and results[0] == results[1] == results[2]


def test_workers_2_same_as_workers_1(tmp_path):
    build_class(tmp_path / "subs", 12)
    grader(*grade_args(tmp_path / "subs", tmp_path / "one", "--no-feedback"), sleep=0.05)
    grader(*grade_args(tmp_path / "subs", tmp_path / "two", "--no-feedback", "--workers", "2"), sleep=0.05)
    assert csv_rows(tmp_path / "one") == csv_rows(tmp_path / "two")


def test_kill_9_midway_then_rerun_grades_each_exactly_once(tmp_path):
    subs = build_class(tmp_path / "subs", 16)
    course = tmp_path / "course"
    before = tree_checksums(subs)
    proc = subprocess.Popen([sys.executable, "-m", "grader", *grade_args(subs, course, "--no-feedback")],
                            cwd=ROOT, env=env(sleep=0.4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        results = course / "results" / "dinosaur_island"
        deadline = time.time() + 60
        while time.time() < deadline and len(list(results.glob("*.json")) if results.exists() else []) < 4:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    first = len(list(results.glob("*.json")))
    assert 4 <= first < 16
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert f"graded {16 - first} submission(s)" in done.stdout
    rows = csv_rows(course)
    assert sorted(r["student"] for r in rows) == sorted(os.listdir(subs))
    with sqlite3.connect(course / "gradebook.db") as db:
        per_student = db.execute("select student_id, count(*) from submitted_assignment group by student_id").fetchall()
    assert len(per_student) == 16 and all(n == 1 for _, n in per_student)
    t0 = time.time()
    again = grader(*grade_args(subs, course, "--no-feedback"))
    assert time.time() - t0 < 10
    assert "nothing new or changed (16 already graded)" in again.stdout
    assert csv_rows(course) == rows
    assert tree_checksums(subs) == before


def test_changed_submission_is_regraded_alone(tmp_path):
    subs = build_class(tmp_path / "subs", 4)
    course = tmp_path / "course"
    grader(*grade_args(subs, course, "--no-feedback"))
    path = subs / "s00002_dinosaur_island_untouched" / "dinosaur_island" / "dinosaur_island.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "FAKE-FLAG\n"
    path.write_text(json.dumps(nb))
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert "graded 1 submission(s)" in done.stdout
    row = {r["student"]: r for r in csv_rows(course)}["s00002_dinosaur_island_untouched"]
    assert row["flagged"] == "yes" and "FAKE-FLAG" in row["reasons"]
    done = grader(*grade_args(subs, course, "--no-feedback", "--regrade"))
    assert "graded 4 submission(s)" in done.stdout and len(csv_rows(course)) == 4
