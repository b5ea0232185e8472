"""A stand-in for grader.unit.grade_submission with the same contract, fast and deterministic, for driver tests.

Select it with CHARLM_GRADER_UNIT=tests.helpers.fake_unit:grade_submission (the driver, its process pool and Dask
workers all read that variable). It runs nothing: a test cell passes when the solution cell before it (in the
instructor notebook) is present in the submission and does not raise NotImplementedError. Text in the notebook
steers it: `FAKE-FLAG` raises a review flag, `FAKE-FAIL <grade_id>` fails that cell with an error,
`FAKE-SURROGATE` puts lone surrogates (as undecodable bytes and a learner's odd strings give them) in its
reasons, notes, messages and graded notebook, `FAKE-CHATTY` adds thousands of long reasons and notes and a
megabyte-long message. Faults of ours, only while CHARLM_FAKE_UNIT_FAULTS=1 (so that a rerun without it grades
them): `FAKE-CRASH` raises, `FAKE-OURS` answers an internal-error result (as grader.unit does when the judge
crashed), `FAKE-DIE` ends its process at once (a grading process lost).
CHARLM_FAKE_UNIT_SLEEP (seconds) makes each call take that long, so a run can be killed midway.
CHARLM_FAKE_UNIT_JOBS (a folder) makes it save each job it is handed there, as <student>.json (what a worker sees).
"""

import copy
import hashlib
import json
import os
import time

from course.assignments import ASSIGNMENTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _layout(assignment):
    """[(test grade_id, points, solution grade_id before it)] in notebook order."""
    with open(os.path.join(ROOT, "source", assignment, ASSIGNMENTS[assignment][0]), encoding="utf-8") as f:
        nb = json.load(f)
    out, solution = [], None
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            solution = meta["grade_id"]
        if meta.get("grade"):
            out.append((meta["grade_id"], float(meta.get("points", 0)), solution))
    return out


def _said(assignment, gid, solution, words, what):
    """A failed cell's message as the judge words it: a visible test its own words, a hidden one (ids ending in
    _hidden here) only its fixed message (grader/kinds.py; grader/check_feedback.py refuses any other)."""
    from grader import kinds

    if not gid.endswith("_hidden"):
        return f"{gid}: {words}"
    kind = kinds.Kind.ERROR if what else kinds.Kind.NOT_WRITTEN
    function = solution if solution and kinds.section_title(assignment, solution) else "the test"
    return kinds.message(kinds.Failure(kind, function, what or kinds.KINDS[kind][0]), True, assignment)


def grade_submission(job):
    t0 = time.time()
    time.sleep(float(os.environ.get("CHARLM_FAKE_UNIT_SLEEP", "0")))
    text = job["notebook"]
    if os.environ.get("CHARLM_FAKE_UNIT_JOBS"):
        with open(os.path.join(os.environ["CHARLM_FAKE_UNIT_JOBS"], f"{job['student']}.json"), "w",
                  encoding="utf-8") as f:
            json.dump(job, f)
    if os.environ.get("CHARLM_FAKE_UNIT_FAULTS") == "1":
        if "FAKE-CRASH" in text:
            raise RuntimeError("the fake unit crashed, as told")
        if "FAKE-DIE" in text:
            os._exit(3)
        if "FAKE-OURS" in text:
            return {"student": job["student"], "assignment": job["assignment"], "status": "internal-error",
                    "score": 0.0, "max_score": 24.0, "cells": {}, "flagged": True,
                    "reasons": ["internal error in the judge (the fake judge crashed); regrade"], "notes": [],
                    "seconds": 0.0, "notebook": None}
    result = {"student": job["student"], "assignment": job["assignment"],
              "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
              "status": "graded", "score": 0.0, "max_score": 0.0, "cells": {}, "flagged": False, "reasons": [],
              "notes": [], "seconds": 0.0, "notebook": None}
    layout = _layout(job["assignment"])
    result["max_score"] = sum(p for _, p, _ in layout)
    try:
        nb = json.loads(text)
        cells = nb["cells"]
        assert isinstance(cells, list)
    except Exception:
        result["status"] = "unreadable"
        for gid, points, _ in layout:
            result["cells"][gid] = {"points": 0.0, "max_points": points, "outcome": "no-result",
                                    "message": "the notebook could not be read"}
        result["flagged"], result["reasons"] = True, ["unreadable: the notebook is not valid JSON"]
        result["seconds"] = round(time.time() - t0, 3)
        return result
    by_id = {}
    for cell in cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") if isinstance(cell, dict) else None
        if gid:
            by_id[gid] = cell
    for gid, points, solution in layout:
        src = by_id.get(solution, {}).get("source", "") if solution else ""
        src = "".join(src) if isinstance(src, list) else src
        if f"FAKE-FAIL {gid}\n" in text or f"FAKE-FAIL {gid}\"" in text:
            verdict = ("error", _said(job["assignment"], gid, solution, "ValueError: told to fail",
                                      "raised ValueError"))
        elif solution and (solution not in by_id or "NotImplementedError" in src):
            verdict = ("failed", _said(job["assignment"], gid, solution, f"NotImplementedError: {solution} is not "
                                       "implemented", None))
        else:
            verdict = ("passed", "passed")
        got = points if verdict[0] == "passed" else 0.0
        result["cells"][gid] = {"points": got, "max_points": points, "outcome": verdict[0], "message": verdict[1]}
        result["score"] += got
    if "FAKE-FLAG" in text:
        result["flagged"], result["reasons"] = True, ["static: FAKE-FLAG found in the notebook"]
    if "FAKE-SURROGATE" in text:
        odd = "caf\udce9 \ud800 \udfff"   # lone surrogates: an undecodable byte, and halves of a pair
        result["flagged"] = True
        result["reasons"].append(f"static: {odd} in a reason")
        result["notes"].append(f"{odd} in a note")
        first = layout[0][0]
        result["cells"][first]["message"] = f"{first}: ValueError: {odd}"
        result["cells"][first]["outcome"], result["score"] = "error", result["score"] - result["cells"][first]["points"]
        result["cells"][first]["points"] = 0.0
    if "FAKE-CHATTY" in text:
        result["flagged"] = True
        result["reasons"] += [f"static: finding {i} " + "r" * 1000 for i in range(5000)]
        result["notes"] += [f"note {i} " + "n" * 1000 for i in range(5000)]
        first = layout[0][0]
        result["cells"][first]["message"] = "m" * 1_000_000
    if job.get("files"):
        result["notes"].append("files beside the notebook: " + ", ".join(f["name"] for f in job["files"]))
    graded = copy.deepcopy(nb)
    for cell in graded["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in result["cells"] and cell.get("cell_type") == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": result["cells"][gid]["message"]}]
        elif "FAKE-SURROGATE" in text and cell.get("cell_type") == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "printed \udce9\n"}]
    result["notebook"] = graded
    result["seconds"] = round(time.time() - t0, 3)
    return result
