"""Fail when release/ is not exactly what nbgrader generates from source/, or when it leaks.

1. Drift: every assignment is generated afresh into a scratch folder (with a scratch gradebook)
   and compared file by file with the committed release/<assignment>/.
2. Leaks: no release notebook may contain a solution or hidden-test marker, nor any line of code
   that appears only inside a solution or hidden-test region of the source notebook.
3. Metadata JupyterLab rewrites on open: no release notebook nor lab (notebooks/) may carry saved widget
   state, nor a kernelspec other than the course kernel's (JupyterLab writes the running kernel's over it).
   Either makes an untouched notebook open marked unsaved: a learner would be asked to save it, and
   autosave would rewrite a tracked file.

usage: python -m tools.check_release
"""

import filecmp
import os
import subprocess
import sys
import tempfile

from course import notebooks
from course.assignments import ASSIGNMENTS, LAB_FILES, ROOT, active
from tools.nbgrader_ext import WIDGET_STATE


def generate(assignment, release_dir, db_path):
    # nbgrader runs `alembic` from PATH: put this interpreter's bin folder (the venv's) first
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", "--log-level=ERROR",
         f"--CourseDirectory.release_directory={release_dir}", f"--CourseDirectory.db_url=sqlite:///{db_path}"],
        cwd=ROOT, check=True, env=env,
    )


def drift(assignment, fresh_dir):
    """List the files that differ between release/<assignment> and a fresh generation."""
    committed = os.path.join(ROOT, "release", assignment)
    if not os.path.isdir(committed):
        return [f"release/{assignment} is missing"]
    problems = []
    cmp = filecmp.dircmp(committed, fresh_dir, ignore=["__pycache__", ".ipynb_checkpoints"])
    pending = [(cmp, "")]
    while pending:
        d, prefix = pending.pop()
        problems += [f"only in release/: {prefix}{f}" for f in d.left_only]
        problems += [f"missing from release/: {prefix}{f}" for f in d.right_only]
        _, mismatch, errors = filecmp.cmpfiles(d.left, d.right, d.common_files, shallow=False)
        problems += [f"differs from a fresh generation: {prefix}{f}" for f in mismatch + errors]
        pending += [(sub, f"{prefix}{name}/") for name, sub in d.subdirs.items()]
    return [f"release/{assignment}: {p}" for p in problems]


def secret_lines(source):
    """Code lines that stand only inside solution or hidden-test regions of a source notebook."""
    public = set()  # lines the learner is meant to see: everything outside the regions
    secret = set()
    for cell in source.cells:
        secret |= {line.strip() for kind in ("SOLUTION", "HIDDEN TESTS") for r in notebooks.regions(cell.source, kind)
                   for line in r.split("\n")}
        outside = notebooks.without_regions(notebooks.without_regions(cell.source, "SOLUTION"), "HIDDEN TESTS")
        public |= {line.strip() for line in outside.split("\n")}
    return {line for line in secret - public if line and not line.startswith("#")}


def leaks(assignment):
    """List solution or hidden-test text found in the committed release notebook."""
    notebook, _ = ASSIGNMENTS[assignment]
    source = notebooks.read(os.path.join(ROOT, "source", assignment, notebook))
    release_path = os.path.join(ROOT, "release", assignment, notebook)
    if not os.path.exists(release_path):
        return []
    released = "\n".join(c.source for c in notebooks.read(release_path).cells)
    problems = [f"marker {m!r} in release" for m in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS") if m in released]
    released_lines = {line.strip() for line in released.split("\n")}
    problems += [f"solution or hidden-test line in release: {line!r}"
                 for line in sorted(secret_lines(source) & released_lines)]
    return [f"release/{assignment}: {p}" for p in problems]


def widget_state(path):
    """Saved widget state in a notebook's metadata (JupyterLab's widget manager rewrites it on open)."""
    nb = notebooks.read(path)
    if WIDGET_STATE not in nb.metadata:
        return []
    state = nb.metadata[WIDGET_STATE].get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return [f"{os.path.relpath(path, ROOT)}: widget state in its metadata ({len(state)} widget(s)); `make release` "
            "clears a release's, and a lab's goes with nbformat (del nb.metadata['widgets'])"]


def course_kernelspec():
    """The kernelspec JupyterLab writes into a notebook it runs with the course's kernel (python3)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def rewritten_on_open(path, kernelspec=None):
    """What JupyterLab would rewrite in a notebook as soon as it opens it (empty for a notebook that opens clean)."""
    problems = widget_state(path)
    want = kernelspec or course_kernelspec()
    have = dict(notebooks.read(path).metadata.get("kernelspec", {}))
    if have != want:
        problems.append(f"{os.path.relpath(path, ROOT)}: kernelspec {have} is not the course kernel's {want}")
    return problems


def per_learner_files(release):
    """A course's secret or a learner's seed token (grader/seeds.py) found in release/: neither may ever ship."""
    from grader import seeds

    found = []
    for folder, _dirs, files in os.walk(release):
        for name in files:
            if name in (seeds.SECRET_FILE, seeds.TOKEN_FILE):
                found.append(f"{os.path.relpath(os.path.join(folder, name), ROOT)}: a course secret or seed token "
                             "in release/ (remove it: it must never ship)")
    return found


def main():
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for assignment in active():
            generate(assignment, os.path.join(scratch, "release"), os.path.join(scratch, "gradebook.db"))
            problems += drift(assignment, os.path.join(scratch, "release", assignment))
            problems += leaks(assignment)
            release_nb = os.path.join(ROOT, "release", assignment, ASSIGNMENTS[assignment][0])
            if os.path.exists(release_nb):
                problems += rewritten_on_open(release_nb)
    problems += [p for rel in LAB_FILES if rel.endswith(".ipynb") for p in rewritten_on_open(os.path.join(ROOT, rel))]
    problems += per_learner_files(os.path.join(ROOT, "release"))
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        print("release/ is stale, leaks or would be rewritten on open: run `make release` and commit release/",
              file=sys.stderr)
        return 1
    print(f"release/ matches source/ for {len(active())} assignment(s), no solution or hidden-test text, "
          "nothing JupyterLab rewrites on open")
    return 0


if __name__ == "__main__":
    sys.exit(main())
