"""The coordinator: which submissions need grading, grading them (grader/executors.py: here, in a process pool or
on Dask), and keeping every result safe in the course folder as it arrives (grader/store.py).

A rerun grades a submission again when its key changed (sha256 of the notebook text and of the listing of the
files beside it), when its result is of an older generation than the assignment's (a --regrade starts a new
generation before it grades anything, so a regrade that was killed or failed for some students is finished by
the next plain run), or with --regrade; the gradebook, the CSV, feedback and the summary are then brought up to
date from the result files. One result file per student and assignment is what makes "exactly one grade each"
hold whatever happened before. Only this process writes the gradebook and the CSV.

Our faults are not grades: a submission that could not be graded because of something of ours (the unit or the
judge crashed, a grading process or a Dask worker was lost, a cluster that cannot run the job, a machine that
cannot sandbox) gets no result file at all. Its earlier result, if any, stays as it was; the run says why and
ends non-zero; the next plain run grades it (its key or generation still differ from what was asked).
"""

import json
import os
import time
import uuid
from dataclasses import dataclass, field

from grader import seeds
from grader.defaults import DEFAULT_BUDGET, DEFAULT_CELL_TIMEOUT
from grader.executors import ClusterUnusable, load_unit, run_dask, run_pool, run_serial, unit_spec, why_ours
from grader.results import is_ours
from grader.store import (
    autograded_path,
    bound,
    cap,
    clean,
    compact,
    generation,
    graded_cells,
    job_key,
    load_results,
    load_state,
    printable,
    regrade_log_path,
    result_path,
    save_state,
    say,
    write_atomic,
    write_json,
)
from grader.unit import make_job


class NoSandbox(Exception):
    """This machine cannot run learners' code sandboxed, and the run did not accept an unsandboxed one."""


@dataclass
class Outcome:
    """What one grading run did: how many were graded and skipped, and which were not graded (our fault) and why."""

    graded: int = 0
    skipped: int = 0
    not_graded: dict = field(default_factory=dict)   # student -> why (one line)


def sandbox_refusal(allow_unsandboxed):
    """'' when learners' code can run here (sandboxed, or unsandboxed by the instructor's choice), else why not."""
    if allow_unsandboxed:
        return ""
    from grader.sandbox import unavailable_reason

    why = unavailable_reason()
    return (f"{why}: refusing to run learners' code without the sandbox (install bubblewrap with `make sandbox`, "
            "or pass --allow-unsandboxed to accept an unsandboxed run)") if why else ""


def grade(course, assignment, submissions, *, workers=1, scheduler=None, cell_timeout=DEFAULT_CELL_TIMEOUT,
          budget=DEFAULT_BUDGET, regrade=False, allow_unsandboxed=False, state=None, log=None, secret=None):
    """Grade the submissions that are new or changed (all with regrade); returns an Outcome.

    `state` (grader-state.json, saved here when a regrade starts a new generation) says which generation of the
    tests the results must be of. Each job carries its student's seed for the hidden tests' inputs, derived from
    `secret` (default: the course's own, grader/seeds.py, made on first need); the secret itself stays here.
    Raises NoSandbox, before grading anything, when this machine cannot sandbox and allow_unsandboxed is false
    (on a Dask cluster each worker checks for itself)."""
    log = log or say
    state = load_state(course) if state is None else state
    current = generation(state, assignment)
    existing = load_results(course, assignment)
    todo, extras = [], {}

    for sub in submissions:
        key = job_key(sub.text(), sub.files)
        old = existing.get(sub.student)
        if not regrade and old and old.get("key") == key and old.get("generation") == current:
            continue
        extras[sub.student] = (key, sub)
    outcome = Outcome(skipped=len(submissions) - len(extras))
    if not extras:
        return outcome
    secret = seeds.course_secret(course) if secret is None else secret
    for student, (_key, sub) in extras.items():
        # the notebook's text joins the job only when it is handed to a worker (see materialize)
        todo.append(make_job(student, assignment, files=sub.files, cell_timeout=cell_timeout, budget=budget,
                             allow_unsandboxed=allow_unsandboxed, seed=seeds.seed_for(secret, student, assignment)))
    spec = unit_spec()
    if scheduler is None:
        load_unit(spec)   # fail early and clearly when the unit cannot be imported here
        refusal = sandbox_refusal(allow_unsandboxed)
        if refusal:
            raise NoSandbox(refusal)
    if regrade:   # before anything is graded: a regrade killed midway is finished by the next plain run
        current = generation(state, assignment, new=True)
        order = graded_cells(assignment)
        # every grade as it was, for the summary's "last regrade" (written before the generation it belongs to)
        write_json(regrade_log_path(course, assignment),
                   {"generation": current, "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "submitted": sorted(sub.student for sub in submissions),
                    "before": {s: compact(r, assignment, order) for s, r in existing.items()}})
        save_state(course, state)
    done = [0]
    t0 = time.time()

    def materialize(job):
        sub = extras[job["student"]][1]
        return dict(job, notebook=sub.text())

    def on_result(job, result):
        student = job["student"]
        done[0] += 1
        try:
            if is_ours(result):
                raise Ours(why_ours(result))
            record(job, result)
        except Exception as e:  # noqa: BLE001 (a result we cannot write is ours too: this student alone)
            why = str(e) if isinstance(e, Ours) else f"writing the result failed: {type(e).__name__}: {e}"
            outcome.not_graded[student] = printable(why)
            log(f"[{done[0]}/{len(todo)}] {student}: NOT GRADED, a fault of ours ({cap(why, 300)}); "
                "nothing recorded, the next run grades it")

    def record(job, result):
        key, sub = extras[job["student"]]
        notebook = result.pop("notebook", None)
        # what the intake found before the unit ran (several notebooks, renamed id) joins the unit's findings
        if sub.flags:
            result["flagged"] = True
            result["reasons"] = list(result.get("reasons", [])) + [f"intake: {f}" for f in sub.flags]
        result["notes"] = [f"intake: {n}" for n in sub.notes] + list(result.get("notes", []))
        result["seed"] = job.get("seed")   # the seed this run gave the student's hidden tests (grader/seeds.py)
        result = bound(clean(result))
        nb_path = autograded_path(course, assignment, job["student"])
        if notebook is not None:
            write_atomic(nb_path, json.dumps(clean(notebook), ensure_ascii=False))
        elif os.path.exists(nb_path):
            os.unlink(nb_path)   # ours, from an earlier submission of this student: it no longer applies
        write_json(result_path(course, assignment, job["student"]),
                   {"key": key, "id": uuid.uuid4().hex, "origin": printable(sub.origin), "generation": current,
                    "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "has_notebook": notebook is not None, "result": result})
        outcome.graded += 1
        log(f"[{done[0]}/{len(todo)}] {job['student']}: {result.get('status')} {result.get('score', 0):g}/"
            f"{result.get('max_score', 0):g}{'  FLAGGED' if result.get('flagged') else ''} "
            f"({result.get('seconds', 0):.1f} s)")

    if scheduler:
        try:
            run_dask(scheduler, spec, todo, materialize, on_result, log=log)
        except ClusterUnusable as e:
            log(f"dask: {e}")
            for job in todo:
                outcome.not_graded.setdefault(job["student"], str(e))
    elif workers > 1:
        run_pool(spec, todo, workers, materialize, on_result)
    else:
        run_serial(spec, todo, materialize, on_result)
    log(f"{assignment}: graded {outcome.graded} submission(s) in {time.time() - t0:.1f} s"
        f" ({(time.time() - t0) / len(todo):.2f} s each, {workers if not scheduler else 'dask'} worker(s)); "
        f"{outcome.skipped} unchanged" + (f"; {len(outcome.not_graded)} NOT graded (ours)" if outcome.not_graded
                                          else ""))
    return outcome


class Ours(Exception):
    """A result that is our fault, with why."""
