"""Progress bars for the course's training loops: live in JupyterLab, still readable after saving.

In a notebook the bar is an ordinary output (HTML, with a plain-text twin) that is replaced in
place as training runs, at most every `interval` seconds. It is not a widget, so a saved and
reopened notebook shows the bar's last state instead of "Error displaying widget: model not
found". Where timings would make outputs differ from run to run it draws nothing:

- CHARLM_PROGRESS=off (the Makefile's `nbval` and `execute` targets set it, so the outputs stored
  in the notebooks and the ones nbval compares do not depend on speed);
- under the autograder (NBGRADER_EXECUTION is set).

Outside a notebook (a script in a terminal) it redraws one text line on stderr. CHARLM_PROGRESS may
also be `html` or `text` to force a kind.

This file is the single hand-maintained copy; the build copies it into the assignment folders
that use it (course/assignments.py).

    bar = progress_bar(total=len(batches), desc="epoch 1")
    for batch in batches:
        ...
        bar.update(1, loss=loss)   # optional values shown after the counts
    bar.close()

or simply `for step in track(range(n), desc="training"): ...`.
"""

import html
import os
import sys
import time


def _mode():
    forced = os.environ.get("CHARLM_PROGRESS", "").strip().lower()
    if forced in ("off", "html", "text"):
        return forced
    if os.environ.get("NBGRADER_EXECUTION"):
        return "off"
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":  # a Jupyter kernel
        return "html"
    return "text" if sys.stderr.isatty() else "off"


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 60:02d}:{seconds % 60:02d}" if seconds < 3600 else \
        f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """A bar over `total` steps (see the module docstring); `mode` None chooses by environment."""

    def __init__(self, total, desc="", interval=0.5, width=30, mode=None):
        self.total, self.desc, self.interval, self.width = int(total), desc, interval, width
        self.mode = mode or _mode()
        self.n, self.values = 0, {}
        self.start = self.last_draw = time.perf_counter()
        self.closed = False
        self._handle = None
        if self.mode == "html":
            from IPython.display import display
            self._handle = display(self._bundle(), raw=True, display_id=True)
        elif self.mode == "text":
            self._draw_text()

    def text(self):
        """The bar as one line of text: `desc: [#####.....] n/total 00:12<00:30, loss 1.234`."""
        done = self.n / self.total if self.total else 1.0
        filled = int(round(done * self.width))
        elapsed = time.perf_counter() - self.start
        timing = _clock(elapsed)
        if 0 < self.n < self.total:
            timing += f"<{_clock(elapsed / self.n * (self.total - self.n))}"
        extra = "".join(f", {k} {v:.4g}" if isinstance(v, float) else f", {k} {v}" for k, v in self.values.items())
        prefix = f"{self.desc}: " if self.desc else ""
        return f"{prefix}[{'#' * filled}{'.' * (self.width - filled)}] {self.n}/{self.total} {timing}{extra}"

    def _bundle(self):
        text = self.text()
        value = min(self.n, self.total)
        # the <progress> element shows the bar; the text (also the plain-text twin) the counts and times
        page = (f'<div class="charlm-progress"><progress value="{value}" max="{max(self.total, 1)}" '
                f'style="width: 16em; vertical-align: middle"></progress> <code>{html.escape(text)}</code></div>')
        return {"text/html": page, "text/plain": text}

    def _draw_text(self):
        sys.stderr.write("\r" + self.text())
        sys.stderr.flush()

    def _draw(self):
        self.last_draw = time.perf_counter()
        if self.mode == "html":
            self._handle.update(self._bundle(), raw=True)
        elif self.mode == "text":
            self._draw_text()

    def update(self, n=1, **values):
        """Advance by `n` steps; keyword arguments (e.g. loss=1.23) are shown after the counts."""
        self.n += n
        self.values.update(values)
        if self.mode != "off" and time.perf_counter() - self.last_draw >= self.interval:
            self._draw()

    def close(self):
        """Draw the final state (it stays in the notebook's saved output)."""
        if self.closed:
            return
        self.closed = True
        if self.mode != "off":
            self._draw()
        if self.mode == "text":
            sys.stderr.write("\n")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def progress_bar(total, desc="", **kwargs):
    """A ProgressBar over `total` steps."""
    return ProgressBar(total, desc, **kwargs)


def track(iterable, desc="", total=None, **kwargs):
    """Yield from `iterable` while a ProgressBar counts the items (total: len(iterable) by default)."""
    total = len(iterable) if total is None else total
    with ProgressBar(total, desc, **kwargs) as bar:
        for item in iterable:
            yield item
            bar.update(1)
