"""tools/lab_server.py and the formgrader settings of nbgrader_config.py."""

import os
import subprocess
import sys
import types

import pytest

from tools import lab_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_validate_on_a_notebook_without_graded_cells_says_so():
    validate = lab_server._validate_notebook(lambda self, path: {"success": True, "value": {}})
    server = types.SimpleNamespace(root_dir=ROOT)
    assert validate(server, "notebooks/shakespeare.ipynb") == {"success": False, "value": lab_server.NO_GRADED_TESTS}
    assert "no graded tests" in lab_server.NO_GRADED_TESTS
    # a graded notebook goes to nbgrader's own validation
    assert validate(server, "release/dinosaur_island/dinosaur_island.ipynb") == {"success": True, "value": {}}


def config_under(env):
    """Autograde preprocessors and the exchange as nbgrader_config.py sets them in an environment."""
    code = ("from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
            "print([p.__name__ for p in c.Autograde.autograde_preprocessors]); print(c.Exchange.root)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, **env), capture_output=True,
                         text=True, check=True)
    return run.stdout.split("\n")[:2]


def test_formgrader_autograde_refuses_and_exchange_is_course_local():
    names, exchange = config_under({"CHARLM_FORMGRADER": "1"})
    assert names == "['RefuseAutograde']" and exchange == os.path.join(ROOT, "build", "exchange")
    with pytest.raises(RuntimeError, match="python -m grader grade --assignment NAME"):
        lab_server.RefuseAutograde().preprocess(None, {})


def test_command_line_autograde_is_unchanged():
    env = {k: v for k, v in os.environ.items() if k != "CHARLM_FORMGRADER"}
    code = ("import os; os.environ.pop('CHARLM_FORMGRADER', None)\n"
            "from traitlets.config.loader import PyFileConfigLoader\n"
            "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
            "print([p.__name__ for p in c.Autograde.autograde_preprocessors])")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "Execute" in run.stdout and "RefuseAutograde" not in run.stdout
