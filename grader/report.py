"""What the instructor takes away: grades.csv for the LMS and a class summary to read at a glance.

grades.csv (UTF-8, comma-separated, one header row, no index column, one row per student and assignment):
    student, assignment, score, max_score, <one column per graded cell of every assignment graded in this
    course, in notebook order>, flagged (yes/no), reasons ("; "-separated), seconds
A cell column is empty for another assignment's rows. A manual score a grader entered in formgrader replaces the
autograder's points of that cell (and the total). Text that a spreadsheet would run as a formula (starting
with = + - @) is prefixed with a single quote. Any string is written (lone surrogates as their escapes), and what one
student adds is bounded: the result's reasons are capped when it is written (grader.driver.bound), the CSV's
`reasons` field and the summary's line per student are cut again here.

summary/<assignment>.png: score histogram and per-cell pass rates (matplotlib); summary/<assignment>.md: the
numbers, the most common failure messages, the flagged submissions with their reasons.
"""

import csv
import hashlib
import io
import json
import os
import statistics
from collections import Counter

from grader.driver import cap, graded_cells, load_results, write_atomic

FORMULA = ("=", "+", "-", "@", "\t", "\r")
MAX_REASONS = 2000   # characters of one student's reasons in the CSV
MAX_LINE = 600       # characters of one student's line in the summary


def _text(value):
    value = cap(value, MAX_REASONS)
    return "'" + value if value.startswith(FORMULA) else value


def _line(text, limit):
    """One line of Markdown from any text: newlines and table bars made harmless, cut to limit."""
    return cap(" ".join(str(text).split()).replace("|", "/"), limit)


def rows(course, assignment, manual=None):
    """One dict per student of the assignment: the CSV's fields (cells by grade_id) from the result files."""
    manual = manual or {}
    out = []
    for student, record in load_results(course, assignment).items():
        result = record["result"]
        cells = {}
        for gid, _ in graded_cells(assignment):
            cell = result.get("cells", {}).get(gid)
            points = float(cell["points"]) if cell else 0.0
            cells[gid] = manual.get((student, gid), points)
        out.append({"student": student, "assignment": assignment, "score": sum(cells.values()),
                    "max_score": float(result.get("max_score", 0)), "cells": cells,
                    "flagged": bool(result.get("flagged")), "reasons": list(result.get("reasons", [])),
                    "seconds": float(result.get("seconds") or 0), "status": result.get("status"),
                    "result": result})
    return out


def fingerprint(found):
    """A hash of what the summary shows, to redraw it only when something changed."""
    data = [(r["student"], r["score"], r["cells"], r["flagged"], r["reasons"], r["status"]) for r in found]
    return hashlib.sha256(json.dumps(sorted(data, key=str), sort_keys=True).encode()).hexdigest()


def write_csv(course, by_assignment):
    """Write <course>/grades.csv from {assignment: rows}; returns its path."""
    columns = []
    for assignment in by_assignment:
        columns += [gid for gid, _ in graded_cells(assignment) if gid not in columns]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "assignment", "score", "max_score", *columns, "flagged", "reasons", "seconds"])
    for assignment, found in by_assignment.items():
        for r in sorted(found, key=lambda r: r["student"]):
            w.writerow([_text(r["student"]), assignment, f"{r['score']:g}", f"{r['max_score']:g}",
                        *[f"{r['cells'][c]:g}" if c in r["cells"] else "" for c in columns],
                        "yes" if r["flagged"] else "no", _text("; ".join(r["reasons"])), f"{r['seconds']:.1f}"])
    path = os.path.join(course, "grades.csv")
    write_atomic(path, buf.getvalue())
    return path


def write_summary(course, assignment, found):
    """Write summary/<assignment>.png and .md; returns the Markdown text."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = graded_cells(assignment)
    n = len(found)
    max_score = max((r["max_score"] for r in found), default=0) or sum(p for _, p in cells)
    scores = [r["score"] for r in found]
    rates = [(gid, sum(1 for r in found if r["cells"].get(gid, 0) >= pts) / n if n else 0) for gid, pts in cells]
    folder = os.path.join(course, "summary")
    os.makedirs(folder, exist_ok=True)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1, 1.4]})
    ax1.hist(scores, bins=min(25, int(max_score) + 1 or 1), range=(0, max_score or 1), color="#4878a8",
             edgecolor="white")
    ax1.set_xlabel(f"score (of {max_score:g})")
    ax1.set_ylabel("students")
    ax1.yaxis.get_major_locator().set_params(integer=True)
    ax1.set_title(f"{assignment}: {n} submissions")
    names = [gid for gid, _ in rates]
    ax2.barh(range(len(rates)), [100 * r for _, r in rates], color="#6a9f58")
    ax2.set_yticks(range(len(rates)), names, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlim(0, 100)
    ax2.set_xlabel("% of submissions with full points")
    ax2.set_title("per graded cell")
    fig.tight_layout()
    png = os.path.join(folder, f"{assignment}.png")
    tmp = os.path.join(folder, f".tmp-{assignment}.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    os.replace(tmp, png)

    failures = Counter()
    for r in found:
        for gid, cell in r["result"].get("cells", {}).items():
            if cell.get("outcome") != "passed":
                message = (str(cell.get("message") or "").strip().split("\n") or [""])[0]
                failures[(gid, cell.get("outcome", ""), _line(message, 160))] += 1
    statuses = Counter(r["status"] for r in found)
    lines = [f"# {assignment}: class summary", "",
             f"![score histogram and pass rates]({assignment}.png)", "",
             f"- submissions: {n} ({', '.join(f'{v} {k}' for k, v in sorted(statuses.items()))})"]
    if scores:
        lines += [f"- score: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):g} "
                  f"of {max_score:g}; full marks {sum(1 for s in scores if s >= max_score)}, "
                  f"zero {sum(1 for s in scores if s == 0)}",
                  f"- seconds per submission: mean {statistics.mean(r['seconds'] for r in found):.1f}, "
                  f"max {max(r['seconds'] for r in found):.1f}"]
    lines += ["", "## Pass rate per graded cell", "", "| cell | full points |", "|---|---|"]
    lines += [f"| {gid} | {100 * rate:.0f}% |" for gid, rate in rates]
    lines += ["", "## Most common failure messages", ""]
    if failures:
        lines += ["| count | cell | outcome | message |", "|---|---|---|---|"]
        lines += [f"| {c} | {gid} | {_line(outcome, 40)} | {msg} |"
                  for (gid, outcome, msg), c in failures.most_common(12)]
    else:
        lines.append("none")
    flagged = [r for r in found if r["flagged"]]
    lines += ["", f"## Flagged for review ({len(flagged)})", ""]
    lines += [f"- **{r['student']}** ({r['score']:g}/{r['max_score']:g}): "
              f"{_line('; '.join(map(str, r['reasons'])), MAX_LINE) or 'flagged'}"
              for r in sorted(flagged, key=lambda r: r["student"])] or ["none"]
    text = "\n".join(lines) + "\n"
    write_atomic(os.path.join(folder, f"{assignment}.md"), text)
    return text


def print_table(found, out=print):
    """The gradebook as a table on the terminal."""
    out(f"{'student':<40} {'score':>12} {'secs':>6}  not full points / flags")
    for r in sorted(found, key=lambda r: r["student"]):
        failed = [g for g, p in r["cells"].items() if p < r["result"]["cells"].get(g, {}).get("max_points", 0)]
        text = ", ".join(failed) if len(failed) <= 4 else f"{len(failed)} cells"
        if r["flagged"]:
            text += "  FLAGGED: " + _line("; ".join(map(str, r["reasons"])), 300)
        out(f"{r['student']:<40} {r['score']:>5g} / {r['max_score']:<4g} {r['seconds']:6.1f}  {text or '-'}")
