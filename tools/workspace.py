"""The learner workspace: the folder `make lab` serves, which the course never overwrites.

It holds a copy of every released assignment and every lab, laid out so the links between
notebooks work:

    workspace/
      README.md                       where to start, in order
      assignments/<assignment>/       a copy of release/<assignment>/
      notebooks/<lab>.ipynb           the optional labs ...
      utils/, data/                   ... and the files they read (`..` from notebooks/)

The first sync creates it. Later syncs add what is new and never change or delete a file the
learner has (rule #1 of the course: never lose a learner's work):

- a file the workspace lacks is copied in (also one the learner deleted);
- a notebook whose released version changed is never replaced: the new version lands beside it
  as `<name>.new-<hash>.ipynb` and one line says so;
- any other file (a helper module, a corpus) is refreshed in place only while it is byte for byte
  the copy the course put there, so nothing the learner wrote is lost; if the learner edited it,
  the new version lands beside it like a notebook.

What the course put there is recorded in `workspace/.course-sync.json` (path -> sha256). Without
that record, every file that differs from the release counts as the learner's.

`make`, `make release` and the formgrader write only release/ and build/, never here.

usage: python -m tools.workspace [--workspace DIR]   (default: workspace/ in the repository)
"""

import argparse
import hashlib
import json
import os
import shutil
import sys

from tools.assignments import LAB_FILES, active

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = ".course-sync.json"
SKIP = {"__pycache__", ".ipynb_checkpoints"}

README = """# Your course workspace

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


def beside_name(rel, digest):
    """`a/b/name.ipynb` -> `a/b/name.new-<first 7 hex digits>.ipynb`."""
    stem, ext = os.path.splitext(rel)
    return f"{stem}.new-{digest[:7]}{ext}"


def _copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".course-tmp"
    shutil.copyfile(src, tmp)
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
    for src, rel in manifest(root):
        if not os.path.isfile(src):
            continue
        dst = os.path.join(workspace, rel)
        new = sha256(src)
        if not os.path.exists(dst):
            _copy(src, dst)
            record[rel] = new
            added += 1
            continue
        have = sha256(dst)
        if have == new:
            record[rel] = new
            continue
        if record.get(rel) == new:
            continue  # the learner's version of a file we already delivered
        untouched = record.get(rel) == have
        if untouched and not rel.endswith(".ipynb"):
            _copy(src, dst)  # a helper or corpus exactly as delivered: nothing of the learner's in it
            record[rel] = new
            continue
        other = beside_name(rel, new)
        if not os.path.exists(os.path.join(workspace, other)):
            _copy(src, os.path.join(workspace, other))
            messages.append(f"{rel}: a new version was released; yours is unchanged, the new one is "
                            f"{os.path.basename(other)}")
        record[rel] = new
    readme = os.path.join(workspace, "README.md")
    if not os.path.exists(readme):
        with open(readme, "w", encoding="utf-8") as f:
            f.write(README)
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
