"""Per-student feedback HTML, by nbgrader's generate_feedback, from the autograded notebooks and the gradebook.

nbgrader renders <course>/autograded/<student>/<assignment>/<notebook>.ipynb with the scores of the gradebook
into <course>/feedback/<student>/<assignment>/<notebook>.html, with the course's preprocessors and exporter from
nbgrader_config.py (HideHiddenTests: no hidden-test source, tracebacks cut to their message; FeedbackPage and
the charlm_feedback template, grader/feedback_page.py: a page that runs and loads nothing, with the review
reasons). Only students whose result changed since their feedback was made are rendered, in child processes
(as many as --workers, each taking the next student when it is free; nbgrader's application state stays out of
the coordinator, and they only read the gradebook); then grader.check_feedback searches the feedback for
hidden-test text.

Each student is bounded: a page that takes longer than FEEDBACK_TIMEOUT seconds to render (its child is killed
and a new one takes the next student), that ends its child (memory is limited to CHILD_MEMORY) or comes out
larger than MAX_PAGE characters is replaced by a plain page with the scores, the reasons and a note saying why,
and the student is reported as an error (the next run tries again); the other students' feedback is rendered.

usage (internal): python -m grader.feedback COURSE ASSIGNMENT DB_URL, then students one per line on stdin; it
writes {"ready": true} once started, then one JSON line {"student": ..., "error": ...} per student on stdout
"""

import contextlib
import html
import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

from course.assignments import ASSIGNMENTS, ROOT

FEEDBACK_TIMEOUT = 60.0  # seconds one student's page may take to render (a page takes about 1 s)
MAX_PAGE = 30_000_000  # characters of one page (outputs are capped at 10,000,000 per notebook: grader/sanitize.py)
CHILD_MEMORY = 4 * 1024 ** 3  # bytes of address space of a rendering process
START_TIMEOUT = 120.0  # seconds a rendering process may take to start (it imports nbgrader and nbconvert)


def generate(course, assignment, url, students, workers=1, timeout=FEEDBACK_TIMEOUT):
    """Render feedback for `students` in up to `workers` child processes at once (each takes the next student
    when it is free, and only reads the gradebook); returns {student: error text} for those whose page could
    not be rendered (they get a plain page with their scores and reasons instead)."""
    if not students:
        return {}
    todo = queue.Queue()
    for student in students:
        todo.put(student)
    errors, lock = {}, threading.Lock()

    def work():
        child = None
        try:
            while True:
                try:
                    student = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    if child is None:
                        child = _Child(course, assignment, url)
                    error = child.render(student, timeout)
                    if child.dead:
                        child = None
                    if error is None:
                        error = _check_page(course, assignment, student)
                    if error is not None:
                        _fall_back(course, assignment, student, error)
                except Exception as err:  # noqa: BLE001 (whatever went wrong, it is this student's error alone)
                    error = f"feedback failed: {type(err).__name__}: {err}"
                if error is not None:
                    with lock:
                        errors[student] = error
        finally:
            if child is not None:
                child.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers, len(students)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


class _Child:
    """One rendering process: students in on stdin, one JSON line out per student; killed when it overruns."""

    def __init__(self, course, assignment, url):
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close)
        self.proc = subprocess.Popen([sys.executable, "-m", "grader.feedback", course, assignment, url], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True)
        self.buffer, self.dead, self.ready = b"", False, False

    def render(self, student, timeout):
        """None when the page was written, else why not (the process is then killed if it still runs)."""
        if not self.ready:  # it says so once it has loaded nbgrader and the course's settings
            line = self._read_line(time.monotonic() + START_TIMEOUT)
            if not line or _answer(line).get("ready") is not True:
                return self._failed("the feedback renderer did not start" if line is None else
                                    "the feedback renderer stopped before it started")
            self.ready = True
        try:
            self.proc.stdin.write(student.encode("utf-8", "surrogateescape") + b"\n")
            self.proc.stdin.flush()
        except OSError:
            return self._failed("the feedback renderer stopped")
        line = self._read_line(time.monotonic() + timeout)
        if line is None:
            return self._failed(f"rendering took longer than {timeout:g} s")
        if line == b"":
            return self._failed("the feedback renderer stopped")
        answer = _answer(line)
        if answer.get("student") != student:
            return self._failed("the feedback renderer answered something else")
        return answer.get("error")

    def _read_line(self, deadline):
        """The next line of the child's stdout; b'' at its end; None when the deadline passes first."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b""
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def _failed(self, why):
        self.close(kill=True)
        self.log.seek(0)
        tail = self.log.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        self.log.close()
        return why + (f" ({tail[-1][:300]})" if tail and "longer than" not in why else "")

    def close(self, kill=False):
        """Stop the process: at the end of its input it exits; killed when `kill` or when it does not."""
        if self.dead:
            return
        self.dead = True
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        if not kill:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the renderer and nothing else
            self.proc.wait()
        self.proc.stdout.close()


def _answer(line):
    try:
        answer = json.loads(line)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


OUR_ERRORS = ("rendering took", "the feedback renderer", "the page came out", "no page")  # safe to show a learner


def page_path(course, assignment, student):
    return os.path.join(course, "feedback", student, assignment, ASSIGNMENTS[assignment][0][:-len(".ipynb")] + ".html")


def _check_page(course, assignment, student):
    """Why a rendered page cannot stay (None when it can)."""
    try:
        size = os.path.getsize(page_path(course, assignment, student))
    except OSError:
        return "no page was written"
    if size > MAX_PAGE:
        return f"the page came out at {size:,} bytes, more than the {MAX_PAGE:,} allowed"
    return None


def _fall_back(course, assignment, student, error):
    from grader.feedback_page import read_result

    # the learner reads our own words only (never a renderer's log)
    why = error.split(" (")[0] if error.startswith(OUR_ERRORS) else "the page could not be rendered"
    note = (f"Your full feedback page could not be made ({why}); here are your scores and the grader's "
            "reasons. Your instructor has been told.")
    write_plain(course, assignment, student, read_result(course, assignment, student), note)


def write_plain(course, assignment, student, result, note):
    """A plain page: the note, the score of each test with its message, the review reasons and notes."""
    from grader.feedback_page import assignment as known
    from grader.store import write_atomic

    names = known(assignment).names if assignment in ASSIGNMENTS else {}
    e = html.escape
    order = {gid: i for i, gid in enumerate(names)}  # the notebook's order
    cells = sorted(((gid, v) for gid, v in (result.get("cells") or {}).items() if isinstance(v, dict)),
                   key=lambda item: (order.get(item[0], len(order)), item[0]))
    rows = "".join(f"<tr><td>{e(names.get(gid, gid))}</td><td>{e(str(v.get('outcome', '')))}</td>"
                   f"<td>{float(v.get('points', 0)):g} / {float(v.get('max_points', 0)):g}</td>"
                   f"<td>{e(str(v.get('message', '')))}</td></tr>" for gid, v in cells)
    reasons = "".join(f"<li>{e(str(r))}</li>" for r in result.get("reasons") or [])
    notes = "".join(f"<li>{e(str(n))}</li>" for n in result.get("notes") or [])
    page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{e(assignment)}: feedback</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:.3em .6em;"
            "vertical-align:top}table{border-collapse:collapse}</style></head><body>"
            f"<h1>{e(assignment)}: {float(result.get('score', 0)):g} / {float(result.get('max_score', 0)):g}</h1>"
            f"<p>{e(note)}</p>"
            + (f"<table><tr><th>test</th><th>outcome</th><th>points</th><th>message</th></tr>{rows}</table>"
               if rows else "")
            + (f"<h2>Flagged for the instructor's review</h2><ul>{reasons}</ul>" if reasons else "")
            + (f"<h2>Notes from the grader</h2><ul>{notes}</ul>" if notes else "")
            + "</body></html>\n")
    path = page_path(course, assignment, student)
    write_atomic(path, page.encode("utf-8", "backslashreplace"))  # whatever string a result holds
    os.chmod(path, 0o644)  # as nbgrader writes feedback


def write_ungraded(course, assignment, student, result):
    """Feedback for a submission that could not be graded (no notebook to render): the reasons, plainly."""
    write_plain(course, assignment, student, result,
                f"Your submission could not be graded ({result.get('status')}).")


def leaks(course):
    """(file, line) of hidden-test text found in the course's feedback."""
    from grader import check_feedback  # imports nbformat (seconds): only when feedback was made

    folder = os.path.join(course, "feedback")
    return check_feedback.leaks(folder) if os.path.isdir(folder) else []


def _main(argv):
    import logging
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")  # the protocol's own channel
    os.dup2(2, 1)  # whatever else is printed goes to the log

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course, assignment, url = argv
    config = PyFileConfigLoader("nbgrader_config.py", path=ROOT).load_config()
    extra = Config()
    extra.CourseDirectory.root = ROOT
    extra.CourseDirectory.autograded_directory = os.path.join(course, "autograded")
    extra.CourseDirectory.feedback_directory = os.path.join(course, "feedback")
    extra.CourseDirectory.submitted_directory = os.path.join(course, "submitted")
    extra.CourseDirectory.db_url = url
    config.merge(extra)
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    api.log.setLevel(logging.ERROR)
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin.buffer:
        student = line.rstrip(b"\n").decode("utf-8", "surrogateescape")
        if not student:
            continue
        try:
            out = api.generate_feedback(assignment, student, force=True)
            error = None if out.get("success") else (out.get("error") or out.get("log") or "failed")[-800:]
        except Exception as err:  # noqa: BLE001 (one student's failure is that student's, never the others')
            error = f"{type(err).__name__}: {err}"[-800:]
        answers.write(json.dumps({"student": student, "error": error}, ensure_ascii=True) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
