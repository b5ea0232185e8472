"""Shared by the grader driver tests: build a class, run `python -m grader`, read back what it wrote."""

import csv
import hashlib
import os
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE = "tests.helpers.fake_unit:grade_submission"
SPECS = [os.path.join(ROOT, "grader_tests", d, f) for d, f in [
    ("samples", "dinosaur_island_solution.py"), ("samples", "dinosaur_island_partial.py"),
    ("samples", "dinosaur_island_untouched.py"), ("mutants", "dinosaur_island_clip_upper_only.py"),
    ("tamper", "dinosaur_island_strip_metadata.py")]]


def env(fake=True, sleep=0.0, **extra):
    e = dict(os.environ, PYTHONPATH=ROOT, OPENBLAS_NUM_THREADS="1")
    e.pop("CHARLM_GRADER_UNIT", None)
    if fake:
        e["CHARLM_GRADER_UNIT"] = FAKE
    e["CHARLM_FAKE_UNIT_SLEEP"] = str(sleep)
    e.update(extra)
    return e


def grader(*args, fake=True, sleep=0.0, check=True, timeout=600, **extra):
    """Run `python -m grader ARGS` to completion (extra: environment variables); returns the CompletedProcess
    (stdout and stderr as text)."""
    done = subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, env=env(fake, sleep, **extra), text=True,
                          capture_output=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"grader {args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def build_class(out, size, layout="nbgrader", specs=SPECS):
    grader("build", "--out", str(out), "--layout", layout, "--size", str(size), *specs)
    return out


def grade_args(submissions, course, *more, assignment="dinosaur_island"):
    return ["grade", "--assignment", assignment, "--submissions", str(submissions), "--course", str(course),
            "--quiet", *more]


def tree_checksums(root):
    """{relative path: sha256 of the content, or the link target of a symbolic link} of everything under root."""
    out = {}
    if os.path.isfile(root):
        with open(root, "rb") as f:
            return {".": hashlib.sha256(f.read()).hexdigest()}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                out[rel] = "link:" + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def csv_rows(course, drop=("seconds",)):
    """grades.csv as a list of dicts without the columns in drop (seconds differ between runs)."""
    with open(os.path.join(course, "grades.csv"), encoding="utf-8", newline="") as f:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(f)]


def set_cell(notebook_path, text):
    """Put text in the first cell of a notebook file (the fake unit reads its FAKE-... words anywhere)."""
    import json

    with open(notebook_path, encoding="utf-8") as f:
        nb = json.load(f)
    nb["cells"][0]["source"] = text
    with open(notebook_path, "w", encoding="utf-8") as f:
        json.dump(nb, f)


def notebook_of(submissions, student, assignment="dinosaur_island"):
    return os.path.join(submissions, student, assignment, f"{assignment}.ipynb")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
