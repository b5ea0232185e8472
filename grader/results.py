"""The grader's verdicts as types: the outcome of a graded cell, recorded where its cause is known.

A verdict (one per graded cell, in a result's "cells") is {"points", "max_points", "outcome", "message"} and, for
a test that did not pass, the kind of mistake (grader/kinds.py). The outcome is decided by the code that saw the
cause, the way a judge's run guard writes its time result: the sandbox knows which signal ended the learner's
process (`Sandbox.exit_outcome`), the judge knows which deadline passed; nothing reads an outcome back from a
message's wording. `Outcome` is a str enum: results, JSON files and grades.csv hold its plain value.
"""

import enum

INTERNAL = "internal-error"   # the status of a result that is our fault: never recorded as a grade


class Outcome(enum.StrEnum):
    PASSED = "passed"        # the test ran and every check held
    FAILED = "failed"        # a check failed: a wrong value, shape, type...
    ERROR = "error"          # the learner's code raised, or returned something the test could not use
    TIMEOUT = "timeout"      # a deadline passed: the cell's time limit, or the grader's for the test
    LIMIT = "limit"          # a resource limit: CPU time, file size, memory, a value too large, the time budget
    NO_RESULT = "no-result"  # no verdict could be reached: the learner's process ended, the notebook was not read


def zero_verdict(max_points, outcome, message):
    """The verdict of a graded cell that earns nothing."""
    return {"points": 0.0, "max_points": float(max_points), "outcome": Outcome(outcome), "message": str(message)}


def internal_error(job, why):
    """The result of a submission we could not grade (our fault): never written as a grade (see is_ours)."""
    return {"student": job["student"], "assignment": job["assignment"], "status": INTERNAL, "score": 0.0,
            "max_score": 0.0, "cells": {}, "flagged": True, "reasons": [f"{INTERNAL}: {why}"], "notes": [],
            "seconds": 0.0, "notebook": None}


def is_ours(result):
    """Whether a result says the grading failed for a reason of ours, not the learner's (no grade then)."""
    return not isinstance(result, dict) or result.get("status") == INTERNAL or not isinstance(result.get("cells"),
                                                                                               dict)
