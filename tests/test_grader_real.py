"""End to end with the real grading unit (grader/unit.py, sandboxed): a small class in, every declared outcome,
the gradebook, feedback without hidden-test text, and an unreadable notebook that costs only its own grade."""

import os
import sqlite3

from grader_helpers import ROOT, csv_rows, grade_args, grader, tree_checksums

SPECS = [os.path.join(ROOT, "grader_tests", "samples", f"dinosaur_island_{n}.py")
         for n in ("solution", "partial", "untouched")]


def test_real_unit_grades_a_class_end_to_end(tmp_path):
    subs = tmp_path / "subs"
    grader("build", "--out", str(subs), "--layout", "flat", *SPECS, fake=False)
    (subs / "zz_broken_dinosaur_island.ipynb").write_text('{"cells": [', encoding="utf-8")
    before = tree_checksums(subs)
    course = tmp_path / "course"
    done = grader(*grade_args(subs, course, "--workers", "2", "--cell-timeout", "20"), fake=False)
    assert "no hidden-test text" in done.stdout
    assert tree_checksums(subs) == before
    grader("expect", "--course", str(course), *SPECS, fake=False)
    rows = {r["student"]: r for r in csv_rows(course)}
    assert set(rows) == {"dinosaur_island_solution", "dinosaur_island_partial", "dinosaur_island_untouched",
                         "zz_broken"}
    assert rows["zz_broken"]["score"] == "0" and rows["zz_broken"]["flagged"] == "yes"
    with sqlite3.connect(course / "gradebook.db") as db:
        scores = dict(db.execute("select sa.student_id, sum(g.auto_score) from grade g join submitted_notebook sn "
                                 "on g.notebook_id = sn.id join submitted_assignment sa on sn.assignment_id = sa.id "
                                 "group by sa.student_id"))
    assert {s: f"{v:g}" for s, v in scores.items()} == {s: r["score"] for s, r in rows.items()}
    # feedback for every student, rendered in two processes (--workers 2), the unreadable one's as a plain page
    for student in rows:
        page = course / "feedback" / student / "dinosaur_island" / "dinosaur_island.html"
        assert page.exists(), student
    assert "feedback: 4 file(s) written" in done.stdout
