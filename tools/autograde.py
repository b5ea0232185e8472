"""Autograde a class safely: intake checks, a sandboxed kernel, and a grade for every student.

For each assignment the submissions of a scratch course folder are:
1. built from specification files (tools/submissions.py) into <course>/submitted/;
2. checked by tools/intake.py: repaired copies go to <course>/intake/, tampering is recorded;
3. autograded by nbgrader in one batch, every notebook in a bubblewrap sandbox that talks to
   nbgrader over IPC sockets (tools/sandbox_kernel.py), with a time limit per cell;
4. settled: a submission that tampered, tripped the tamper guard in grading.py, killed its
   kernel, or left a test cell without a result gets zero for those cells, with the reason, and
   is flagged; repairs are noted. Nobody is left out of the gradebook.
The flags and per-submission seconds go to <course>/flags.json, which tools/gradebook.py prints.

usage: python -m tools.autograde --course build/grading/NAME SPEC.py... [--cell-timeout 20]
       [--feedback] [--expect] [--no-sandbox]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime

from nbgrader.api import Gradebook, MissingEntry

from grader import intake
from tools import check_feedback, gradebook, notebooks, submissions
from tools.assignments import ASSIGNMENTS
from tools.sandbox_kernel import WARNING as NO_SANDBOX_WARNING
from tools.sandbox_kernel import bwrap_works
from utils.grading import TAMPER_MARKER

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = "charlm-sandbox"
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,\d+)? .*?Sanitizing .*/intake/([^/]+)/([^/]+)/")


def course_options(course):
    return [f"--CourseDirectory.submitted_directory={course}/intake",
            f"--CourseDirectory.autograded_directory={course}/autograded",
            f"--CourseDirectory.feedback_directory={course}/feedback",
            f"--CourseDirectory.release_directory={course}/release",
            f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db"]


def nbgrader(args, env, log=None):
    """Run nbgrader from the repository root with this interpreter; return the completed process."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT if log else subprocess.PIPE)


def write_kernelspec(course, sandbox):
    folder = os.path.join(course, "jupyter", "kernels", KERNEL)
    os.makedirs(folder, exist_ok=True)
    argv = ([sys.executable, os.path.join(ROOT, "tools", "sandbox_kernel.py"), "{connection_file}"] if sandbox
            else [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    with open(os.path.join(folder, "kernel.json"), "w") as f:
        json.dump({"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python",
                   "interrupt_mode": "message"}, f, indent=1)


def intake_all(course, students):
    """Check every submission; write repaired copies to <course>/intake. Returns {(student, assignment): record}."""
    records = {}
    for student, assignment in students:
        notebook, _ = ASSIGNMENTS[assignment]
        src_dir = os.path.join(course, "submitted", student, assignment)
        dst_dir = os.path.join(course, "intake", student, assignment)
        shutil.copytree(src_dir, dst_dir, dirs_exist_ok=True)
        path = os.path.join(dst_dir, notebook)
        record = {"notes": [], "zeroed": [], "seconds": None}
        if os.path.exists(path):
            submitted = notebooks.read(path)
            source = notebooks.read(os.path.join(ROOT, "source", assignment, notebook))
            release = notebooks.read(os.path.join(course, "release", assignment, notebook))
            notes, tampering = intake.check(submitted, source, release, os.path.join(ROOT, "source", assignment))
            record["notes"], record["zeroed"] = notes, tampering
            notebooks.write(submitted, path)
        records[(student, assignment)] = record
    return records


def per_student_seconds(log_text, end_time):
    """Seconds each student's notebook took, from the timestamps of nbgrader's 'Sanitizing' lines."""
    starts = []
    for line in log_text.splitlines():
        m = LOG_LINE.match(line)
        if m:
            starts.append((datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").timestamp(), m.group(2)))
    seconds = {}
    for (t0, student), (t1, _) in zip(starts, starts[1:] + [(end_time, None)]):
        seconds[student] = round(t1 - t0, 1)
    return seconds


def runtime_findings(course, student, assignment):
    """Reasons to zero found in the autograded notebook's outputs (tamper guard, dead kernel)."""
    notebook, _ = ASSIGNMENTS[assignment]
    path = os.path.join(course, "autograded", student, assignment, notebook)
    if not os.path.exists(path):
        return ["the notebook could not be graded (its kernel died or it could not be read)"], []
    zeroed, notes = [], []
    for cell in notebooks.read(path).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") + output.get("evalue", "") + "".join(output.get("traceback", []))
            gid = notebooks.grade_id(cell) or "a cell"
            if TAMPER_MARKER in text:
                zeroed.append(f"{gid}: {output.get('evalue', TAMPER_MARKER)[:300]}")
            if output.get("ename") == "DeadKernelError" or "Kernel died" in text:
                zeroed.append(f"{gid}: the kernel died (os._exit, a signal or a crash)")
            if output.get("ename") == "CellTimeoutError" or "CellTimeoutError" in text:
                notes.append(f"{gid}: ran past the time limit and was interrupted")
    return sorted(set(zeroed)), sorted(set(notes))


def settle(course, assignment, students, records):
    """Make sure every student has a grade for every cell; zero and flag where needed."""
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        for student in students:
            record = records[(student, assignment)]
            zeroed, notes = runtime_findings(course, student, assignment)
            record["zeroed"] += [z for z in zeroed if z not in record["zeroed"]]
            record["notes"] += notes
            gb.update_or_create_student(student)
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                sub = gb.update_or_create_submission(assignment, student)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    missing = grade.auto_score is None and grade.manual_score is None
                    if record["zeroed"] or missing:
                        if missing and not record["zeroed"]:
                            record["zeroed"].append(f"{grade.name}: no result was recorded")
                        grade.manual_score = 0
                        grade.needs_manual_grade = False
            gb.db.commit()


def grade_assignment(course, assignment, students, records, env, cell_timeout):
    """Autograde one assignment's students in one nbgrader batch; fill in seconds per student."""
    ipc = tempfile.mkdtemp(prefix="charlm-ipc-")
    try:
        args = ["autograde", assignment, "--force", "--log-level=INFO",
                "--Application.log_format=%(asctime)s %(message)s", *course_options(course),
                f"--Execute.kernel_name={KERNEL}", f"--Execute.timeout={cell_timeout}",
                # a cell that prints megabytes may take longer than nbclient's 4 s to deliver them
                f"--Execute.iopub_timeout={cell_timeout}", "--Execute.raise_on_iopub_timeout=False",
                "--KernelManager.transport=ipc", f"--KernelManager.ip={ipc}/ipc"]
        t0 = time.time()
        result = nbgrader(args, env, log=True)
        seconds = per_student_seconds(result.stdout, time.time())
        with open(os.path.join(course, f"autograde-{assignment}.log"), "w") as f:
            f.write(result.stdout)
        for student in students:
            records[(student, assignment)]["seconds"] = seconds.get(student)
        return time.time() - t0
    finally:
        shutil.rmtree(ipc, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--course", required=True, help="scratch course folder (emptied first)")
    ap.add_argument("--cell-timeout", type=int, default=60)
    ap.add_argument("--feedback", action="store_true", help="also generate feedback HTML")
    ap.add_argument("--expect", action="store_true", help="check each spec's declared outcome")
    ap.add_argument("--no-sandbox", action="store_true")
    args = ap.parse_args(argv)
    course = os.path.abspath(args.course)
    shutil.rmtree(course, ignore_errors=True)
    os.makedirs(course)

    sandbox = not args.no_sandbox and shutil.which("bwrap") is not None and bwrap_works(shutil.which("bwrap"))
    if not sandbox:
        print(f"\n{'!' * 78}\n{NO_SANDBOX_WARNING}\n(install bubblewrap: `apt-get install bubblewrap`)\n{'!' * 78}\n",
              file=sys.stderr)
    write_kernelspec(course, sandbox)
    env = dict(os.environ, JUPYTER_PATH=os.path.join(course, "jupyter"),
               CHARLM_SANDBOX_HIDE=os.pathsep.join([ROOT, course]),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))

    by_assignment = {}
    for spec in args.specs:
        student, assignment = submissions.write_submission(spec, os.path.join(course, "submitted"))
        by_assignment.setdefault(assignment, []).append(student)
    records = {}
    for assignment, students in by_assignment.items():
        made = nbgrader(["generate_assignment", assignment, "--force", "--log-level=ERROR", *course_options(course)],
                        env)
        if made.returncode != 0:
            print(made.stdout + made.stderr, file=sys.stderr)
            return 1
        records.update(intake_all(course, [(s, assignment) for s in students]))
        took = grade_assignment(course, assignment, students, records, env, args.cell_timeout)
        settle(course, assignment, students, records)
        print(f"{assignment}: {len(students)} submissions autograded in {took:.0f} s "
              f"({took / len(students):.1f} s per submission{'' if sandbox else ', NOT sandboxed'})")
        if args.feedback:
            fb = nbgrader(["generate_feedback", assignment, "--force", "--log-level=ERROR", *course_options(course)],
                          env)
            if fb.returncode != 0:
                print(fb.stdout + fb.stderr, file=sys.stderr)
                return 1
            leaked = check_feedback.leaks(os.path.join(course, "feedback"))
            for path, line in leaked:
                print(f"error: hidden-test text in {path}: {line!r}", file=sys.stderr)
            if leaked:
                return 1
            print(f"{assignment}: feedback generated; no hidden-test text in it")
    with open(os.path.join(course, "flags.json"), "w") as f:
        json.dump({f"{s}/{a}": r for (s, a), r in sorted(records.items())}, f, indent=1)
    gb_args = ["--db", os.path.join(course, "gradebook.db")] + (["--expect", *args.specs] if args.expect else [])
    return gradebook.main(gb_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
