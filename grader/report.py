"""What the instructor takes away: grades.csv for the LMS and a class summary to read at a glance.

grades.csv (UTF-8, comma-separated, one header row, no index column, one row per student and assignment):
    student, assignment, score, max_score, <one column per graded cell of every assignment graded in this
    course, in notebook order>, flagged (yes/no), reasons ("; "-separated: the review reasons, then each failed
    test's kind of mistake as "<grade_id>: <function>, <kind>", grader/kinds.py), seconds
A cell column is empty for another assignment's rows. A manual score a grader entered in formgrader replaces the
autograder's points of that cell (and the total). Text that a spreadsheet would run as a formula (starting
with = + - @) is prefixed with a single quote. Any string is written (lone surrogates as their escapes), and what one
student adds is bounded: the result's reasons are capped when it is written (grader.store.bound), the CSV's
`reasons` field and the summary's line per student are cut again here.

summary/<assignment>.png: score histogram and per-cell pass rates (matplotlib); summary/<assignment>.md: the
numbers, the most common failure messages, the flagged submissions with their reasons, and what the last --regrade
changed (who, score before -> after, which cells and why; the first rows there, all in
summary/<assignment>-regrade.md). grader/similarity.py adds its own section after these, between its markers.

What a grading changes (`compare`), for a dry run's report and the summary's "last regrade": two gradings of each
student in store.compact's form, before and after; a student changed when a cell's points, outcome or message,
the review flag or its reasons, or the status differ. Scores are the autograder's: a manual score entered in
formgrader still wins in grades.csv (a dry run names those cells).
"""

import csv
import hashlib
import io
import json
import os
import statistics
import time
from collections import Counter

from grader import store
from grader.store import cap, compact, graded_cells, load_results, read_json, write_atomic, write_json

FORMULA = ("=", "+", "-", "@", "\t", "\r")
MAX_REASONS = 2000   # characters of one student's reasons in the CSV
MAX_LINE = 600       # characters of one student's line in the summary
MAX_MESSAGE = 160    # characters of a cell's message in a line of changes
SUMMARY_CHANGES = 40  # students listed in the summary's "last regrade" section (all in <assignment>-regrade.md)
DETAIL = 30          # changed students a dry run prints with their messages (more: one line each)
NAMES = 8            # names on a line that groups students (all in the report file)


def _text(value):
    value = cap(value, MAX_REASONS)
    return "'" + value if value.startswith(FORMULA) else value


def _line(text, limit):
    """One line of Markdown from any text: newlines, table bars and tags (an HTML comment, similarity's markers)
    made harmless, cut to limit."""
    return cap(" ".join(str(text).split()).replace("|", "/").replace("<", "&lt;"), limit)


def rows(course, assignment, manual=None):
    """One dict per student of the assignment: the CSV's fields (cells by grade_id) from the result files."""
    manual = manual or {}
    out = []
    order = graded_cells(assignment)
    for student, record in load_results(course, assignment).items():
        result = record["result"]
        cells = {}
        for gid, _ in order:
            cell = result.get("cells", {}).get(gid)
            points = float(cell["points"]) if cell else 0.0
            cells[gid] = manual.get((student, gid), points)
        out.append({"student": student, "assignment": assignment, "score": sum(cells.values()),
                    "max_score": float(result.get("max_score", 0)), "cells": cells,
                    "flagged": bool(result.get("flagged")), "reasons": list(result.get("reasons", [])),
                    "mistakes": mistakes(result, order),
                    "seconds": float(result.get("seconds") or 0), "status": result.get("status"),
                    "result": result})
    return out


def mistakes(result, order):
    """Each failed test's kind of mistake, in notebook order: "<grade_id>: <function>, <kind>"."""
    out = []
    for gid, _ in order:
        cell = result.get("cells", {}).get(gid)
        if isinstance(cell, dict) and cell.get("outcome") != "passed" and cell.get("kind"):
            out.append(f"{gid}: {cell.get('function') or 'the test'}, {cell['kind']}")
    return out


def fingerprint(found, last=None):
    """A hash of what the summary shows, to redraw it only when something changed."""
    data = [(r["student"], r["score"], r["cells"], r["flagged"], r["reasons"], r["status"]) for r in found]
    data = sorted(data, key=str)
    if last:
        data.append(last)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


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
                        "yes" if r["flagged"] else "no", _text("; ".join(r["reasons"] + r.get("mistakes", []))),
                        f"{r['seconds']:.1f}"])
    path = os.path.join(course, "grades.csv")
    write_atomic(path, buf.getvalue())
    return path


def write_summary(course, assignment, found, last=None):
    """Write summary/<assignment>.png and .md (with `last`, from last_regrade, the changes of the last regrade, and
    summary/<assignment>-regrade.md); returns the Markdown text."""
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
    if last:
        whole = f"{assignment}-regrade.md"
        lines += ["", *regrade_section(last, whole)]
        write_atomic(os.path.join(folder, whole), "\n".join(
            [f"# {assignment}: the last regrade", "", *regrade_section(last, None)]) + "\n")
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


# ---------------------------------------------------------------------------------------------------------------
# what a grading changes: a dry run's report, the summary's "last regrade"

def _cells_changed(order, before, after):
    out = []
    cb, ca = before.get("cells") or {}, after.get("cells") or {}
    for gid in order + sorted(g for g in set(cb) | set(ca) if g not in order):
        b, a = cb.get(gid), ca.get(gid)
        keys = ("points", "max_points", "outcome", "message")
        if (b is None) != (a is None) or (b and a and any(b.get(k) != a.get(k) for k in keys)):
            out.append({"cell": gid, "before": b, "after": a})
    return out


def compare(assignment, before, after, submitted, not_graded=None):
    """What changed between two gradings of a class.

    before, after: {student: store.compact(record)} (a student not graded again has the same grading, same id,
    in both); submitted: the students of the run's submissions; not_graded: {student: why} of the students we could
    not grade (our fault: no grade was recorded, the earlier one stays). Returns a dict (JSON-ready):
    changed: [{student, before, after, max_score, notebook ("same" or "another"), cells: [{cell, before, after}],
    flagged: [before, after] or None, reasons_added, reasons_removed, status: [before, after] or None}];
    new: [{student, score, max_score, status}]; gone: [{student, score, max_score}] (graded before, not in the
    submissions now: the grade stays); ours: [{student, why, score or None, max_score}]; unchanged: students
    graded again with the same result; skipped: students not graded again."""
    not_graded = not_graded or {}
    order = [gid for gid, _ in graded_cells(assignment)]
    out = {"changed": [], "new": [], "gone": [], "ours": [], "unchanged": [], "skipped": []}
    for student in sorted(set(before) | set(after) | set(not_graded) | set(submitted)):
        b, a = before.get(student), after.get(student)
        if student in not_graded:
            out["ours"].append({"student": student, "why": cap(str(not_graded[student]), 300),
                                "score": b["score"] if b else None, "max_score": b["max_score"] if b else None})
        elif student not in submitted:
            if b:
                out["gone"].append({"student": student, "score": b["score"], "max_score": b["max_score"]})
        elif b is None:
            if a:
                out["new"].append({"student": student, "score": a["score"], "max_score": a["max_score"],
                                   "status": a["status"]})
        elif a is None or a.get("id") == b.get("id"):
            out["skipped"].append(student)
        else:
            cells = _cells_changed(order, b, a)
            added = [r for r in a["reasons"] if r not in b["reasons"]]
            removed = [r for r in b["reasons"] if r not in a["reasons"]]
            entry = {"student": student, "before": b["score"], "after": a["score"], "max_score": a["max_score"],
                     "notebook": "same" if a.get("key") == b.get("key") else "another", "cells": cells,
                     "flagged": [b["flagged"], a["flagged"]] if b["flagged"] != a["flagged"] else None,
                     "reasons_added": added, "reasons_removed": removed,
                     "status": [b["status"], a["status"]] if b["status"] != a["status"] else None}
            if cells or added or removed or entry["flagged"] or entry["status"] or b["score"] != a["score"] \
                    or b["max_score"] != a["max_score"]:
                out["changed"].append(entry)
            else:
                out["unchanged"].append(student)
    return out


def _names(students, limit=NAMES):
    students = list(students)
    more = len(students) - limit
    return ", ".join(students[:limit]) + (f" and {more:,} more" if more > 0 else "")


def _cell_state(c):
    return "missing" if c is None else f"{c['outcome']} {c['points']:g}/{c['max_points']:g}"


def _quote(message, limit):
    return '"' + _line(message, limit) + '"'


def cell_change(change, arrow="->", limit=MAX_MESSAGE):
    """One cell's change: points and outcome before -> after, and why (the message now, and before when it differs)."""
    b, a = change["before"], change["after"]
    text = f"{change['cell']}: {_cell_state(b)} {arrow} {_cell_state(a)}"
    said_b = b["message"] if b and b["outcome"] != "passed" else ""
    said_a = a["message"] if a and a["outcome"] != "passed" else ""
    if said_a:
        text += f": {_quote(said_a, limit)}"
    if said_b and said_b != said_a:
        text += f" (was {_quote(said_b, limit)})"
    if not said_a and not said_b and b and a and b["message"] != a["message"]:
        text += f": message {_quote(b['message'], limit)} {arrow} {_quote(a['message'], limit)}"
    return text


def _other_changes(entry, arrow, limit):
    out = []
    if entry["status"]:
        out.append(f"status: {entry['status'][0]} {arrow} {entry['status'][1]}")
    if entry["flagged"]:
        b, a = entry["flagged"]
        out.append(f"review flag: {'yes' if b else 'no'} {arrow} {'yes' if a else 'no'}")
    for r in entry["reasons_added"]:
        out.append(f"review reason added: {_quote(r, limit)}")
    for r in entry["reasons_removed"]:
        out.append(f"review reason gone: {_quote(r, limit)}")
    return out


def _score(entry, arrow):
    delta = entry["after"] - entry["before"]
    text = f"{entry['before']:g} {arrow} {entry['after']:g}/{entry['max_score']:g}"
    return text + (f" ({delta:+g})" if delta else "") + (", another notebook" if entry["notebook"] != "same" else "")


def totals(changes, would=True):
    """The one-line total."""
    changed = changes["changed"]
    up = sum(1 for e in changed if e["after"] > e["before"])
    down = sum(1 for e in changed if e["after"] < e["before"])
    n = sum(len(changes.get(k, [])) for k in ("changed", "new", "gone", "ours", "unchanged", "skipped", "waiting"))
    verb = "would change" if would else "changed"
    ways = ", ".join(f"{k} {way}" for k, way in ((down, "down"), (up, "up")) if k)
    parts = [f"{up + down} {verb} score" + (f" ({ways})" if ways else "")]
    if len(changed) > up + down:
        parts.append(f"{len(changed) - up - down} {verb} cells or flags only")
    parts.append(f"{len(changes['unchanged']) + len(changes['skipped'])} unchanged")
    if changes["new"]:
        parts.append(f"{len(changes['new'])} new")
    if changes["gone"]:
        parts.append(f"{len(changes['gone'])} gone (not in the submissions; their grade stays)")
    if changes["ours"]:
        parts.append(f"{len(changes['ours'])} NOT graded (ours; their grade stays as it is)")
    if changes.get("waiting"):
        parts.append(f"{len(changes['waiting'])} not graded again yet")
    return f"total: {n} student(s): " + ", ".join(parts)


def by_cell(changes):
    """[(cell, outcome before, outcome after, students, most common message now)], most students first."""
    groups, messages = Counter(), {}
    for e in changes["changed"]:
        for c in e["cells"]:
            k = (c["cell"], c["before"]["outcome"] if c["before"] else "missing",
                 c["after"]["outcome"] if c["after"] else "missing")
            groups[k] += 1
            if c["after"] and c["after"]["outcome"] != "passed":
                messages.setdefault(k, Counter())[c["after"]["message"]] += 1
    return [(*k, n, messages[k].most_common(1)[0][0] if k in messages else "")
            for k, n in groups.most_common()]


def format_changes(changes, would=True, detail=DETAIL, limit=MAX_MESSAGE):
    """The changes as lines for the terminal: each changed student (with the cells' messages when there are at most
    `detail` of them, else one line each), by cell, new, gone and not graded students, the unchanged in one line,
    then the total."""
    lines = []
    changed = changes["changed"]
    if changed:
        lines.append(f"{'would change' if would else 'changed'} ({len(changed)}):")
    for e in changed:
        if len(changed) <= detail:
            lines.append(f"  {e['student']}: {_score(e, '->')}")
            lines += [f"      {cell_change(c, '->', limit)}" for c in e["cells"]]
            lines += [f"      {x}" for x in _other_changes(e, "->", limit)]
        else:
            what = [f"{c['cell']} {_cell_state(c['before'])} -> {_cell_state(c['after'])}" for c in e["cells"]]
            what += _other_changes(e, "->", 60)
            lines.append(f"  {e['student']}: {_score(e, '->')}: {_line('; '.join(what), 300)}")
    groups = by_cell(changes)
    if len(changed) > 1 and groups:
        lines.append("by cell:")
        for gid, b, a, n, message in groups[:12]:
            lines.append(f"  {gid}: {b} -> {a}: {n} student(s)" + (f", e.g. {_quote(message, limit)}" if message
                                                                     else ""))
    def graded(e):
        return f"{e['student']} {e['score']:g}/{e['max_score']:g}"

    if changes["new"]:
        lines.append(f"new: {len(changes['new'])} not graded before: {_names(map(graded, changes['new']), detail)}")
    if changes["gone"]:
        lines.append(f"gone: {len(changes['gone'])} not in the submissions (their grade stays as it is): "
                     f"{_names(map(graded, changes['gone']), detail)}")
    by_why = {}
    for e in changes["ours"]:
        by_why.setdefault(e["why"], []).append(e)
    for why, group in sorted(by_why.items(), key=lambda kv: -len(kv[1])):
        names = _names([f"{e['student']} (keeps {e['score']:g}/{e['max_score']:g})" if e["score"] is not None
                        else f"{e['student']} (no grade yet)" for e in group], detail)
        lines.append(f"not graded (ours): {len(group)}: {names}: {_line(why, 300)} (a fault of ours, not a change: "
                     "no grade is recorded for it, and every run tries again)")
    if changes["unchanged"]:
        lines.append(f"unchanged: {len(changes['unchanged'])} graded again, same result "
                     f"({_names(changes['unchanged'])})")
    if changes["skipped"]:
        lines.append(f"unchanged: {len(changes['skipped'])} not graded again (same notebook, already graded: "
                     f"{_names(changes['skipped'])})")
    lines.append(totals(changes, would))
    return lines


def changes_markdown(changes, would=True, limit=None, full=None):
    """The changes as Markdown lines: the total, a table of the changed students (the first `limit` of them, then
    a link to `full`), by cell, new, gone, not graded, and every unchanged student."""
    def more(listed, shown):
        return f" and {len(listed) - len(shown)} more" if len(shown) < len(listed) else ""

    arrow = "→"
    changed = changes["changed"]
    total = totals(changes, would).removeprefix("total: ")
    lines = [total[:1].upper() + total[1:] + ".", ""]
    said, row = (300, 4000) if limit is None else (MAX_MESSAGE, MAX_LINE)   # characters of a message, of a row
    if changed:
        lines += ["| student | score | what changed |", "|---|---|---|"]
        for e in changed[:limit]:
            what = [cell_change(c, arrow, said) for c in e["cells"]] + _other_changes(e, arrow, said)
            lines.append(f"| `{e['student']}` | {_score(e, arrow)} | {_line('; '.join(what), row)} |")
        if limit is not None and len(changed) > limit:
            lines += ["", f"and {len(changed) - limit} more" + (f": all in [{full}]({full})." if full else ".")]
        groups = by_cell(changes)
        if len(changed) > 1 and groups:
            lines += ["", "| cell | before | after | students | e.g. |", "|---|---|---|---|---|"]
            lines += [f"| {gid} | {b} | {a} | {n} | {_line(m, 200) or '-'} |" for gid, b, a, n, m in groups[:12]]
    for title, key in (("New", "new"), ("Gone (not in the submissions; their grade stays)", "gone")):
        if changes[key]:
            shown = changes[key][:limit]
            lines += ["", f"{title}: " + ", ".join(f"`{e['student']}` ({e['score']:g}/{e['max_score']:g})"
                                                   for e in shown) + more(changes[key], shown)]
    if changes["ours"]:
        shown = changes["ours"][:limit]
        lines += ["", "Not graded, a fault of ours (the earlier grade stays; the next run grades them):", ""]
        lines += [f"- `{e['student']}`: {_line(e['why'], 300)}" for e in shown]
        lines += [f"- ...{more(changes['ours'], shown)}"] if len(shown) < len(changes["ours"]) else []
    same = changes["unchanged"] + changes["skipped"]
    if same:
        shown = same[:limit]
        lines += ["", f"Unchanged ({len(same)}): " + ", ".join(f"`{s}`" for s in shown) + more(same, shown)]
    return lines


# ---------------------------------------------------------------------------------------------------------------
# the last regrade, for the summary

def last_regrade(course, assignment, state, records, submitted):
    """The last --regrade of the assignment: {generation, started_at, finished_at, changes, waiting}, or None.

    From regrades/<assignment>.json (driver.grade writes every grade as it was before the regrade began) and the
    results now: while some submitted students were not graded again (a regrade killed or with faults of ours,
    finished by the next plain run), the changes so far and who is `waiting`; once every one of them was, the
    changes are written into that file for good (`finished_at`), so a later resubmission is not counted as the
    regrade's. Writes only that file."""
    path = store.regrade_log_path(course, assignment)
    log = read_json(path)
    current = (state.get("generation") or {}).get(assignment)
    if not isinstance(log, dict) or not current or log.get("generation") != current:
        return None
    if "changes" in log:
        return {k: log.get(k) for k in ("generation", "started_at", "finished_at", "changes")} | {"waiting": []}
    before = log.get("before") or {}
    order = graded_cells(assignment)
    regraded = {s: compact(r, assignment, order) for s, r in records.items() if r.get("generation") == current}
    after = {**before, **regraded}
    waiting = sorted(s for s in log.get("submitted") or [] if s not in regraded and s in submitted)
    changes = compare(assignment, before, after, set(log.get("submitted") or []))
    if waiting:   # not graded again yet: neither a change nor unchanged
        changes["skipped"] = [s for s in changes["skipped"] if s not in waiting]
        changes["waiting"] = waiting
    out = {"generation": current, "started_at": log.get("started_at"), "finished_at": None, "changes": changes,
           "waiting": waiting}
    if not waiting and records:
        out["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_json(path, {k: out[k] for k in ("generation", "started_at", "finished_at", "changes")})
    return out


def regrade_section(last, full):
    """The summary's section on the last regrade (Markdown lines): the first SUMMARY_CHANGES students, and a link
    to `full`, the page with all of them; with full None, all of them."""
    when = (last.get("started_at") or "?").replace("T", " ").replace("Z", " UTC")
    lines = ["## Last regrade", ""]
    if last["waiting"]:
        lines += [f"A `--regrade` began {when}; {len(last['waiting'])} submission(s) are not graded again yet "
                  f"({_names(last['waiting'])}): the next plain run grades them. The changes so far:", ""]
    else:
        lines += [f"The `--regrade` of {when}. Scores are the autograder's (a manual score entered in formgrader "
                  "still wins in grades.csv).", ""]
    return lines + changes_markdown(last["changes"], would=False,
                                    limit=None if full is None else SUMMARY_CHANGES, full=full)
