"""grader/intake.py: the static tamper scan and the repair of damaged submissions."""

import copy
import os

import pytest

from grader import intake
from tools import notebooks, submissions

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "source", "dinosaur_island")


@pytest.fixture(scope="module")
def protected():
    return intake.protected_names(notebooks.read(os.path.join(SOURCE, "dinosaur_island.ipynb")), SOURCE)


def test_protected_names_are_what_the_tests_import(protected):
    assert {"np", "check_close", "fail", "CLIP", "sample_case"} <= set(protected)
    assert not {"clip", "sample", "optimize", "model"} & set(protected), "the learner defines these"
    assert not {"rnn_forward", "softmax"} & set(protected), "the helpers are the learner's to shadow in their process"
    assert "gradients" not in protected, "demo variables stay free to experiment with"


@pytest.mark.parametrize("code, reason", [
    ("np.allclose = lambda *a, **k: True", "changes `np.allclose`"),
    ("np.testing.assert_allclose = print", "changes `np.testing.assert_allclose`"),
    ("check_close = lambda *a, **k: None", "rebinds `check_close`"),
    ("def fail(message):\n    pass", "redefines `fail`"),
    ("from numpy import allclose as check_equal", "rebinds `check_equal` by an import"),
    ("def f():\n    global check_equal\n    check_equal = max", "rebinds `check_equal`"),
    ("setattr(np, 'all' + 'close', 1)", "calls `setattr()`"),
    ("import os\nos._exit(0)", "calls `os._exit()`"),
    ("import ctypes", "imports `ctypes`"),
    ("open('rnn_utils.py', 'w').write('')", "overwrites 'rnn_utils.py'"),
    ("open('../../gradebook.db').read()", "outside its own folder"),
    ("x = (lambda: 0).__globals__", "reaches into `__globals__`"),
    ("!rm dinos.txt", "a shell command"),
    ("import sys\nsys._getframe(1).f_globals", "calls `sys._getframe()`"),
    ("import os\nos.sys.settrace(print)", "calls `os.sys.settrace()`"),
    ("ip = get_ipython()\nip.events.register('post_run_cell', print)", "uses IPython's shell object"),
    ("try:\n    1/0\nexcept Exception as e:\n    e.__traceback__.tb_frame", "reaches into `__traceback__`"),
    ("import gc\ngc.get_objects()", "imports `gc`"),
])
def test_scan_flags_tampering(protected, code, reason):
    reasons = intake.scan(code, protected)
    assert any(reason in r for r in reasons), reasons


@pytest.mark.parametrize("code", [
    "import numpy as np\nfrom rnn_utils import softmax",  # importing the same thing again
    "def sample(parameters, char_to_ix, seed):\n    names = []\n    for vocab_size in range(3):\n        pass",
    "idx = np.random.choice(list(range(27)), p=y.ravel())",
    "np.clip(g, -5, 5, out=g)\nparameters['Wax'] -= 0.01 * g",
    "gradients = clip(clip_case(), 10)  # experimenting with a demo variable",
    "import itertools\nfrom collections import defaultdict",
    "def broken(:",  # does not parse: its tests fail on their own
    # what learners write in scratch cells: no finding
    "import sys\nprint(sys.version)",
    "import inspect\nprint(inspect.getsource(rnn_step_forward))",
    "import time, copy\nt = time.time()\np2 = copy.deepcopy(parameters)",
    "%timeit softmax(np.zeros((27, 1)))",
    "%%time\nx = 1",
    "print(sorted(k for k in globals() if not k.startswith('_')))",
    "with open('notes.txt', 'w') as f:\n    f.write('my notes')",
    "name = 'tyrannosaurus'.replace('saurus', '')",
])
def test_scan_leaves_honest_code_alone(protected, code):
    assert intake.scan(code, protected) == []


def spec_notebook(tmp_path, text):
    spec = tmp_path / "spec.py"
    spec.write_text("# assignment: dinosaur_island\n" + text)
    return submissions.build(*submissions.parse(str(spec)))


def check(nb):
    source = notebooks.read(os.path.join(SOURCE, "dinosaur_island.ipynb"))
    release = notebooks.read(os.path.join(ROOT, "release", "dinosaur_island", "dinosaur_island.ipynb"))
    return intake.check(nb, source, release, SOURCE)


def test_clean_solution_has_no_notes(tmp_path):
    assert check(spec_notebook(tmp_path, "# base: solution\n")) == ([], [])


def test_stripped_metadata_is_restored(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% strip-metadata\n")
    notes, tampering = check(nb)
    assert tampering == []
    ids = notebooks.cells_by_id(nb)
    assert ids["clip"].metadata["nbgrader"]["solution"] and "def clip(" in ids["clip"].source
    assert ids["test_clip"].metadata["nbgrader"]["points"] == 2
    assert any("'clip' had lost its nbgrader metadata" in n for n in notes)


def test_deleted_cells_come_back_in_place(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% delete: test_sample\n# %% delete: sample\n")
    notes, _ = check(nb)
    order = [notebooks.grade_id(c) for c in nb.cells]
    assert order.index("sample") < order.index("test_sample") < order.index("test_sample_hidden")
    assert "raise NotImplementedError()" in notebooks.cells_by_id(nb)["sample"].source
    assert any("solution cell (restored empty: no credit) 'sample' was deleted" in n for n in notes)


def test_tampering_in_an_added_cell_is_reported(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% new-cell-after: clip\nnp.allclose = None\n")
    _, tampering = check(copy.deepcopy(nb))
    assert tampering == ["a cell of its own: line 1: changes `np.allclose`"]


def test_scan_survives_a_deep_expression(protected):
    reasons = intake.scan("x = " + " + ".join(["1"] * 5000), protected)
    assert all("not a verdict" in r for r in reasons)
