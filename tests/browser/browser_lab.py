"""A learner and an instructor in JupyterLab, in a real browser (Debian's chromium, headless, via Playwright).

Run by `make browser-test` (part of `make test`); not collected by `pytest tests` (the file name does not
start with test_). It starts JupyterLab as `make lab` and `make formgrader COURSE=...` do (the command lines are
read from `make -n`), on 127.0.0.1 with free ports and tokens, a scratch workspace made by tools/workspace.py and
one HOME for both labs (as on a real machine, where they would share ~/.jupyter/lab if the course let them).
Meanwhile a small class (a solution, a partial one, a flagged one) is graded in the background with `python -m
grader grade` into a scratch course folder.

Left open and untouched from the start: every released notebook and the lab in the instructor's lab (the
repository's release/ and notebooks/) and the learner's untouched copies of two assignments in a second learner
lab on the same workspace; after JupyterLab's autosave interval and then some (AUTOSAVE seconds, spent on the steps
below) not one of those files has changed a byte and none is marked unsaved. Then, as a learner:

1. the lab opens on the workspace's README, rendered, and no Launcher;
2. opens Dinosaur Island, writes `clip`, runs all cells: the visible clip test passes, the demo of the first
   unimplemented exercise says in one line that it needs it, and its test stops the run;
3. presses Validate: the course's self-check gives the points and one line per failing test; `./check` in the
   lab's terminal gives the same;
4. runs the Shakespeare lab: its training cell shows a progress bar in two different states (then the
   kernel is interrupted: the epoch takes a minute), typing an opening line in the text box and pressing
   Enter writes a poem, and Enter again on the same line writes another, a cell the learner adds plots the
   interrupted epoch's losses and the figure renders;
5. saves, closes and reopens the lab: no "model not found"; Validate says the lab has no graded tests;
6. restarts JupyterLab: the saved `clip` is still there;

and as an instructor: the instructor's JupyterLab opens with none of the learner's tabs (each lab keeps its own
layout), the formgrader on the graded course folder lists the submissions, the flagged one as needing manual
grading, and a manual score set through the formgrader's API is in grades.csv after the next grade run.

Every process it starts is stopped by its id. On failure the pages' screenshots go to build/browser/.
"""

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from course import notebooks  # noqa: E402
from course.assignments import LAB_FILES, active  # noqa: E402
from tools import workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.path.join(ROOT, "build", "browser")
DINO = "assignments/dinosaur_island/dinosaur_island.ipynb"
LAB = "notebooks/shakespeare.ipynb"
# opened and never touched: every released notebook and the lab (the repository's), and the learner's copies of
# the assignments the learner below does not edit
RELEASED = [f"release/{a}/{nb}" for a, (nb, _) in active().items()] + [r for r in LAB_FILES if r.endswith(".ipynb")]
UNTOUCHED = [f"assignments/{a}/{nb}" for a, (nb, _) in active().items() if a != "dinosaur_island"]
CLASS = [os.path.join(ROOT, "grader_tests", d, f"dinosaur_island_{n}.py")
         for d, n in (("samples", "solution"), ("samples", "partial"), ("tamper", "rebind_checks"))]


def autosave_interval():
    """JupyterLab's autosave interval in seconds, as the course's labs run it (its default: no override)."""
    schema = os.path.join(sys.prefix, "share", "jupyter", "lab", "schemas", "@jupyterlab", "docmanager-extension",
                          "plugin.json")
    with open(schema, encoding="utf-8") as f:
        return json.load(f)["properties"]["autosaveInterval"]["default"]


AUTOSAVE = max(150, autosave_interval() + 30)  # the bar: 150 s, past an autosave

playwright_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (as root) first", pytrace=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """Ids of every living process whose ancestry leads to `pid` (read from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        children = [c for c, parent in parents.items() if parent == p]
        found += children
        frontier += children
    return found


def make_command(target, root_dir, *make_args):
    """The folder, the environment and the JupyterLab command line `make TARGET` runs (read with `make -n`, so the
    test starts exactly what a learner or an instructor starts)."""
    dry = subprocess.run(["make", "-n", "--no-print-directory", target, f"WORKSPACE={root_dir}", *make_args],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    words = shlex.split(next(line for line in dry.replace("\\\n", " ").splitlines() if " -m jupyterlab " in line))
    cwd = ROOT
    if words[0] == "cd":  # cd DIR && ...
        cwd = os.path.join(ROOT, words[1])
        assert words[2] == "&&", words
        words = words[3:]
    env = {}
    while "=" in words[0] and not words[0].startswith("-"):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    start = words.index("-m")
    assert words[start:start + 2] == ["-m", "jupyterlab"] and words[0].endswith("/python"), words
    return cwd, env, [sys.executable, *(w for w in words[1:] if not w.startswith("--ServerApp.root_dir="))]


class Jupyter:
    """A JupyterLab server as `make lab`/`make formgrader` start it, on a free port with a fresh token."""

    def __init__(self, root_dir, home, formgrader=False, make_args=()):
        self.root_dir, self.home, self.formgrader, self.make_args = root_dir, home, formgrader, list(make_args)
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.started = set()
        self.extra = []

    def start(self):
        return self.launch().ready()

    def launch(self):
        """Start the server and return at once (ready() waits for it: several can start side by side)."""
        os.makedirs(os.path.join(ROOT, "build", "exchange"), exist_ok=True)  # as the formgrader's recipe does
        cwd, made_env, command = make_command("formgrader" if self.formgrader else "lab", self.root_dir,
                                              *self.make_args)
        # one HOME for every lab of the test: JupyterLab's own default settings and layout folders would be shared
        env = dict(os.environ, HOME=self.home, JUPYTER_CONFIG_DIR=os.path.join(self.home, "config"),
                   JUPYTER_DATA_DIR=os.path.join(self.home, "data"),
                   JUPYTER_RUNTIME_DIR=os.path.join(self.home, "runtime"),
                   PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""), **made_env)
        self.log = open(os.path.join(self.home, f"jupyter-{self.port}.log"), "a")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [*command, f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root_dir}", "--ServerApp.port_retries=0", *self.extra],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; see {self.log.name}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s; see {self.log.name}")

    def api(self, method, path, body=None):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"},
                                         data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def link(self, path="", workspace=None):
        """The URL of a file in the lab; with `workspace`, in that named JupyterLab workspace (its own layout)."""
        named = f"/workspaces/{workspace}" if workspace else ""
        return f"{self.url}/lab{named}/tree/{path}?token={self.token}"

    def stop(self):
        """Shut down the kernels and the server through the API, then end any leftover by its id."""
        if self.proc is None:
            return
        self.started.update(descendants(self.proc.pid))
        try:
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            self.api("POST", "/api/shutdown")
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc = None
        self.log.close()


@pytest.fixture
def scratch(tmp_path):
    ws = tmp_path / "workspace"
    workspace.sync(str(ws), out=io.StringIO())
    home = tmp_path / "home"
    home.mkdir()
    return ws, home


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Shots:
    """What a failing test leaves behind: a screenshot of each page and, printed (pytest shows it with the
    failure) and saved beside it, each cell's prompt and the start of its outputs, since the notebook scrolls
    inside the page and a screenshot shows only its top."""

    CELLS = """() => [...document.querySelectorAll('.jp-Notebook')].filter(nb => nb.offsetParent !== null)
        .flatMap(nb => [...nb.querySelectorAll('.jp-Cell')]).map((c, i) => {
            const prompt = (c.querySelector('.jp-InputPrompt') || {}).textContent || '';
            const source = ((c.querySelector('.jp-InputArea') || {}).textContent || '').trim().slice(0, 60);
            const out = [...c.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join(' | ');
            return `${i} ${prompt.trim()} ${JSON.stringify(source)} -> ${JSON.stringify(out.slice(0, 400))}`;
        }).join('\\n')"""

    def __init__(self, name):
        self.name, self.pages = name, {}

    def save(self):
        os.makedirs(SHOTS, exist_ok=True)
        for label, page in self.pages.items():
            with contextlib.suppress(Exception):  # a page may be gone; the other screenshots still help
                page.screenshot(path=os.path.join(SHOTS, f"{self.name}-{label}.png"), full_page=True)
            with contextlib.suppress(Exception):
                cells = page.evaluate(self.CELLS)
                status = " / ".join(page.locator(".jp-StatusBar-TextItem").all_text_contents())
                report = f"--- {label} page, status bar: {status}\n{cells}\n"
                print(report)
                with open(os.path.join(SHOTS, f"{self.name}-{label}.txt"), "w") as f:
                    f.write(report)


# -----------------------------------------------------------------------------
# what a learner does in the page

def open_notebook(page, server, path, workspace=None, reload=True, wait_kernel=True):
    """Open a notebook (in a named JupyterLab workspace, if given), wait until its kernel is idle (accepting Python 3
    if JupyterLab asks which), and make it the current document: JupyterLab also restores the tabs of the last
    session, and a menu command goes to whichever notebook is current. With reload=False it is opened in the page
    as it is, through File, Open from Path (no reload: the notebooks already open stay the same documents); with
    wait_kernel=False it returns once the notebook shows, its kernel still starting."""
    if reload:
        page.goto(server.link(path, workspace))
    else:
        menu(page, "File", "Open from Path\u2026")
        dialog = page.locator(".jp-Dialog")
        dialog.locator("input").fill(path)
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").filter(
            has_text=re.compile(f"^{re.escape(os.path.basename(path))}$")).wait_for(timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").filter(visible=True).first.wait_for(timeout=60_000)
    if not wait_kernel:
        return
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").filter(visible=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
        if dialog.count():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        if kernel.count() and "ipykernel" in kernel.first.text_content():
            break
        time.sleep(0.5)
    wait_idle(page)
    focus_notebook(page, path)


def focus_notebook(page, path):
    """Click the notebook's tab and its first cell, then wait until JupyterLab's status bar names it."""
    name = os.path.basename(path)
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab").filter(has_text=re.compile(f"^{re.escape(name)}$")).click()
    page.locator(".jp-NotebookPanel .jp-Cell .jp-InputPrompt").filter(visible=True).first.click()
    page.wait_for_function(
        "name => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => e.textContent === name)"
        " && document.activeElement.closest('.jp-NotebookPanel') !== null",
        arg=name, timeout=30_000)


def run_all(page, path, queued):
    """Run All Cells in the notebook at `path`; return once the cell `queued` is waiting, running or run (its
    prompt changed), so that a menu click that went nowhere fails here and says so, not minutes later."""
    focus_notebook(page, path)
    prompt = queued.locator(".jp-InputPrompt").element_handle()
    before = prompt.text_content().strip()
    assert before != "[*]:", f"{path} is already running"
    menu(page, "Run", "Run All Cells")
    page.wait_for_function("([e, before]) => e.textContent.trim() !== before", arg=[prompt, before], timeout=30_000)


def wait_idle(page, timeout=60_000):
    """Until the kernel of the open notebook is started and idle (the status bar says so)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /\\| Idle$/.test(e.textContent))",
        timeout=timeout)


def cell(page, text):
    """The notebook cell whose source contains `text`."""
    found = page.locator(".jp-Notebook .jp-Cell").filter(has=page.locator(".jp-InputArea", has_text=text))
    found.first.wait_for(state="attached", timeout=30_000)  # JupyterLab renders a long notebook in batches
    assert found.count() == 1, f"{found.count()} cells contain {text!r}"
    return found.first


def menu(page, *labels):
    """Click through the menu bar, e.g. menu(page, "Run", "Run All Cells") (labels matched exactly)."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(f"^{re.escape(labels[0])}$")).click()
    for label in labels[1:]:
        item = page.locator(".lm-Menu-item").filter(
            has=page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(f"^{re.escape(label)}$")))
        item.first.wait_for()
        assert "lm-mod-disabled" not in (item.first.get_attribute("class") or ""), f"menu item {label!r} is disabled"
        item.first.click()


def validate(page):
    """Press the learner lab's Validate (the course's self-check); return its answer's text, close the dialog."""
    button = page.locator("[data-command='charlm:check']").filter(visible=True).first
    assert button.inner_text().strip() == "Validate"
    button.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=300_000)  # the grader runs the whole notebook in its sandbox
    text = dialog.inner_text()
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return text


def run_in_terminal(page, folder, command, attempts=3):
    """Open a terminal in the lab and type `command` there, its output and exit status going to a file in `folder`
    (the lab's root, where its terminals start); return that file's path once the shell has started the command.
    Keys typed before the terminal is connected are lost, so the command is typed again (into a new file) until
    one of them starts."""
    menu(page, "File", "New", "Terminal")
    terminal = page.locator(".jp-Terminal").filter(visible=True).first
    terminal.wait_for(timeout=60_000)
    for attempt in range(attempts):
        out = folder / f"terminal-{attempt}.txt"
        terminal.click()
        page.keyboard.type(f'{command} > {out.name} 2>&1; echo "exit $?" >> {out.name}\n')
        deadline = time.time() + 30
        while time.time() < deadline:
            started = [f for f in (folder / f"terminal-{k}.txt" for k in range(attempt + 1)) if f.exists()]
            if started:
                return started[0]
            time.sleep(0.5)
    raise AssertionError(f"the terminal did not run {command!r} after {attempts} attempts")


def tabs(page):
    """The names on the main area's tabs."""
    return [t.strip() for t in page.locator("#jp-main-dock-panel .lm-TabBar-tab").all_text_contents()]


def digests(folder, paths):
    out = {}
    for path in paths:
        with open(os.path.join(folder, path), "rb") as f:
            out[path] = hashlib.sha256(f.read()).hexdigest()
    return out


def save(page):
    """Press the open notebook's save button (Ctrl+S would go to a focused text box instead)."""
    page.locator("[title^='Save and create checkpoint']").filter(visible=True).first.click()
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)


def stderr_of(c):
    return c.locator("[data-mime-type='application/vnd.jupyter.stderr']")


def clip_solution():
    nb = notebooks.read(os.path.join(ROOT, "source", "dinosaur_island", "dinosaur_island.ipynb"))
    return notebooks.strip_markers(notebooks.cells_by_id(nb)["clip"].source)


def grade_class(submitted, course, log):
    """`python -m grader grade` on the scratch class, as an instructor runs it (a child process, output to log; no
    feedback pages: the formgrader does not need them, and they would cost the other steps a core)."""
    return subprocess.Popen([sys.executable, "-m", "grader", "grade", "--assignment", "dinosaur_island",
                             "--submissions", str(submitted), "--course", str(course), "--no-feedback", "--quiet"],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), stdout=log, stderr=subprocess.STDOUT)


def test_learner_and_instructor_in_jupyterlab(scratch, browser, request, tmp_path):
    ws, home = scratch
    shots = Shots(request.node.name)
    servers, grading, grade_log = [], None, None
    failed = True
    t0 = time.time()

    def mark(what):  # where the time goes (printed with -s, and with a failure)
        print(f"browser test: {time.time() - t0:6.1f} s  {what}", flush=True)

    try:
        # a class graded in the background, into the course folder the formgrader will serve
        course, submitted = tmp_path / "course", tmp_path / "submitted"
        subprocess.run([sys.executable, "-m", "grader", "build", "--out", str(submitted), *CLASS], cwd=ROOT,
                       check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=ROOT))
        grade_log = open(tmp_path / "grade.log", "w")  # noqa: SIM115 (closed below)
        grading = grade_class(submitted, course, grade_log)
        course.mkdir()

        lab = Jupyter(str(ws), str(home)).launch()
        servers.append(lab)
        idle_lab = Jupyter(str(ws), str(home)).launch()  # a second learner lab on the workspace, never restarted
        servers.append(idle_lab)
        grader = Jupyter(ROOT, str(home), formgrader=True,
                         make_args=[f"COURSE={course}", f"FORMGRADER_STATE={tmp_path / 'formgrader-lab'}"]).launch()
        servers.append(grader)
        for server in servers:
            server.ready()

        mark("servers started")
        # 0. opened and left alone until the end: every released notebook and the lab in the instructor's lab,
        #    the learner's untouched copies in a learner's lab (each in a named layout of its own)
        released_before, untouched_before = digests(ROOT, RELEASED), digests(str(ws), UNTOUCHED)
        idle = {"instructor-idle": (browser.new_page(viewport={"width": 1400, "height": 1000}), grader, RELEASED),
                "learner-idle": (browser.new_page(viewport={"width": 1400, "height": 1000}), idle_lab, UNTOUCHED)}
        for label, (idle_page, server, paths) in idle.items():
            shots.pages[label] = idle_page
            for i, path in enumerate(paths):
                open_notebook(idle_page, server, path, workspace="untouched", reload=i == 0, wait_kernel=False)
        opened = time.time()  # every one of their documents lives from here on (their kernels start meanwhile)

        mark("idle notebooks opened")
        # 1. the learner's lab opens on the workspace's README, rendered, without the Launcher
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        shots.pages["learner"] = page
        page.goto(f"{lab.url}/?token={lab.token}")
        page.locator(".jp-RenderedMarkdown h1", has_text="Your course workspace").wait_for(timeout=60_000)
        assert page.locator(".jp-RenderedMarkdown h2", has_text="Check your notebook").count() == 1
        page.wait_for_timeout(1000)
        assert tabs(page) == ["README.md"] and page.locator(".jp-Launcher").count() == 0, tabs(page)

        # 2. Dinosaur Island: write clip, run all
        open_notebook(page, lab, DINO)
        clip_cell = cell(page, "Clip every gradient element-wise")
        clip_cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(clip_solution())
        demo = cell(page, "indices = sample(parameters_big, char_to_ix, 0)")
        run_all(page, DINO, queued=demo)
        # sample is not written yet: its demo says so in one line, no traceback (Run All stops at sample's test)
        demo.locator(".jp-OutputArea-output", has_text="needs Exercise 2 (`sample`)").wait_for(timeout=120_000)
        assert stderr_of(demo).count() == 0
        wait_idle(page)
        test_clip = cell(page, "clip: the example gradients are clipped")
        assert test_clip.locator(".jp-InputPrompt").text_content().strip() not in ("[ ]:", "[*]:", ""), "test_clip ran"
        assert stderr_of(test_clip).count() == 0, "the visible clip test passes"
        hidden = cell(page, "clip: other shapes and bounds")
        assert hidden.locator(".jp-OutputArea-output").count() == 0, "a hidden-test placeholder prints nothing"

        # the learner's lab has no instructor tools: no nbgrader menu (formgrader, courses), no formgrader pages
        assert page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile("^Nbgrader$")).count() == 0
        with pytest.raises(urllib.error.HTTPError, match="404"):
            lab.api("GET", "/formgrader/api/assignments")

        mark("Dinosaur Island run")
        # 3. Validate: the grade of the saved notebook, hidden tests included: clip's 4 points, a short list of
        #    the six failing tests (Validate saves the unsaved edit first)
        answer = validate(page)
        assert "dinosaur_island.ipynb: 4 of 24 points" in answer, answer
        assert "4 of 24 points: 6 of 8 graded tests fail" in answer, answer
        failing = [line for line in answer.splitlines() if re.match(r"test_\w+( \(hidden test\))?: 0 of \d", line)]
        assert len(failing) == 6 and not any(line.startswith("test_clip") for line in failing), answer
        assert not page.locator(".lm-TabBar-tab.jp-mod-dirty").count(), "Validate saved the notebook"
        # ... and the same check in the lab's terminal, left running while the learner goes on
        terminal_out = run_in_terminal(page, ws, "./check dinosaur_island")

        mark("Validate answered")
        # 4. the Shakespeare lab: the progress bar moves during training (then we interrupt: the epoch takes a
        #    minute), the text box writes on Enter, a figure of the interrupted epoch's losses renders
        open_notebook(page, lab, LAB)
        training = cell(page, "for b in track(")
        run_all(page, LAB, queued=training)
        bar = training.locator(".charlm-progress code")
        bar.wait_for(state="attached", timeout=120_000)
        states, deadline = [], time.time() + 120
        while len(set(states)) < 2 and time.time() < deadline:
            counts = bar.text_content().split("] ")[1].split()[0]  # "n/total"
            if counts.split("/")[0] != counts.split("/")[1]:
                states.append(counts)
            time.sleep(0.3)
        assert len(set(states)) >= 2, f"the progress bar should move during training, saw {states}"
        menu(page, "Kernel", "Interrupt Kernel")
        stderr_of(training).wait_for(state="attached", timeout=60_000)
        assert "KeyboardInterrupt" in stderr_of(training).text_content()
        wait_idle(page)
        for source in ("def generate_output(", "def make_text_box("):
            cell(page, source).locator(".jp-InputPrompt").click()  # select the cell
            page.keyboard.press("Shift+Enter")
            wait_idle(page)
        label = page.locator(".widget-label", has_text="Temperature")
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth"), "the slider's label fits"
        box = page.locator(".widget-text input[type='text']")
        box.fill("o never say that i was false of heart")
        box.press("Enter")
        poem = page.locator(".widget-output", has_text="o never say that i was false of heart")
        poem.wait_for(timeout=60_000)
        # Enter on the same line again writes again (a new poem: the box's seed is None)
        first = poem.text_content()
        box.press("Enter")
        page.wait_for_function("([e, before]) => e.textContent !== before && e.textContent.includes('o never say')",
                               arg=[poem.element_handle(), first], timeout=60_000)
        page.evaluate("document.activeElement.blur()")  # out of the text box
        cell(page, "def make_text_box(").locator(".jp-InputPrompt").click()
        page.locator("[title='Insert a cell below (B)']").filter(visible=True).first.click()
        page.locator(".jp-Notebook .jp-Cell.jp-mod-active .cm-content").filter(visible=True).click()
        page.keyboard.insert_text("plt.plot(running_last)  # the interrupted epoch's batches\nplt.show()")
        page.keyboard.press("Shift+Enter")
        figure = cell(page, "plt.plot(running_last)").locator(".jp-RenderedImage img")
        figure.wait_for(state="attached", timeout=60_000)
        wait_idle(page)
        assert figure.evaluate("img => img.naturalWidth") > 100, "the figure renders"

        # 5. save, reopen: the bar's last state, no missing widget model, no widget state saved; Validate knows
        #    it is a lab and says so plainly
        save(page)
        saved = notebooks.read(str(ws / LAB))
        assert "widgets" not in saved.metadata, "no widget state is saved"
        open_notebook(page, lab, LAB)
        page.locator(".charlm-progress").first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(2000)
        assert page.get_by_text("model not found").count() == 0
        answer = validate(page)
        assert "no graded tests" in answer and "error" not in answer.lower(), answer

        mark("Shakespeare lab done")
        # 6. restart JupyterLab: the saved clip is there, the lab still opens without a missing widget model
        lab.stop()
        lab = Jupyter(str(ws), str(home)).start()
        servers.append(lab)
        open_notebook(page, lab, DINO)
        assert "np.clip" in cell(page, "Clip every gradient element-wise").text_content()
        open_notebook(page, lab, LAB)
        page.wait_for_timeout(2000)
        assert page.get_by_text("model not found").count() == 0
        deadline = time.time() + 300
        while "exit" not in terminal_out.read_text() and time.time() < deadline:
            time.sleep(1)
        lines = terminal_out.read_text().splitlines()
        assert lines[-2:] == ["4 of 24 points: 6 of 8 graded tests fail", "exit 1"], lines
        assert not any("warn" in line.lower() for line in lines), lines
        learner_tabs = tabs(page)
        assert os.path.basename(DINO) in learner_tabs and os.path.basename(LAB) in learner_tabs, learner_tabs

        mark("learner lab restarted")
        # 7. an instructor: `make formgrader` on the same machine opens with none of the learner's tabs, and the
        #    nbgrader menu the learner's lab leaves out
        page2 = browser.new_page(viewport={"width": 1400, "height": 1000})
        shots.pages["instructor"] = page2
        page2.goto(f"{grader.url}/lab?token={grader.token}")
        page2.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile("^Nbgrader$")).wait_for(timeout=60_000)
        page2.wait_for_timeout(2000)
        assert page2.locator(".jp-NotebookPanel").count() == 0, f"the instructor's lab reopened {tabs(page2)}"
        assert not set(tabs(page2)) & set(learner_tabs), tabs(page2)

        mark("instructor lab checked")
        # 8. the formgrader serves the graded course folder: the submissions, the flagged one needing manual
        #    grading; a manual score entered there is in grades.csv after the next grade run
        assert grading.wait(timeout=600) == 0, (tmp_path / "grade.log").read_text()
        page2.goto(f"{grader.url}/formgrader/manage_submissions/dinosaur_island?token={grader.token}")
        rows = page2.locator("tbody tr")
        for spec in CLASS:
            rows.filter(has_text=os.path.basename(spec)[:-3]).first.wait_for(timeout=60_000)
        assert "needs manual grading" in rows.filter(has_text="dinosaur_island_rebind_checks").first.inner_text()
        assert "graded" in rows.filter(has_text="dinosaur_island_partial").first.inner_text()
        notebooks_api = grader.api("GET", "/formgrader/api/submitted_notebooks/dinosaur_island/dinosaur_island")
        partial = next(n for n in notebooks_api if n["student"] == "dinosaur_island_partial")
        grades = grader.api("GET", f"/formgrader/api/grades?submission_id={partial['id']}")
        sample = next(g for g in grades if g["name"] == "test_sample")
        assert sample["auto_score"] == 0
        grader.api("PUT", f"/formgrader/api/grade/{sample['id']}", {"manual_score": 3, "extra_credit": None})
        rerun = grade_class(submitted, course, grade_log)
        assert rerun.wait(timeout=600) == 0, (tmp_path / "grade.log").read_text()
        with open(course / "grades.csv", encoding="utf-8") as f:
            row = next(r for r in csv.DictReader(f) if r["student"] == "dinosaur_island_partial")
        assert row["test_sample"] == "3" and row["score"] == "13", row

        mark("formgrader and grades.csv checked")
        # 0 (end). past an autosave, nothing opened and left alone changed or asks to be saved
        time.sleep(max(0.0, opened + AUTOSAVE - time.time()))
        for label, (idle_page, server, paths) in idle.items():
            assert idle_page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, f"{label}: {tabs(idle_page)}"
            running = {s["path"]: s["kernel"]["execution_state"] for s in server.api("GET", "/api/sessions")}
            assert all(running.get(path) == "idle" for path in paths), f"{label}: kernels {running}"
        assert digests(ROOT, RELEASED) == released_before, "opening a released notebook changed it (git diff)"
        assert digests(str(ws), UNTOUCHED) == untouched_before
        mark(f"{AUTOSAVE} s after opening: nothing changed")
        for server in servers:  # what the labs and their kernels printed
            with open(server.log.name, encoding="utf-8", errors="replace") as f:
                assert "without encryption" not in f.read(), server.log.name
        failed = False
    finally:
        if failed:
            shots.save()
        for server in servers:
            server.stop()
        if grading is not None and grading.poll() is None:
            grading.kill()
            grading.wait()
        if grade_log is not None:
            grade_log.close()
