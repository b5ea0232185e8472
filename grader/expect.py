"""Check graded specifications against what they declare (their `# expected_*` header lines).

`# expected_score: N` is the total; `# expected_failures: a, b` the exact set of graded cells that must not get
full points (`none` or `all`); `# expected_flag: TEXT` a review reason or note that must be raised;
`# expected_note: TEXT` a note that must be raised without a flag (a harmless repair, as an honest notebook gets);
`# expected_absent: TEXT` text that must not appear in the autograded notebook's outputs;
`# expected_max_bytes: N` a bound on the size of those outputs;
`# expected_kind: GRADE_ID: KIND` the kind of mistake that failed cell's message must name (a `Kind` value of
utils/grading.py, e.g. `transposed`; grader/kinds.py decides it), one line per cell.

The student of a spec is its file name (grader/specs.py); its result is read from the course's result
files, and `# expected_absent` / `# expected_max_bytes` from its autograded notebook. A declared flag
(`# expected_flag: TEXT`) must appear among the result's review reasons or notes; a spec without one must not be
flagged, and every note it gets must be one it declares (`# expected_note`).

usage: python -m grader expect --course DIR SPEC.py...
"""

import json
import os

from grader.specs import expectations, parse, student_id
from grader.store import autograded_path, load_results


def outputs_text(course, assignment, student):
    path = autograded_path(course, assignment, student)
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    return "\n".join(json.dumps(out) for cell in nb.get("cells", []) for out in cell.get("outputs", []))


def check(course, specs):
    """The problems found (empty when every spec got exactly what it declares)."""
    problems, cache = [], {}
    for spec in specs:
        assignment, _, _ = parse(spec)
        results = cache.setdefault(assignment, load_results(course, assignment))
        sid = student_id(spec)
        want = expectations(spec)
        record = results.get(sid)
        if record is None:
            problems.append(f"{sid}: no grade recorded for {assignment}")
            continue
        result = record["result"]
        cells = result.get("cells", {})
        failed = {gid for gid, c in cells.items() if c["max_points"] and c["points"] < c["max_points"]}
        if want["score"] is not None and float(result["score"]) != want["score"]:
            problems.append(f"{sid}: expected {want['score']:g} points, got {result['score']:g}")
        if want["failures"] == "all" and len(failed) != sum(1 for c in cells.values() if c["max_points"]):
            problems.append(f"{sid}: expected every test cell to fail, got {sorted(failed) or 'none'} failed")
        elif want["failures"] not in (None, "all") and failed != want["failures"]:
            problems.append(f"{sid}: expected failed cells {sorted(want['failures']) or 'none'}, "
                            f"got {sorted(failed) or 'none'}")
        for gid, kind in sorted(want["kind"].items()):
            cell = cells.get(gid) or {}
            if cell.get("kind") != kind or f"[{kind}" not in str(cell.get("message", "")):
                problems.append(f"{sid}: expected {gid} to fail as {kind!r}, got {cell.get('kind') or 'no kind'}: "
                                f"{cell.get('message', 'no message')!r}")
        reasons, notes = list(result.get("reasons", [])), list(result.get("notes", []))
        raised = reasons + notes
        for text in want["flag"]:
            if not any(text in r for r in raised):
                problems.append(f"{sid}: expected a flag mentioning {text!r}, got {raised or 'none'}")
        for text in want["note"]:
            if not any(text in n for n in notes):
                problems.append(f"{sid}: expected a note mentioning {text!r}, got {notes or 'none'}")
        if not want["flag"]:
            stray = [n for n in notes if not any(text in n for text in want["note"])]
            if reasons or stray or result.get("flagged"):
                problems.append(f"{sid}: expected no flag{' and only the declared notes' if want['note'] else ''}, "
                                f"got {reasons + stray or 'flagged'}")
        if want["absent"] or want["max_bytes"] is not None:
            outputs = outputs_text(course, assignment, sid)
            for text in want["absent"]:
                if text in outputs:
                    problems.append(f"{sid}: {text!r} appears in the autograded notebook's outputs")
            if want["max_bytes"] is not None and len(outputs) > want["max_bytes"]:
                problems.append(f"{sid}: the autograded notebook's outputs hold {len(outputs):,} bytes, "
                                f"more than {want['max_bytes']:,}")
    return problems
