"""Regrades you can review: `grade --regrade --dry-run` grades into a scratch folder, writes not a byte of the course
folder and prints what would change; the same command without --dry-run makes exactly those changes, and the
summary lists them. With the fake unit (tests/helpers/fake_unit.py; tests/helpers/fake_suite.py changes its
tests), one test with the real one."""

import fcntl
import json
import os
import shutil

from grader import report, similarity
from tests.helpers.grader_helpers import (
    ROOT,
    build_class,
    csv_rows,
    grade_args,
    grader,
    notebook_of,
    set_cell,
    tree_checksums,
)

SUITE = "tests.helpers.fake_suite:grade_submission"
# the new suite's test_clip_hidden catches the mutant that forgets clip's lower bound (grader_tests/mutants)
NEW_SUITE = json.dumps({"test_clip_hidden": "np.minimum(gradients[name], maxValue)"})
CAUGHT = "test_clip_hidden: AssertionError: the new test catches np.minimum(gradients[name], maxValue)"


def _run(*args, **env):
    return grader(*args, CHARLM_GRADER_UNIT=SUITE, **env)


def _without_manual(changes):
    return dict(changes, changed=[{k: v for k, v in e.items() if k != "manual"} for e in changes["changed"]])


def _regrade_section(course):
    text = (course / "summary" / "dinosaur_island.md").read_text(encoding="utf-8")
    start = text.index("## Last regrade")
    end = text.find(similarity.BEGIN, start)
    return text, text[start:end if end >= 0 else len(text)]


def test_a_dry_run_writes_nothing_and_the_regrade_makes_exactly_the_changes_it_printed(tmp_path):
    subs = build_class(tmp_path / "subs", 10)
    course = tmp_path / "course"
    _run(*grade_args(subs, course))   # with feedback and the similarity report: every kind of file there is
    students = sorted(os.listdir(subs))
    mutants = [s for s in students if s.endswith("clip_upper_only")]
    # then: a new test suite, one learner resubmits (flagged now), one joins, one leaves
    resubmitted, gone = students[2], students[1]
    set_cell(notebook_of(subs, resubmitted), "FAKE-FLAG\n")
    shutil.copytree(subs / students[0], subs / "zz_new")
    shutil.rmtree(subs / gone)
    before_csv = {r["student"]: r for r in csv_rows(course)}
    assert (course / ".grader.lock").exists() and (course / "gradebook.db").exists()
    before = tree_checksums(course)
    scratch = tmp_path / "scratch"
    command = grade_args(subs, course, "--no-feedback", "--regrade")

    dry = _run(*command, "--dry-run", "--scratch", str(scratch), CHARLM_FAKE_SUITE=NEW_SUITE)
    assert tree_checksums(course) == before   # every file, gradebook.db and grader-state.json included
    out = dry.stdout
    for mutant in mutants:
        assert f"  {mutant}: 24 -> 22/24 (-2)\n      test_clip_hidden: passed 2/2 -> failed 0/2: \"{CAUGHT}\"" in out
    assert f"  {resubmitted}: 0 -> 0/24, another notebook\n      review flag: no -> yes" in out
    assert "new: 1 not graded before: zz_new 24/24" in out
    assert f"gone: 1 not in the submissions (their grade stays as it is): {gone} 24/24" in out
    assert f"unchanged: {10 - 1 - len(mutants) - 1} graded again, same result" in out
    total = (f"total: 11 student(s): {len(mutants)} would change score ({len(mutants)} down), 1 would change cells "
             "or flags only, 6 unchanged, 1 new, 1 gone (not in the submissions; their grade stays)")
    assert total in out.splitlines()
    assert "nothing in " + str(course) + " was written" in out
    predicted = json.loads((scratch / "changes.json").read_text(encoding="utf-8"))["changes"]
    assert [e["student"] for e in predicted["changed"]] == sorted(mutants + [resubmitted])
    assert f"| `{mutants[0]}` | 24 → 22/24 (-2) | test_clip_hidden: passed 2/2 → failed 0/2" in \
        (scratch / "changes.md").read_text(encoding="utf-8")

    done = _run(*command, CHARLM_FAKE_SUITE=NEW_SUITE)   # the same command, without --dry-run
    assert f"regrade: 11 student(s): {len(mutants)} changed score ({len(mutants)} down)" in done.stdout
    rows = {r["student"]: r for r in csv_rows(course)}
    assert sorted(rows) == sorted(students[:1] + students[2:] + ["zz_new", gone])
    expected = {e["student"]: e["after"] for e in predicted["changed"]}
    expected.update({e["student"]: e["score"] for e in predicted["new"] + predicted["gone"]})
    expected.update({s: float(before_csv[s]["score"]) for s in predicted["unchanged"]})
    assert {s: float(r["score"]) for s, r in rows.items()} == expected
    assert rows[gone] == before_csv[gone]
    assert rows[resubmitted]["flagged"] == "yes" and rows[mutants[0]]["test_clip_hidden"] == "0"
    log = json.loads((course / "regrades" / "dinosaur_island.json").read_text(encoding="utf-8"))
    assert log["finished_at"] and log["changes"] == _without_manual(predicted)   # exactly those changes
    text, section = _regrade_section(course)
    for mutant in mutants:
        assert f"| `{mutant}` | 24 → 22/24 (-2) | test_clip_hidden: passed 2/2 → failed 0/2: \"{CAUGHT}\" |" in section
    assert f"| `{resubmitted}` | 0 → 0/24, another notebook | review flag: no → yes" in section
    assert "New: `zz_new` (24/24)" in section and f"`{gone}` (24/24)" in section
    assert section.count("| `") == len(mutants) + 1
    # the similarity report's section is still there, once, after ours
    assert text.count(similarity.BEGIN) == 1 and text.count(similarity.END) == 1
    assert text.index("## Last regrade") < text.index(similarity.BEGIN)

    # later runs keep the regrade's list as it was: a resubmission afterwards is not the regrade's
    set_cell(notebook_of(subs, students[0]), "FAKE-FLAG\n")
    _run(*grade_args(subs, course, "--no-feedback"), CHARLM_FAKE_SUITE=NEW_SUITE)
    assert _regrade_section(course)[1] == section
    again = _run(*command, "--dry-run", "--scratch", str(scratch), CHARLM_FAKE_SUITE=NEW_SUITE)
    assert "total: 11 student(s): 0 would change score, 10 unchanged, 1 gone" in again.stdout


def test_an_internal_error_in_a_dry_run_is_not_graded_never_a_change_to_zero(tmp_path):
    subs = build_class(tmp_path / "subs", 4)
    course = tmp_path / "course"
    _run(*grade_args(subs, course, "--no-feedback"))
    students = sorted(os.listdir(subs))
    unlucky = students[0]
    set_cell(notebook_of(subs, unlucky), "FAKE-OURS\n")   # the judge crashes on it (while faults are on)
    before = tree_checksums(course)
    command = grade_args(subs, course, "--no-feedback", "--regrade")
    dry = _run(*command, "--dry-run", "--scratch", str(tmp_path / "scratch"), check=False,
               CHARLM_FAKE_UNIT_FAULTS="1", CHARLM_FAKE_SUITE=NEW_SUITE)
    assert dry.returncode == 1 and "fault of ours" in dry.stderr
    assert tree_checksums(course) == before
    assert (f"not graded (ours): 1: {unlucky} (keeps 24/24): internal error in the judge (the fake judge crashed); "
            "regrade (a fault of ours, not a change") in dry.stdout
    assert f"  {unlucky}:" not in dry.stdout and "would change (" in dry.stdout   # the mutant's change alone
    changes = json.loads((tmp_path / "scratch" / "changes.json").read_text(encoding="utf-8"))["changes"]
    assert [e["student"] for e in changes["ours"]] == [unlucky] and changes["ours"][0]["score"] == 24
    assert unlucky not in [e["student"] for e in changes["changed"]] + changes["unchanged"] + changes["skipped"]

    # the real regrade, with the same fault: the summary says who waits; a plain run finishes it and the list
    done = _run(*command, check=False, CHARLM_FAKE_UNIT_FAULTS="1", CHARLM_FAKE_SUITE=NEW_SUITE)
    assert done.returncode == 1 and "1 not graded again yet" in done.stdout
    assert {r["student"]: r["score"] for r in csv_rows(course)}[unlucky] == "24"
    section = _regrade_section(course)[1]
    assert f"1 submission(s) are not graded again yet ({unlucky})" in section
    assert "4 student(s): 1 changed score (1 down), 2 unchanged, 1 not graded again yet." in section
    assert f"`{unlucky}`" not in section.split("Unchanged (2): ")[1]
    _run(*grade_args(subs, course, "--no-feedback"), CHARLM_FAKE_SUITE=NEW_SUITE)
    section = _regrade_section(course)[1]
    assert "not graded again yet" not in section
    # the mutant's change; unlucky's other notebook (a new first cell) graded the same: unchanged
    assert "4 student(s): 1 changed score (1 down), 3 unchanged." in section
    assert section.count("| `") == 1 and f"`{unlucky}`" in section.split("Unchanged (3): ")[1]


def test_a_plain_dry_run_creates_nothing_and_never_runs_beside_a_real_run(tmp_path):
    subs = build_class(tmp_path / "subs", 3)
    course = tmp_path / "course"
    dry = _run(*grade_args(subs, course, "--dry-run"))
    assert not course.exists()   # not even created
    assert "new: 3 not graded before" in dry.stdout and "total: 3 student(s): 0 would change score, 0 unchanged, " \
        "3 new" in dry.stdout
    scratch = dry.stdout.split("grading into ")[1].split(";")[0]
    assert os.path.isfile(os.path.join(scratch, "changes.md")) and not scratch.startswith(str(tmp_path))
    shutil.rmtree(scratch)
    _run(*grade_args(subs, course, "--no-feedback"))
    changed = sorted(os.listdir(subs))[0]   # the solution, handed in again with sample broken
    set_cell(notebook_of(subs, changed), "FAKE-FAIL test_sample")
    before = tree_checksums(course)
    dry = _run(*grade_args(subs, course, "--dry-run", "--scratch", str(tmp_path / "s")))
    assert tree_checksums(course) == before
    assert (f"would change (1):\n  {changed}: 24 -> 21/24 (-3), another notebook\n      test_sample: passed 3/3 -> "
            "error 0/3: \"test_sample: ValueError: told to fail\"\n") in dry.stdout
    assert "unchanged: 2 not graded again (same notebook, already graded" in dry.stdout
    # a dry run waits for no one and never reads a course while a real run writes it
    with open(course / ".grader.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = _run(*grade_args(subs, course, "--dry-run", "--scratch", str(tmp_path / "s")), check=False)
    assert busy.returncode == 1 and "another grading run is using" in busy.stderr and "Traceback" not in busy.stderr
    # the scratch folder: outside the course and the submissions, and never a folder of the instructor's
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    for scratch, message in ((course / "x", "must be outside --course"), (subs, "must be outside --submissions"),
                             (tmp_path / "mine", "not empty, and not a dry run's scratch folder")):
        bad = _run(*grade_args(subs, course, "--dry-run", "--scratch", str(scratch)), check=False)
        assert bad.returncode == 2 and message in bad.stderr and len(bad.stderr.splitlines()) == 1
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep" and tree_checksums(course) == before
    assert _run(*grade_args(subs, course, "--scratch", str(tmp_path / "s")), check=False).returncode == 2


# ---------------------------------------------------------------------------------------------------------------
# the report itself, for a class of 200 (in this process: no grading)

def _grading(score, cells, key="k", id_="1", flagged=False, reasons=()):
    return {"key": key, "id": id_, "status": "graded", "score": score, "max_score": 24.0, "flagged": flagged,
            "reasons": list(reasons), "cells": cells}


def _cells(clip_hidden="passed", message="passed"):
    from grader.store import graded_cells
    out = {}
    for gid, points in graded_cells("dinosaur_island"):
        ok = clip_hidden == "passed" or gid != "test_clip_hidden"
        out[gid] = {"points": points if ok else 0.0, "max_points": points, "outcome": "passed" if ok else clip_hidden,
                    "message": "passed" if ok else message}
    return out


def test_the_changes_of_a_class_of_200_read_in_a_screenful(tmp_path):
    before, after = {}, {}
    for i in range(200):
        s = f"s{i:03d}"
        before[s] = _grading(24.0, _cells())
        if i < 150:   # a new hidden test fails 150 of them
            after[s] = _grading(22.0, _cells("failed", f"test_clip_hidden: got {i % 3}\nmore lines"), id_="2")
        else:
            after[s] = _grading(24.0, _cells(), id_="2")
    after["s199"] = _grading(24.0, _cells(), id_="2", flagged=True, reasons=["static: <!-- similarity x -->"])
    changes = report.compare("dinosaur_island", before, after, set(before))
    lines = report.format_changes(changes)
    assert len(lines) < 160 and max(map(len, lines)) < 400
    assert lines[-1] == "total: 200 student(s): 150 would change score (150 down), 1 would change cells or flags " \
                        "only, 49 unchanged"
    assert "  test_clip_hidden: passed -> failed: 150 student(s), e.g. \"test_clip_hidden: got 0 more lines\"" in lines
    assert "  s000: 24 -> 22/24 (-2): test_clip_hidden passed 2/2 -> failed 0/2" in lines
    assert sum(line.startswith("unchanged: 49 graded again, same result (s150, s151") for line in lines) == 1
    # few changes: each with its messages
    few = report.compare("dinosaur_island", before, {**before, "s007": after["s007"]}, set(before))
    assert report.format_changes(few)[:3] == [
        "would change (1):", "  s007: 24 -> 22/24 (-2)",
        "      test_clip_hidden: passed 2/2 -> failed 0/2: \"test_clip_hidden: got 1 more lines\""]
    # the summary's section: the first rows, all in a page of its own; a learner's text cannot end another section
    last = {"started_at": "2026-01-01T00:00:00Z", "waiting": [], "changes": changes}
    section = "\n".join(report.regrade_section(last, "dinosaur_island-regrade.md"))
    assert section.count("| `s") == report.SUMMARY_CHANGES and "and 111 more: all in [dinosaur_island-regrade.md]" \
        in section
    whole = "\n".join(report.regrade_section(last, None))
    assert whole.count("| `s") == 151
    assert "&lt;!-- similarity" in whole and "<!--" not in whole + section
    summary = similarity.with_section(section + "\n", "<!-- similarity k -->\nours\n<!-- /similarity -->\n")
    assert summary.startswith(section) and summary.count(similarity.BEGIN) == 1
    # what one student's messages add to the summary is bounded: every cell changed, each with 2,000 characters
    loud = {s: _grading(0.0, {gid: dict(c, points=0.0, outcome="error", message="m" * 2000)
                              for gid, c in _cells().items()}, id_="2") for s in before}
    last["changes"] = report.compare("dinosaur_island", before, loud, set(before))
    section = "\n".join(report.regrade_section(last, "dinosaur_island-regrade.md"))
    assert len(section) < 40_000 and max(map(len, section.splitlines())) <= report.MAX_LINE + 200


def test_real_unit_dry_run_then_regrade(tmp_path):
    """The real grading unit, sandboxed: an unchanged notebook regrades to the same result (no noise in the
    changes); a resubmission shows each cell that changes, and the regrade makes exactly that change."""
    samples, layout = os.path.join(ROOT, "grader_tests", "samples"), "flat"
    subs = tmp_path / "subs"
    grader("build", "--out", str(subs), "--layout", layout, os.path.join(samples, "dinosaur_island_solution.py"),
           os.path.join(samples, "dinosaur_island_partial.py"), fake=False)
    course = tmp_path / "course"
    grader(*grade_args(subs, course, "--no-feedback", "--workers", "2"), fake=False)
    # the partial learner hands in another attempt: clip without its lower bound, sample and model right
    other = tmp_path / "other"
    grader("build", "--out", str(other), "--layout", layout,
           os.path.join(ROOT, "grader_tests", "mutants", "dinosaur_island_clip_upper_only.py"), fake=False)
    shutil.copy(other / "dinosaur_island_clip_upper_only_dinosaur_island.ipynb",
                subs / "dinosaur_island_partial_dinosaur_island.ipynb")
    before = tree_checksums(course)
    command = grade_args(subs, course, "--no-feedback", "--regrade", "--workers", "2")
    dry = grader(*command, "--dry-run", "--scratch", str(tmp_path / "scratch"), fake=False)
    assert tree_checksums(course) == before
    assert "unchanged: 1 graded again, same result (dinosaur_island_solution)" in dry.stdout
    assert "  dinosaur_island_partial: 10 -> 17/24 (+7), another notebook\n" in dry.stdout
    lines = dry.stdout.split("dinosaur_island_partial: 10 -> 17/24 (+7), another notebook\n")[1].splitlines()
    shown = [line.strip().split(":")[0] for line in lines if line.startswith("      test_")]
    assert shown == ["test_clip", "test_clip_hidden", "test_sample", "test_sample_hidden", "test_optimize",
                     "test_model", "test_model_hidden"]   # in the notebook's order; test_optimize_hidden passes in both
    cells = dict(zip(shown, lines))
    for gid in ("test_clip", "test_clip_hidden"):
        assert f"{gid}: passed 2/2 -> failed 0/2: \"" in cells[gid]
    assert "test_sample: failed 0/3 -> passed 3/3 (was \"" in cells["test_sample"]
    assert "test_model_hidden: failed 0/4 -> passed 4/4 (was \"" in cells["test_model_hidden"]
    predicted = json.loads((tmp_path / "scratch" / "changes.json").read_text(encoding="utf-8"))["changes"]
    grader(*command, fake=False)
    rows = {r["student"]: r["score"] for r in csv_rows(course)}
    assert rows == {"dinosaur_island_solution": "24", "dinosaur_island_partial": "17"}
    log = json.loads((course / "regrades" / "dinosaur_island.json").read_text(encoding="utf-8"))
    assert log["changes"] == _without_manual(predicted)
    assert "| `dinosaur_island_partial` | 10 → 17/24 (+7), another notebook | test_clip: passed 2/2 → failed 0/2" \
        in _regrade_section(course)[1]
