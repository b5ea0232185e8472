"""The grading sandbox: student code cannot see the course, write its folder or reach the network."""

import json
import os
import shutil
import sys

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from tools.sandbox_kernel import bwrap_works

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None or not bwrap_works(shutil.which("bwrap")),
                                reason="bubblewrap is not available (make installs it where it can)")


def test_student_code_cannot_open_the_gradebook_or_source(tmp_path, monkeypatch):
    course = tmp_path / "course"
    student = course / "autograded" / "alice" / "dinosaur_island"
    student.mkdir(parents=True)
    (student / "rnn_utils.py").write_text("# helper\n")
    (course / "gradebook.db").write_text("secret grades")
    (course / "source" / "dinosaur_island").mkdir(parents=True)
    (course / "source" / "dinosaur_island" / "dinosaur_island.ipynb").write_text("hidden tests")
    (course / "submitted" / "bob").mkdir(parents=True)
    (course / "submitted" / "bob" / "answers.txt").write_text("bob's answers")
    kernels = tmp_path / "jupyter" / "kernels" / "sandbox"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, os.path.join(ROOT, "tools", "sandbox_kernel.py"), "{connection_file}"],
        "display_name": "sandbox", "language": "python", "interrupt_mode": "message"}))
    ipc = tmp_path / "ipc"
    ipc.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("CHARLM_SANDBOX_HIDE", os.pathsep.join([ROOT, str(course)]))
    probes = {
        "gradebook": f"open({str(course / 'gradebook.db')!r}).read()",
        "source": f"open({str(course / 'source' / 'dinosaur_island' / 'dinosaur_island.ipynb')!r}).read()",
        "other student": f"open({str(course / 'submitted' / 'bob' / 'answers.txt')!r}).read()",
        "repository": f"open({os.path.join(ROOT, 'README.md')!r}).read()",
        "write helper": "open('rnn_utils.py', 'w').write('x')",
        "write outside": f"open({str(course / 'planted.txt')!r}, 'w').write('x')",
        "network": "import socket; socket.create_connection(('127.0.0.1', 9), timeout=2)",
        "own folder": "open('rnn_utils.py').read()",
    }
    probe = "try:\n    {}\n    print('OPENED')\nexcept OSError as e:\n    print('BLOCKED', type(e).__name__)"
    cells = [new_code_cell(probe.format(code)) for code in probes.values()]
    nb = new_notebook(cells=cells)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(ipc / "k")
    NotebookClient(nb, config=config, kernel_name="sandbox", timeout=60,
                   resources={"metadata": {"path": str(student)}}).execute()
    seen = {name: "".join(o.get("text", "") for o in cell.outputs).strip() for name, cell in zip(probes, nb.cells)}
    assert seen.pop("own folder") == "OPENED", "the kernel must still read its own helpers"
    for name, text in seen.items():
        assert text.startswith("BLOCKED"), f"{name}: {text}"
    assert (course / "gradebook.db").read_text() == "secret grades"
    assert (student / "rnn_utils.py").read_text() == "# helper\n"
    assert not (course / "planted.txt").exists()
