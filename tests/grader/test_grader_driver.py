"""`python -m grader grade`: inputs, nothing lost, incremental, resumable, parallel; with the fake unit (fast)."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile

import pytest

from grader import inputs
from tests.helpers.grader_helpers import (
    ROOT,
    build_class,
    csv_rows,
    env,
    grade_args,
    grader,
    notebook_of,
    set_cell,
    tree_checksums,
)


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
    done = grader(*grade_args(klass, course), PATH=os.defpath)  # run as .venv/bin/python: no venv commands on PATH
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
    # the new gradebook's migration revision is the one nbgrader's own `alembic heads` gives
    with sqlite3.connect(course / "gradebook.db") as db:
        revision = db.execute("select version_num from alembic_version").fetchone()[0]
    venv_path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", os.defpath)
    heads = subprocess.run([sys.executable, "-c", "from nbgrader.api import get_alembic_version as v; print(v())"],
                           env=dict(os.environ, PATH=venv_path), capture_output=True, text=True, check=True)
    assert revision == heads.stdout.strip()
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


# ---------------------------------------------------------------------------------------------------------------
# no class stopped by one notebook

def _result(course, student, assignment="dinosaur_island"):
    with open(course / "results" / assignment / f"{student}.json", encoding="utf-8") as f:
        return json.load(f)


def test_any_string_survives_and_what_one_student_adds_is_bounded(tmp_path):
    """Lone surrogates in what a learner's code printed or raised, and undecodable (Latin-1) names of files,
    folders and students: every rerun writes everything (results, CSV, gradebook, summary, feedback, console).
    And a unit answering 10 MB of reasons and notes and a 1 MB message for one student: that student's result,
    CSV row and summary line stay small."""
    subs = build_class(tmp_path / "subs", 4)
    students = sorted(os.listdir(subs))
    set_cell(notebook_of(subs, students[0]), "FAKE-SURROGATE\n")
    chatty = students[3]
    set_cell(notebook_of(subs, chatty), "FAKE-CHATTY\n")
    beside = os.fsencode(os.path.dirname(notebook_of(subs, students[1])))
    with open(os.path.join(beside, b"caf\xe9 notes \xff.txt"), "wb") as f:
        f.write(b"x")
    os.mkdir(os.path.join(beside, b"d\xe9j\xe0"))
    odd = os.path.join(os.fsencode(str(subs)), b"\xe9l\xe8ve", b"dinosaur_island")   # a student's folder, Latin-1
    os.makedirs(odd)
    shutil.copy(notebook_of(subs, students[0]), os.path.join(odd, b"dinosaur_island.ipynb"))
    course = tmp_path / "course"
    done = grader(*grade_args(subs, course))   # with feedback
    assert "Traceback" not in done.stderr, done.stderr
    rows = {r["student"]: r for r in csv_rows(course)}
    assert sorted(rows) == sorted(students + ["_l_ve"])
    escaped = "caf\\udce9 \\ud800 \\udfff"   # as text: a backslash, u, four hex digits
    for student in (students[0], "_l_ve"):
        assert rows[student]["flagged"] == "yes" and escaped in rows[student]["reasons"]
        result = _result(course, student)["result"]
        assert escaped in result["cells"]["test_clip"]["message"] and result["cells"]["test_clip"]["points"] == 0
        page = (course / "feedback" / student / "dinosaur_island" / "dinosaur_island.html").read_text("utf-8")
        assert "printed \\udce9" in page
    graded = json.loads((course / "autograded" / students[0] / "dinosaur_island" / "dinosaur_island.ipynb").read_text())
    assert "printed \\udce9\n" in [o.get("text") for c in graded["cells"] for o in c.get("outputs", [])]
    notes = " ".join(_result(course, students[1])["result"]["notes"])
    assert "caf\\udce9 notes \\udcff.txt" in notes and "d\\udce9j\\udce0" in notes
    assert any("'\\udce9l\\udce8ve'" in n for n in _result(course, "_l_ve")["result"]["notes"])
    assert escaped in (course / "summary" / "dinosaur_island.md").read_text("utf-8")
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select count(*) from submitted_assignment").fetchone()[0] == 5
    # every rerun, the class table on the console included: nothing new, nothing stops it
    again = grader(*[a for a in grade_args(subs, course) if a != "--quiet"])
    assert "nothing new or changed (5 already graded)" in again.stdout and escaped in again.stdout

    path = course / "results" / "dinosaur_island" / f"{chatty}.json"
    assert path.stat().st_size < 100_000   # the unit answered 10 MB of reasons and notes and a 1 MB message
    result = _result(course, chatty)["result"]
    assert len(result["reasons"]) == 41 and result["reasons"][-1] == "... and 4,960 more"
    assert len(result["cells"]["test_clip"]["message"]) < 2100
    row = {r["student"]: r for r in csv_rows(course)}[chatty]
    assert row["flagged"] == "yes" and 1000 < len(row["reasons"]) < 2100
    assert (course / "summary" / "dinosaur_island.md").stat().st_size < 10_000
    assert max(map(len, again.stdout.splitlines())) < 1000


def test_an_oversized_folder_is_that_students_problem_alone(tmp_path):
    """200,001 files beside one student's notebook (the class's whole tree used to be refused at 200,000
    entries) and a folder 40 levels deep beside another's: both are graded, the first flagged, the class too."""
    # the class in memory (tmpfs) when there is one: 200,001 files are made there in seconds, on disk in minutes
    scratch = tempfile.mkdtemp(prefix="charlm-oversized-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    try:
        subs = build_class(os.path.join(scratch, "subs"), 3)
        students = sorted(os.listdir(subs))
        crowded = os.path.dirname(notebook_of(subs, students[0]))
        for i in range(200_001):
            os.close(os.open(os.path.join(crowded, f"f{i:06d}"), os.O_CREAT | os.O_WRONLY, 0o644))
        os.makedirs(os.path.join(os.path.dirname(notebook_of(subs, students[1])), *["deep"] * 40))
        course = tmp_path / "course"
        t0 = time.time()
        done = grader(*grade_args(subs, course, "--no-feedback"))
        rows = {r["student"]: r for r in csv_rows(course)}
        assert sorted(rows) == students
        assert rows[students[0]]["score"] == "24" and rows[students[0]]["flagged"] == "yes"
        assert f"more than {inputs.MAX_STUDENT_ENTRIES:,} entries" in rows[students[0]]["reasons"]
        assert rows[students[1]]["flagged"] == "no"
        assert any("levels deep" in n for n in _result(course, students[1])["result"]["notes"])
        assert len(_result(course, students[0])["result"]["notes"][0]) < 600   # its 10,000 names, capped
        assert time.time() - t0 < 120, done.stdout
    finally:
        shutil.rmtree(scratch)


def test_listing_a_students_folder_is_bounded_in_count_time_and_depth(tmp_path):
    folder = tmp_path / "alice"
    for i in range(50):
        (folder / f"f{i:02d}").parent.mkdir(exist_ok=True)
        (folder / f"f{i:02d}").write_text("x")
    os.makedirs(folder.joinpath(*["d"] * 12))
    tree = inputs.FolderTree(str(tmp_path))
    listing = inputs.walk(tree, ("alice",), limit=10)
    assert len({e.parts for e in listing.entries}) == 10 and all(len(e.parts) == 1 for e in listing.entries)
    assert listing.cut == "holds more than 10 entries"
    listing = inputs.walk(tree, ("alice",), seconds=0)
    assert listing.cut == "took more than 0 s" and listing.entries == []
    listing = inputs.walk(tree, ("alice",))
    assert not listing.cut and listing.too_deep and len(listing.entries) == 50 + inputs.MAX_DEPTH


# ---------------------------------------------------------------------------------------------------------------
# our faults are not grades

def _auto_scores(course):
    with sqlite3.connect(course / "gradebook.db") as db:
        return dict(db.execute("select sa.student_id, sum(g.auto_score) from grade g join submitted_notebook sn "
                               "on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id "
                               "group by sa.student_id"))


def test_our_faults_are_not_grades_and_a_plain_rerun_grades_them(tmp_path):
    subs = build_class(tmp_path / "subs", 5)
    course = tmp_path / "course"
    grader(*grade_args(subs, course, "--no-feedback"))
    before, scores = {r["student"]: r for r in csv_rows(course)}, _auto_scores(course)
    crashed, answered = sorted(os.listdir(subs))[:2]
    kept = (course / "results" / "dinosaur_island" / f"{crashed}.json").read_bytes()
    set_cell(notebook_of(subs, crashed), "FAKE-CRASH\n")      # changed, then the unit raises
    set_cell(notebook_of(subs, answered), "FAKE-OURS\n")      # changed, then the unit says the judge crashed
    newcomer = subs / "zz_new" / "dinosaur_island"
    newcomer.mkdir(parents=True)
    shutil.copy(notebook_of(subs, crashed), newcomer / "dinosaur_island.ipynb")
    done = grader(*grade_args(subs, course, "--no-feedback"), check=False, CHARLM_FAKE_UNIT_FAULTS="1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "3 submission(s) NOT graded because of a fault of ours" in done.stderr
    assert "run the same command again (without --regrade)" in done.stderr
    assert "the fake unit crashed, as told" in done.stderr and "the fake judge crashed" in done.stderr
    assert f"{crashed}: NOT GRADED, a fault of ours" in done.stdout
    rows = {r["student"]: r for r in csv_rows(course)}
    assert rows == before   # the earlier grades stay as they were; the newcomer has none
    assert (course / "results" / "dinosaur_island" / f"{crashed}.json").read_bytes() == kept
    assert not (course / "results" / "dinosaur_island" / "zz_new.json").exists()
    assert _auto_scores(course) == scores
    again = grader(*grade_args(subs, course, "--no-feedback"))
    assert "graded 3 submission(s)" in again.stdout
    rows = {r["student"]: r for r in csv_rows(course)}
    assert sorted(rows) == sorted(before) + ["zz_new"] and rows["zz_new"]["score"] == rows[crashed]["score"]
    assert set(_auto_scores(course)) == set(rows)


def test_a_regrade_that_failed_or_was_killed_is_finished_by_a_plain_rerun(tmp_path):
    subs = build_class(tmp_path / "subs", 12)
    unlucky = sorted(os.listdir(subs))[3]
    set_cell(notebook_of(subs, unlucky), "FAKE-OURS\n")   # a fault only while CHARLM_FAKE_UNIT_FAULTS=1
    course = tmp_path / "course"
    grader(*grade_args(subs, course, "--no-feedback"))
    before = csv_rows(course)
    done = grader(*grade_args(subs, course, "--no-feedback", "--regrade"), check=False, CHARLM_FAKE_UNIT_FAULTS="1")
    assert done.returncode == 1 and "graded 11 submission(s)" in done.stdout
    assert csv_rows(course) == before
    # the same notebook, unchanged: only the regrade it missed makes the plain run grade it
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert "graded 1 submission(s)" in done.stdout and csv_rows(course) == before
    assert "nothing new or changed" in grader(*grade_args(subs, course, "--no-feedback")).stdout

    results = course / "results" / "dinosaur_island"

    def generation():
        return json.loads((course / "grader-state.json").read_text())["generation"]["dinosaur_island"]

    def regraded():
        current = generation()
        return sum(json.loads(p.read_text()).get("generation") == current for p in results.glob("*.json"))

    earlier = generation()
    proc = subprocess.Popen([sys.executable, "-m", "grader", *grade_args(subs, course, "--no-feedback", "--regrade")],
                            cwd=ROOT, env=env(sleep=0.4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        deadline = time.time() + 60
        while time.time() < deadline and (generation() == earlier or regraded() < 3):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    first = regraded()
    assert 3 <= first < 12
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert f"graded {12 - first} submission(s)" in done.stdout
    assert csv_rows(course) == before


def test_a_grading_process_that_keeps_dying_is_not_a_grade(tmp_path):
    subs = build_class(tmp_path / "subs", 4)
    dying = sorted(os.listdir(subs))[1]
    set_cell(notebook_of(subs, dying), "FAKE-DIE\n")
    course = tmp_path / "course"
    done = grader(*grade_args(subs, course, "--no-feedback", "--workers", "2"), check=False,
                  CHARLM_FAKE_UNIT_FAULTS="1")
    assert done.returncode == 1 and "the grading process died 3 times" in done.stderr
    rows = {r["student"]: r for r in csv_rows(course)}
    assert dying not in rows and len(rows) >= 1
    done = grader(*grade_args(subs, course, "--no-feedback"))
    assert sorted(r["student"] for r in csv_rows(course)) == sorted(os.listdir(subs))


# ---------------------------------------------------------------------------------------------------------------
# no sandbox, no run

def test_without_bubblewrap_grade_refuses_unless_told(tmp_path):
    subs = build_class(tmp_path / "subs", 2)
    course = tmp_path / "course"
    nowhere = tmp_path / "empty-path"
    nowhere.mkdir()
    done = grader(*grade_args(subs, course, "--no-feedback"), check=False, PATH=str(nowhere))
    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert "bubblewrap" in done.stderr and "--allow-unsandboxed" in done.stderr
    assert not (course / "results").exists() and not (course / "grades.csv").exists()
    done = grader(*grade_args(subs, course, "--no-feedback", "--allow-unsandboxed"), PATH=str(nowhere))
    assert "graded 2 submission(s)" in done.stdout


def test_a_unit_that_cannot_sandbox_runs_nothing_and_answers_ours(tmp_path, monkeypatch):
    """What a Dask worker or a pool process without bubblewrap does: no learner code runs, no grade."""
    from grader import results, unit

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(unit, "_SANDBOX_CHECKED", set())
    result = unit.grade_submission({"student": "a", "assignment": "dinosaur_island", "notebook": "{}", "files": []})
    assert results.is_ours(result) and "cannot sandbox" in result["reasons"][0], result
    assert "bubblewrap (bwrap) is not installed" in result["reasons"][0]


def test_lone_surrogates_in_a_notebooks_own_strings_reach_the_judge_as_escapes():
    from grader.unit import without_lone_surrogates

    text = json.dumps({"cells": [{"source": 'x = "caf\udce9"'}], "pair": "\ud83d\ude00"})
    fixed = json.loads(without_lone_surrogates(text))
    assert fixed["cells"][0]["source"] == 'x = "caf\\udce9"' and fixed["pair"] == "\U0001f600"
    assert eval(fixed["cells"][0]["source"].split("=", 1)[1]) == "caf\udce9"   # the same string to Python
    fixed.pop("pair")
    json.dumps(fixed, ensure_ascii=False).encode("utf-8")   # nothing UTF-8 cannot encode is left
    plain = json.dumps({"a": "\\udce9"})
    assert without_lone_surrogates(plain) is plain


def test_a_zipped_students_folder_is_listed_within_bounds_too(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_STUDENT_ENTRIES", 5)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("alice/dinosaur_island/dinosaur_island.ipynb", "{}")
        z.writestr("bob/dinosaur_island/dinosaur_island.ipynb", "{}")
        for i in range(30):
            z.writestr(f"alice/dinosaur_island/junk/{i:02d}.txt", "x")
    subs = {s.student: s for s in inputs.find_submissions(str(archive), "dinosaur_island")}
    assert subs["alice"].text() == "{}" and subs["bob"].text() == "{}"
    assert len(subs["alice"].files) <= 5 and "holds more than 5 entries" in subs["alice"].flags[0]
    assert not subs["bob"].flags
