"""A learner and an instructor in JupyterLab, in a real browser (Debian's chromium, headless, via Playwright).

Run by `make browser-test` (part of `make test`); not collected by `pytest tests` (the file name does not
start with test_). It starts JupyterLab as `make lab` does, on 127.0.0.1 with a free port, a token and a
scratch workspace made by tools/workspace.py, then, as a learner:

1. opens Dinosaur Island, writes `clip`, runs all cells: the visible clip test passes, the demo of the
   first unimplemented exercise says in one line that it needs it, and its test stops the run;
2. presses Validate and reads nbgrader's answer;
3. runs the Shakespeare lab: its training cell shows a progress bar in two different states (then the
   kernel is interrupted: the epoch takes a minute), typing an opening line in the text box and pressing
   Enter writes a poem, and Enter again on the same line writes another, a cell the learner adds plots the
   interrupted epoch's losses and the figure renders;
4. saves, closes and reopens the lab: no "model not found"; Validate says the lab has no graded tests;
5. restarts JupyterLab: the saved `clip` is still there;

and as an instructor opens the formgrader (`make formgrader`'s server) and sees the assignments.

Every process it starts is stopped by its id. On failure the page's screenshot goes to build/browser/.
"""

import contextlib
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tools import notebooks, workspace  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.path.join(ROOT, "build", "browser")
DINO = "assignments/dinosaur_island/dinosaur_island.ipynb"
LAB = "notebooks/shakespeare.ipynb"

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


def make_command(target, root_dir):
    """The environment and the JupyterLab command line `make TARGET` runs (read with `make -n`, so the test
    starts exactly what a learner or an instructor starts)."""
    dry = subprocess.run(["make", "-n", "--no-print-directory", target, f"WORKSPACE={root_dir}"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    words = shlex.split(next(line for line in dry.splitlines() if " -m jupyterlab " in line))
    env = {}
    while "=" in words[0] and not words[0].startswith("-"):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    assert words[1:3] == ["-m", "jupyterlab"], words
    return env, [sys.executable, *(w for w in words[1:] if not w.startswith("--ServerApp.root_dir="))]


class Jupyter:
    """A JupyterLab server as `make lab`/`make formgrader` start it, on a free port with a fresh token."""

    def __init__(self, root_dir, home, formgrader=False):
        self.root_dir, self.home, self.formgrader = root_dir, home, formgrader
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.started = set()
        self.extra = []

    def start(self):
        made_env, command = make_command("formgrader" if self.formgrader else "lab", self.root_dir)
        env = dict(os.environ, HOME=self.home, JUPYTER_CONFIG_DIR=os.path.join(self.home, "config"),
                   JUPYTER_DATA_DIR=os.path.join(self.home, "data"),
                   JUPYTER_RUNTIME_DIR=os.path.join(self.home, "runtime"),
                   JUPYTERLAB_WORKSPACES_DIR=os.path.join(self.home, "lab-workspaces"),
                   PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""), **made_env)
        self.log = open(os.path.join(self.home, f"jupyter-{self.port}.log"), "a")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [*command, f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root_dir}", "--ServerApp.port_retries=0", *self.extra],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; see {self.log.name}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within 60 s; see {self.log.name}")

    def api(self, method, path, body=None):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"},
                                         data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def link(self, path=""):
        return f"{self.url}/lab/tree/{path}?token={self.token}"

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

def open_notebook(page, server, path):
    """Open a notebook, wait until its kernel is idle (accepting Python 3 if JupyterLab asks which), and make it
    the current document: JupyterLab also restores the tabs of the last session, and a menu command goes to
    whichever notebook is current."""
    page.goto(server.link(path))
    page.locator(".jp-Notebook .jp-Cell").filter(visible=True).first.wait_for(timeout=60_000)
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
    """Press Validate; return the text of nbgrader's answer and close the dialog."""
    page.locator("[title='Validate Assignment']").filter(visible=True).first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    text = dialog.inner_text()
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    dialog.wait_for(state="detached")
    return text


def save(page):
    """Press the open notebook's save button (Ctrl+S would go to a focused text box instead)."""
    page.locator("[title^='Save and create checkpoint']").filter(visible=True).first.click()
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)


def stderr_of(c):
    return c.locator("[data-mime-type='application/vnd.jupyter.stderr']")


def clip_solution():
    nb = notebooks.read(os.path.join(ROOT, "source", "dinosaur_island", "dinosaur_island.ipynb"))
    return notebooks.strip_markers(notebooks.cells_by_id(nb)["clip"].source)


def test_learner_and_instructor_in_jupyterlab(scratch, browser, request, tmp_path):
    ws, home = scratch
    shots = Shots(request.node.name)
    servers = []
    failed = True
    try:
        lab = Jupyter(str(ws), str(home)).start()
        servers.append(lab)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        shots.pages["learner"] = page

        # 1. Dinosaur Island: write clip, run all
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

        # 2. Validate: clip's tests pass, the exercises not written yet fail
        answer = validate(page)
        assert "passes all the tests" not in answer
        assert "check_equal" in answer or "NotImplementedError" in answer, answer[:500]
        assert "clip: the example gradients" not in answer, "test_clip must not be among the failed cells"
        save(page)

        # 3. the Shakespeare lab: the progress bar moves during training (then we interrupt: the epoch takes a
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
        page.keyboard.insert_text("plt.plot(losses)  # the interrupted epoch's batches\nplt.show()")
        page.keyboard.press("Shift+Enter")
        figure = cell(page, "plt.plot(losses)").locator(".jp-RenderedImage img")
        figure.wait_for(state="attached", timeout=60_000)
        wait_idle(page)
        assert figure.evaluate("img => img.naturalWidth") > 100, "the figure renders"

        # 4. save, reopen: the bar's last state, no missing widget model; Validate knows it is a lab
        save(page)
        open_notebook(page, lab, LAB)
        page.locator(".charlm-progress").first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(2000)
        assert page.get_by_text("model not found").count() == 0
        assert "no graded tests" in validate(page)

        # 5. restart JupyterLab: the saved clip is there, the lab still shows its widgets
        lab.stop()
        lab = Jupyter(str(ws), str(home)).start()
        servers.append(lab)
        open_notebook(page, lab, DINO)
        assert "np.clip" in cell(page, "Clip every gradient element-wise").text_content()
        open_notebook(page, lab, LAB)
        page.wait_for_timeout(2000)
        assert page.get_by_text("model not found").count() == 0
        lab.stop()

        # 6. an instructor: the formgrader lists the assignments
        course_home = tmp_path / "instructor"
        course_home.mkdir()
        grader = Jupyter(ROOT, str(course_home), formgrader=True)
        grader.extra = [f"--CourseDirectory.db_url=sqlite:///{course_home / 'gradebook.db'}"]
        grader.start()
        servers.append(grader)
        page2 = browser.new_page(viewport={"width": 1400, "height": 1000})
        shots.pages["instructor"] = page2
        page2.goto(f"{grader.url}/formgrader?token={grader.token}")
        for assignment in ("dinosaur_island", "lstm_text8", "nietzsche_rnn"):
            page2.get_by_text(assignment, exact=True).first.wait_for(timeout=60_000)
        # and the instructor's JupyterLab has the nbgrader menu the learner's leaves out
        page2.goto(grader.link())
        page2.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile("^Nbgrader$")).wait_for(timeout=60_000)
        failed = False
    finally:
        if failed:
            shots.save()
        for server in servers:
            server.stop()
