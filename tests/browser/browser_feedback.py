"""Feedback pages and graded notebooks in a real browser (Debian's chromium, headless, via Playwright).

Run by `make browser-test` (part of `make test`); not collected by `pytest tests` (the file name does not start
with test_). A Dinosaur Island solution with a learner's cells full of active payloads (script, event handlers,
frames, objects, forms, a meta refresh, SVG with script, `javascript:` and `data:text/html` links in HTML and in
Markdown, a broken PNG, loads from another host) and of honest content (a plot, a table, a progress bar, math,
a link) is graded by the real judge (grader/unit.py, sandboxed) into a scratch course, and its feedback made as
`python -m grader grade` makes it. Then chromium opens

1. the feedback page: no payload runs (no global set, no dialog, no navigation, no request at all), the DOM
   holds no script, handler, frame or active link, and the honest content is there;
2. the graded notebook as the formgrader shows it (nbgrader's formgrade template): no payload runs, and it asks
   for nothing the template does not ask for with a notebook of the course's own;
3. the feedback page with the network off: the course's figures and the learner's plot load, and the math is
   rendered (MathML laid out, no TeX source left).

On failure the pages' screenshots go to build/browser/.
"""

import contextlib
import json
import os
import sys

import nbformat
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from grader import specs as submissions  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.path.join(ROOT, "build", "browser")
STUDENT, ASSIGNMENT = "payloads", "dinosaur_island"

playwright_api = pytest.importorskip("playwright.sync_api")
if not os.path.exists(CHROMIUM):
    pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (as root) first", pytrace=False)

# every payload sets window.__pwned or opens a dialog when it runs, or asks 127.0.0.1:9 (nothing listens there)
RUN = "window.__pwned=(window.__pwned||0)+1;alert(1)"
PAYLOAD_CODE = f'''
from IPython.display import HTML, SVG, Javascript, Markdown, display
RUN = {RUN!r}
display(HTML("<script>" + RUN + "</script><img src=x onerror='" + RUN + "'>"))
display(HTML("<iframe srcdoc='<script>parent." + RUN.replace("alert", "parent.alert") + "</script>'></iframe>"))
display(HTML("<a id=jslink href='javascript:" + RUN + "'>a javascript link</a>"
             "<a id=datalink href='data:text/html,<script>" + RUN + "</script>'>a data link</a>"))
display(HTML("<details open ontoggle='" + RUN + "'><summary>toggle</summary></details>"
             "<input autofocus onfocus='" + RUN + "'><body onload='" + RUN + "'>"))
display(HTML("<meta http-equiv='refresh' content='0;url=http://127.0.0.1:9/refresh'>"
             "<object data='http://127.0.0.1:9/object'></object><embed src='http://127.0.0.1:9/embed'>"))
display(HTML("<img src='http://127.0.0.1:9/pixel.png'><div style='background-image:url(http://127.0.0.1:9/bg.png)'>"
             "bg</div><link rel=stylesheet href='http://127.0.0.1:9/x.css'><style>@import url(http://127.0.0.1:9/i.css);"
             "</style><video src='http://127.0.0.1:9/v.mp4' autoplay></video>"))
display(HTML("<form action='http://127.0.0.1:9/form'><button id=submit>go</button></form>"
             "<svg><script>" + RUN + "</script><animate onbegin='" + RUN + "' attributeName=x dur=1s></animate></svg>"
             "<math><mtext><table><mglyph><style><img src=x onerror='" + RUN + "'>"))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg' onload='" + RUN + "'><script>" + RUN + "</script>"
            "<circle r='5'/></svg>"))
display(Markdown("[a markdown link](javascript:" + RUN + ") <img src=x onerror='" + RUN + "'>"))
display(Javascript(RUN))
display({{"image/png": "\\"><script>" + RUN + "</script>", "text/plain": "a broken png"}}, raw=True)
display({{"image/png": "iVBORw0KGgo=", "text/plain": "png"}}, metadata={{"image/png": {{"width": "1 onerror=" + RUN}}}},
        raw=True)
print("<script>" + RUN + "</script> printed, so shown as text")
'''
HONEST_CODE = '''
import matplotlib.pyplot as plt
from IPython.display import HTML, display
plt.figure(figsize=(3, 2))
plt.plot([3.0, 2.2, 1.9, 1.7])
plt.title("my loss curve")
plt.show()
display(HTML("<table id=mytable><tr><th>epoch</th><th>loss</th></tr><tr><td>1</td><td>2.5</td></tr></table>"))
display(HTML('<div class="charlm-progress"><progress value="3" max="10" style="width: 16em"></progress> '
             '<code>3/10</code></div>'))
'''
PAYLOAD_MARKDOWN = [
    f"<script>{RUN}</script>\n\n<img src=x onerror=\"{RUN}\"> <a href=\"javascript:{RUN}\">raw js link</a>",
    f"[a click](javascript:{RUN}) and [by reference][r] and <javascript:{RUN}>\n\n[r]: javascript:{RUN}",
    f"![an image](javascript:{RUN}) ![a pixel](http://127.0.0.1:9/md.png) [data](data:text/html,<b>x</b>)",
    f"<form action=\"http://127.0.0.1:9/mdform\"><button>go</button></form><iframe src=\"javascript:{RUN}\">",
    f"<svg><a href=\"javascript:{RUN}\"><text y=\"20\">svg link</text></a></svg>"
    f"<math href=\"javascript:{RUN}\"><mi>x</mi></math>",
]
HONEST_MARKDOWN = "My notes: the update is $a^{\\langle t \\rangle} = \\tanh(z)$, see [numpy](https://numpy.org)."


def payload_notebook():
    nb = submissions.build(ASSIGNMENT, "solution", [])
    at = 1 + next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    cells = [nbformat.v4.new_code_cell(PAYLOAD_CODE), nbformat.v4.new_code_cell(HONEST_CODE),
             nbformat.v4.new_markdown_cell(HONEST_MARKDOWN)]
    cells += [nbformat.v4.new_markdown_cell(text) for text in PAYLOAD_MARKDOWN]
    cells[0].metadata["tags"] = [f'x" onmouseover="{RUN}']
    nb.cells[at:at] = cells
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course with the payload notebook graded by the real judge and its feedback made."""
    from grader import feedback, gradebook, store
    from grader.unit import grade_submission

    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")  # alembic
    course = str(tmp_path_factory.mktemp("browser-feedback") / "course")
    result = grade_submission({"student": STUDENT, "assignment": ASSIGNMENT, "cell_timeout": 30, "files": [],
                               "notebook": nbformat.writes(payload_notebook())})
    assert result["status"] == "graded" and result["score"] == 24, (result["status"], result.get("cells"))
    notebook = result.pop("notebook")
    record = {"key": STUDENT, "id": STUDENT, "has_notebook": True, "result": result}
    store.write_json(store.result_path(course, ASSIGNMENT, STUDENT), record)
    store.write_atomic(store.autograded_path(course, ASSIGNMENT, STUDENT), json.dumps(notebook))
    url = gradebook.db_url(course)
    gradebook.ensure_assignment(course, ASSIGNMENT, url, {})
    with gradebook.open_gradebook(url) as gb:
        gradebook.sync(gb, ASSIGNMENT, {STUDENT: record}, {})
    assert feedback.generate(course, ASSIGNMENT, url, [STUDENT]) == {}
    return course


def formgrade_page(notebook_path, out_path):
    """The graded notebook rendered as nbgrader's formgrader renders it (its exporter and formgrade template)."""
    from nbconvert.exporters import HTMLExporter

    from grader.feedback_page import TEMPLATES

    exporter = HTMLExporter(template_name="formgrade", extra_template_basedirs=[TEMPLATES[1]])
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT, "submission_id": "1", "index": 0,
                 "total": 1, "base_url": "/base", "student": STUDENT, "last_name": None, "first_name": None,
                 "notebook_path": "/notebook"}
    body, _ = exporter.from_filename(notebook_path, resources=resources)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(body)
    return out_path


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Visit:
    """One page opened in its own browser context: every dialog, request and navigation is recorded, and every
    request but the page itself is refused (nothing leaves this machine)."""

    def __init__(self, browser, path, name, offline=False):
        self.url = "file://" + path
        self.name = name
        self.dialogs, self.requests, self.navigations = [], [], []
        self.context = browser.new_context(offline=offline)
        self.context.route("**/*", lambda route: route.continue_() if route.request.url == self.url else route.abort())
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("framenavigated", lambda f: self.navigations.append(f.url))
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(1500)  # a refresh, a focus or a toggle handler would have run by now

    def others(self):
        """Requests other than the page itself and the data: URIs it holds."""
        return sorted({u for u in self.requests if u != self.url and not u.startswith("data:")})

    def close(self, failed):
        if failed:
            os.makedirs(SHOTS, exist_ok=True)
            with contextlib.suppress(Exception):
                self.page.screenshot(path=os.path.join(SHOTS, f"feedback-{self.name}.png"), full_page=True)
        self.context.close()


@contextlib.contextmanager
def visit(browser, path, name, offline=False):
    v = Visit(browser, path, name, offline)
    failed = True
    try:
        yield v
        failed = False
    finally:
        v.close(failed)


# active things in the notebook's part of a page: elements that run or load, handlers, links that run code
AUDIT = """([roots, course]) => {
    const found = [];
    const scopes = [...document.querySelectorAll(roots)];
    if (!scopes.length) found.push('nothing matches ' + roots);
    for (const el of scopes.flatMap(s => [...s.querySelectorAll('*')])) {
        const tag = el.tagName.toLowerCase();
        if (['script', 'iframe', 'object', 'embed', 'form', 'button', 'input', 'meta', 'base', 'link', 'style',
             'video', 'audio', 'svg', 'animate', 'frame'].includes(tag)) found.push('<' + tag + '>');
        for (const a of el.attributes) {
            const v = a.value.trim().toLowerCase();
            if (a.name.startsWith('on')) found.push(tag + '[' + a.name + ']');
            const link = a.name === 'href' && tag === 'a';  // a link runs nothing; the course's own may be relative
            if (course.includes(v)) continue;  // what the same page holds with the course's own notebook
            if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'srcdoc'].includes(a.name) &&
                !(v.startsWith('#') || link && /^(https?:|mailto:|[^:]*$)/.test(v) ||
                  v.startsWith('data:image/') && a.name === 'src'))
                found.push(tag + '[' + a.name + '=' + v.slice(0, 40) + ']');
        }
    }
    return found;
}"""


def test_the_feedback_page_runs_no_payload_and_keeps_honest_content(course, browser):
    from grader import feedback

    path = feedback.page_path(course, ASSIGNMENT, STUDENT)
    with visit(browser, path, "payloads") as v:
        page = v.page
        assert page.evaluate("window.__pwned") is None
        assert v.dialogs == [] and v.others() == [], (v.dialogs, v.others())
        assert v.navigations == [v.url] and page.url == v.url and len(page.frames) == 1
        assert page.evaluate(AUDIT, ["#notebook-container", []]) == []
        # the payloads' text is there, harmless; the learner's own content is kept
        assert page.locator(".output_subarea a", has_text="a javascript link").count() == 1
        assert page.locator(".output_stream", has_text="<script>window.__pwned").count() == 1
        assert page.locator("#notebook-container table tr").count() >= 2
        assert page.locator("progress").count() == 1
        assert page.locator("a[href='https://numpy.org']").count() == 1
        plots = page.evaluate("[...document.images].filter(i => i.src.startsWith('data:image/png') && "
                              "i.complete && i.naturalWidth > 100).length")
        assert plots >= 3  # the course's two diagrams and the learner's plot


def test_the_graded_notebook_in_the_formgrader_runs_no_payload(course, browser, tmp_path):
    from grader import store

    graded = formgrade_page(store.autograded_path(course, ASSIGNMENT, STUDENT), str(tmp_path / "graded.html"))
    own = formgrade_page(os.path.join(ROOT, "release", ASSIGNMENT, ASSIGNMENT + ".ipynb"),
                         str(tmp_path / "release.html"))
    with visit(browser, own, "formgrade-release") as v:
        template_requests = {u.replace(v.url, "") for u in v.others()}
        course_sources = v.page.evaluate("[...document.querySelectorAll('[src]')].map(e => e.getAttribute('src'))")
    with visit(browser, graded, "formgrade-payloads") as v:
        page = v.page
        assert page.evaluate("window.__pwned") is None and v.dialogs == []
        assert {u.replace(v.url, "") for u in v.others()} <= template_requests, v.others()
        assert page.url == v.url and len(page.frames) == 1
        # the template's own score boxes aside: the learner's outputs and Markdown
        assert page.evaluate(AUDIT, [".output_subarea, .text_cell_render", course_sources]) == []
        assert page.locator(".output_subarea a", has_text="a javascript link").count() == 1


def test_a_feedback_page_offline_shows_its_figures_and_math(course, browser):
    from grader import feedback

    with visit(browser, feedback.page_path(course, ASSIGNMENT, STUDENT), "offline", offline=True) as v:
        page = v.page
        images = page.evaluate("[...document.querySelectorAll('#notebook-container img')].map(i => "
                               "[i.alt, i.complete && i.naturalWidth > 0])")
        course_figures = [ok for alt, ok in images if alt.startswith(("The RNN unrolled", "The sampling loop"))]
        assert course_figures == [True, True], images
        plots = page.evaluate("[...document.querySelectorAll('.output_png img')].filter(i => i.complete && "
                              "i.naturalWidth > 100).length")
        assert plots >= 1  # the learner's plot (the payloads' broken images are meant not to load)
        maths = page.evaluate("[...document.querySelectorAll('.text_cell_render math')].map(m => "
                              "[m.getBoundingClientRect().width, m.getBoundingClientRect().height])")
        assert len(maths) > 10 and all(w > 0 and h > 0 for w, h in maths), maths
        text = page.evaluate("document.querySelector('#notebook-container').innerText")
        assert "\\langle" not in text and "$a^" not in text and "\\tanh" not in text
        assert v.others() == []
