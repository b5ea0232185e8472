"""The fake grading unit (tests/helpers/fake_unit.py) with its test suite changed, as an instructor's fix of a
hidden test changes it: for a regrade's tests.

Select it with CHARLM_GRADER_UNIT=tests.helpers.fake_suite:grade_submission. CHARLM_FAKE_SUITE is a JSON object
{grade_id: text}: a cell that the fake unit passes now fails when the submitted notebook holds that text (the new
test catches what the old one let through), with the message "<grade_id>: AssertionError: the new test catches
<text>". Without CHARLM_FAKE_SUITE it grades exactly as the fake unit.
"""

import json
import os

from tests.helpers import fake_unit


def grade_submission(job):
    result = fake_unit.grade_submission(job)
    suite = json.loads(os.environ.get("CHARLM_FAKE_SUITE") or "{}")
    cells = result.get("cells") if isinstance(result, dict) else None
    if not isinstance(cells, dict):
        return result
    for gid, text in suite.items():
        cell = cells.get(gid)
        if cell and cell["outcome"] == "passed" and text in job["notebook"]:
            message = f"{gid}: AssertionError: the new test catches {text}"
            result["score"] -= cell["points"]
            cells[gid] = dict(cell, points=0.0, outcome="failed", message=message)
            for nb_cell in (result.get("notebook") or {}).get("cells", []):
                if nb_cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
                    nb_cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": message}]
    return result
