"""The learner workspace: the folder `make lab` serves, which the course never overwrites.

It holds a copy of every released assignment and every lab, laid out so the links between
notebooks work, and two files of its own:

    workspace/
      README.md                       where to start, in order; how to check and hand in
      check                           the self-check: ./check dinosaur_island (grader/selfcheck.py)
      assignments/<assignment>/       a copy of release/<assignment>/
      notebooks/<lab>.ipynb           the optional labs ...
      utils/, data/                   ... and the files they read (`..` from notebooks/)

`check` is a small launcher: it runs this repository's grader (grader/selfcheck.py) with the
course's Python, so it works from the workspace and from JupyterLab's terminal without the
repository on the path. Notebooks are copied without saved widget state (JupyterLab would rewrite
it on open, and ask a learner who touched nothing to save).

The first sync creates it. Later syncs add what is new and never change or delete a file the
learner has (rule #1 of the course: never lose a learner's work):

- a file the workspace lacks is copied in (also one the learner deleted);
- a notebook whose released version changed is never replaced: the new version lands beside it
  as `<name>.new-<hash>.ipynb` and one line says so;
- any other file (a helper module, a corpus, README.md, check) is refreshed in place only while it
  is byte for byte the copy the course put there, so nothing the learner wrote is lost; if the
  learner edited it, the new version lands beside it like a notebook.

What the course put there is recorded in `workspace/.course-sync.json` (path -> sha256). Without
that record, every file that differs from the release counts as the learner's (but a README.md
exactly as an earlier version of this tool wrote it is known as the course's).

JupyterLab keeps the learner lab's own settings and layout in `workspace/.lab/` (the Makefile's
`lab` target), apart from the instructor's lab.

`make`, `make release` and the formgrader write only release/ and build/, never here.

usage: python -m tools.workspace [--workspace DIR]   (default: workspace/ in the repository)
"""

import argparse
import hashlib
import json
import os
import shlex
import sys

from course.assignments import ASSIGNMENTS, LAB_FILES, ROOT, active

RECORD = ".course-sync.json"
SKIP = {"__pycache__", ".ipynb_checkpoints"}

LAUNCHER = "check"
WIDGET_STATE = "widgets"  # the notebook metadata key of saved widget state (as in tools/nbgrader_ext.py)
# README.md as earlier versions of this tool wrote it (before README.md was in the record): the course's own
EARLIER_READMES = {"e22806f5de7dc263b7449cc42a6efc717143f5d3610c01d4d8503c345339cb89"}


def readme():
    """The workspace's README.md: what to do, in order, and how to check and hand in."""
    example = next(iter(active()), "dinosaur_island")
    notebook = f"assignments/{example}/{ASSIGNMENTS[example][0]}"
    return f"""# Your course workspace

This folder is yours: `make lab` serves it, and the course never overwrites or deletes anything
in it. When an assignment is updated, the new version appears next to yours as
`<name>.new-<code>.ipynb`; your own notebook stays as you left it.

Work in this order:

1. [Dinosaur Island](assignments/dinosaur_island/dinosaur_island.ipynb): a character-level RNN in numpy (graded)
2. [Writing like Shakespeare](notebooks/shakespeare.ipynb): an LSTM finishes a poem you start (optional lab)
3. [LSTM over text8](assignments/lstm_text8/lstm_text8.ipynb) (graded)
4. [Nietzsche: from unrolled loops to stateful LSTMs](assignments/nietzsche_rnn/nietzsche_rnn.ipynb) (graded)

Each assignment folder is self-contained (its helpers and data sit beside the notebook). Run the
test cells under each exercise; the autograder also runs hidden tests with other inputs.

## Check your notebook

Save it, then press **Validate** in the notebook's toolbar, or type in a terminal in this folder
(in JupyterLab: File, New, Terminal):

    ./check {example}
    ./check {notebook}

Either one grades the saved notebook exactly as the course's grader will: the same tests, hidden
ones included, in the same sandbox, for the same points. You get one line per graded test, a
failing one with the grader's reason (a hidden test tells you what your code returned, never its
inputs or the expected values), and a last line such as `10 of 24 points: 4 of 8 graded tests
fail`. `./check` exits with status 0 only when every point is earned. The optional lab has no
graded tests; checking it says so.

The hidden tests draw inputs of your own (the same at every grading, different from your
classmates'). If your instructor gave you a seed token, save it once with
`./check --save-seed TOKEN` (it becomes `seed.txt` in this folder): the check then draws exactly
the inputs your grade will. Without one it draws practice inputs and says so; a correct notebook
passes both.

## Hand in

Hand in the notebook file only, e.g. `{notebook}`, the way your course
collects work (its upload page, or the folder your instructor names). Keep its name; the helper
files and data beside it are the course's own, and the grader uses its own copies of them. Test
cells you changed are graded as released, so there is no need to undo experiments in them, but
keep your code in the cells marked `# YOUR CODE HERE`.
"""


def launcher():
    """The `check` script: this repository's self-check with the course's Python, from any folder."""
    python = os.path.join(ROOT, ".venv", "bin", "python")
    if not os.path.exists(python):
        python = sys.executable
    # PYTHONSAFEPATH: the current folder (a workspace holds a utils/ of its own) never shadows the course's modules
    return f"""#!/bin/sh
# Check a notebook exactly as the course's grader will grade it (see README.md):
#     ./check dinosaur_island        or        ./check path/to/notebook.ipynb
# Written by the course (tools/workspace.py); it runs the grader of the course at {ROOT}.
here=$(cd "$(dirname "$0")" && pwd)
exec env PYTHONPATH={shlex.quote(ROOT)} PYTHONSAFEPATH=1 \\
    {shlex.quote(python)} -m grader.selfcheck --workspace "$here" "$@"
"""


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _files_under(src_dir, dst_dir):
    for dirpath, dirnames, filenames in os.walk(src_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP)
        for name in sorted(filenames):
            if name.endswith(".pyc"):
                continue
            src = os.path.join(dirpath, name)
            yield src, os.path.join(dst_dir, os.path.relpath(src, src_dir))


def manifest(root=ROOT):
    """Yield (source path, path inside the workspace) for every file the course delivers."""
    for assignment in active():
        release = os.path.join(root, "release", assignment)
        if os.path.isdir(release):
            yield from _files_under(release, os.path.join("assignments", assignment))
    for rel in LAB_FILES:
        yield os.path.join(root, rel), rel


def delivered(src):
    """The bytes the workspace gets for a course file: a notebook without saved widget state, else the file."""
    with open(src, "rb") as f:
        data = f.read()
    if src.endswith(".ipynb") and WIDGET_STATE.encode() in data:
        import nbformat

        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        if nb.metadata.pop(WIDGET_STATE, None) is not None:
            text = nbformat.writes(nb)
            data = (text if text.endswith("\n") else text + "\n").encode("utf-8")  # as nbformat.write saves it
    return data


def deliveries(root=ROOT):
    """Yield (path inside the workspace, bytes or None when the source is missing, file mode) of everything the
    course puts into a workspace: the releases and labs, README.md and the `check` launcher."""
    for src, rel in manifest(root):
        yield rel, delivered(src) if os.path.isfile(src) else None, 0o644
    yield "README.md", readme().encode("utf-8"), 0o644
    yield LAUNCHER, launcher().encode("utf-8"), 0o755


def beside_name(rel, digest):
    """`a/b/name.ipynb` -> `a/b/name.new-<first 7 hex digits>.ipynb`."""
    stem, ext = os.path.splitext(rel)
    return f"{stem}.new-{digest[:7]}{ext}"


def _write(data, dst, mode):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".course-tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, dst)


def sync(workspace, root=ROOT, out=sys.stdout):
    """Bring `workspace` up to date without changing or deleting a learner's file.

    Returns the list of messages printed (one line per file added beside the learner's copy).
    """
    os.makedirs(workspace, exist_ok=True)
    record_path = os.path.join(workspace, RECORD)
    record = {}
    if os.path.exists(record_path):
        with open(record_path, encoding="utf-8") as f:
            record = json.load(f)
    messages, added = [], 0
    for rel, data, mode in deliveries(root):
        if data is None:
            continue
        dst = os.path.join(workspace, rel)
        new = hashlib.sha256(data).hexdigest()
        if not os.path.exists(dst):
            _write(data, dst, mode)
            record[rel] = new
            added += 1
            continue
        have = sha256(dst)
        if have == new:
            record[rel] = new
            continue
        if record.get(rel) == new:
            continue  # the learner's version of a file we already delivered
        untouched = record.get(rel) == have or (rel == "README.md" and rel not in record and have in EARLIER_READMES)
        if untouched and not rel.endswith(".ipynb"):
            _write(data, dst, mode)  # a file exactly as the course delivered it: nothing of the learner's in it
            record[rel] = new
            continue
        other = beside_name(rel, new)
        if not os.path.exists(os.path.join(workspace, other)):
            _write(data, os.path.join(workspace, other), mode)
            messages.append(f"{rel}: a new version was released; yours is unchanged, the new one is "
                            f"{os.path.basename(other)}")
        record[rel] = new
    tmp = record_path + ".course-tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    os.replace(tmp, record_path)
    for m in messages:
        print(m, file=out)
    if added:
        print(f"workspace {workspace}: {added} new file(s) copied in", file=out)
    return messages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", default=os.path.join(ROOT, "workspace"))
    args = parser.parse_args(argv)
    sync(os.path.abspath(args.workspace))
    return 0


if __name__ == "__main__":
    sys.exit(main())
