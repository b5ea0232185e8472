"""End to end with the real grading unit (grader/unit.py, sandboxed): a small class in, every declared outcome,
the gradebook, feedback without hidden-test text, an unreadable notebook that costs only its own grade, and a
notebook with an undecodable (Latin-1) name whose cells hold lone surrogates, graded like any other."""

import json
import os
import sqlite3

from tests.helpers.grader_helpers import ROOT, csv_rows, grade_args, grader, tree_checksums

SPECS = [os.path.join(ROOT, "grader_tests", "samples", f"dinosaur_island_{n}.py")
         for n in ("solution", "partial", "untouched")]


def test_real_unit_grades_a_class_end_to_end(tmp_path):
    subs = tmp_path / "subs"
    grader("build", "--out", str(subs), "--layout", "flat", *SPECS, fake=False)
    (subs / "zz_broken_dinosaur_island.ipynb").write_text('{"cells": [', encoding="utf-8")
    # the solution under a Latin-1 name, with a Markdown cell and a printing cell holding lone surrogates (as JSON
    # escapes: the file itself is valid UTF-8)
    nb = json.loads((subs / "dinosaur_island_solution_dinosaur_island.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1:1] = [{"cell_type": "markdown", "id": "odd-md", "metadata": {}, "source": "caf\udce9 \ud800"},
                        {"cell_type": "code", "id": "odd-code", "metadata": {}, "execution_count": None,
                         "outputs": [], "source": "print('caf\\udce9')\nraise ValueError('\\ud800')"}]
    with open(os.path.join(os.fsencode(str(subs)), b"caf\xe9_dinosaur_island.ipynb"), "w", encoding="ascii") as f:
        json.dump(nb, f)
    before = tree_checksums(subs)
    course = tmp_path / "course"
    done = grader(*grade_args(subs, course, "--workers", "2", "--cell-timeout", "20"), fake=False)
    assert "no hidden-test text" in done.stdout
    assert tree_checksums(subs) == before
    grader("expect", "--course", str(course), *SPECS, fake=False)
    rows = {r["student"]: r for r in csv_rows(course)}
    assert set(rows) == {"dinosaur_island_solution", "dinosaur_island_partial", "dinosaur_island_untouched",
                         "zz_broken", "caf_"}
    assert rows["caf_"]["score"] == "24" and rows["caf_"]["flagged"] == "no"
    page = (course / "feedback" / "caf_" / "dinosaur_island" / "dinosaur_island.html").read_text(encoding="utf-8")
    assert "caf\\udce9" in page
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
    assert "feedback: 5 file(s) written" in done.stdout
