"""The visible-test gate (tools.validate) agrees with the autograder on every honest notebook.

The honest notebooks are the `*_honest_*` specs of grader_tests/valid/ (scratch cells with sys,
inspect, time and copy, %timeit, globals(), prints, plots, a progress bar inside a function, files
written into the folder, helpers of the learner's own). `make grader-check` proves the autograder
gives each full marks; this proves validate passes each too, run in a copy of the released folder.
"""

import glob
import os
import shutil

import nbformat
import pytest

from course.assignments import ASSIGNMENTS
from grader import specs as submissions
from tools import validate

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HONEST = sorted(glob.glob(os.path.join(ROOT, "grader_tests", "valid", "*_honest_*.py")))


def test_there_are_honest_notebooks_for_every_assignment():
    assert {submissions.parse(s)[0] for s in HONEST} == set(ASSIGNMENTS)


@pytest.mark.parametrize("spec", HONEST, ids=[os.path.basename(s)[:-3] for s in HONEST])
def test_validate_passes_an_honest_notebook(spec, tmp_path):
    assignment, base, edits = submissions.parse(spec)
    folder = tmp_path / assignment
    shutil.copytree(os.path.join(ROOT, "release", assignment), folder)
    path = folder / ASSIGNMENTS[assignment][0]
    nbformat.write(submissions.build(assignment, base, edits), str(path))
    results, changed = validate.run(str(path), timeout=120)
    assert changed == [] and results and all(err is None for err in results.values()), results
