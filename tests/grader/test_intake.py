"""grader/intake.py: the static tamper scan and the repair of damaged submissions."""

import copy
import os
import signal
import time

import nbformat
import pytest

from course import notebooks
from grader import check_feedback, intake
from grader import specs as submissions

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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


def spec_notebook(tmp_path, text, assignment="dinosaur_island"):
    spec = tmp_path / "spec.py"
    spec.write_text(f"# assignment: {assignment}\n" + text)
    return submissions.build(*submissions.parse(str(spec)))


def check(nb, assignment="dinosaur_island", **kwargs):
    source = notebooks.read(os.path.join(ROOT, "source", assignment, f"{assignment}.ipynb"))
    release = notebooks.read(os.path.join(ROOT, "release", assignment, f"{assignment}.ipynb"))
    return intake.check(nb, source, release, os.path.join(ROOT, "source", assignment), **kwargs)


def released(assignment="dinosaur_island"):
    return notebooks.cells_by_id(notebooks.read(os.path.join(ROOT, "release", assignment, f"{assignment}.ipynb")))


def solutions(*names, assignment="dinosaur_island"):
    """The instructor's solutions of these solution cells, as one cell's code."""
    cells = notebooks.cells_by_id(submissions.build(assignment, "solution", []))
    return "\n\n".join(cells[n].source for n in names)


def test_clean_solution_has_no_notes(tmp_path):
    assert check(spec_notebook(tmp_path, "# base: solution\n")) == ([], [])


def test_untouched_release_has_no_notes(tmp_path):
    for assignment in ("dinosaur_island", "lstm_text8", "nietzsche_rnn"):
        assert check(spec_notebook(tmp_path, "# base: release\n", assignment), assignment) == ([], [])


def test_stripped_metadata_is_restored(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% strip-metadata\n")
    notes, reasons = check(nb)
    assert reasons == []
    ids = notebooks.cells_by_id(nb)
    assert ids["clip"].metadata["nbgrader"]["solution"] and "def clip(" in ids["clip"].source
    assert ids["test_clip"].metadata["nbgrader"]["points"] == 2
    assert [notebooks.grade_id(c) for c in nb.cells] == [notebooks.grade_id(c) for c in released().values()]
    assert notes == [n for n in notes if "46 cells had lost their nbgrader metadata: restored ('intro'" in n], notes


def test_deleted_cells_come_back_in_place(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% delete: test_sample\n# %% delete: sample\n")
    notes, reasons = check(nb)
    order = [notebooks.grade_id(c) for c in nb.cells]
    assert order.index("sample") < order.index("test_sample") < order.index("test_sample_hidden")
    assert "raise NotImplementedError()" in notebooks.cells_by_id(nb)["sample"].source
    assert notes == ["solution cell 'sample' was deleted and no other cell defines what it should: restored as "
                     "released (no credit)"]
    assert reasons == ["test cell 'test_sample' was deleted: restored from the release"]


def test_a_deleted_hidden_test_comes_back_without_its_hidden_code(tmp_path):
    """The repaired notebook is what the learner's process can read: restored tests are the release's."""
    nb = spec_notebook(tmp_path, "# base: solution\n# %% delete: test_clip_hidden\n# %% delete: test_model_hidden\n")
    check(nb)
    shown = {check_feedback._norm(line) for cell in nb.cells for line in cell.source.split("\n")}
    assert len(check_feedback.hidden_lines("dinosaur_island")) > 20
    assert not check_feedback.hidden_lines("dinosaur_island") & shown
    assert notebooks.cells_by_id(nb)["test_clip_hidden"].source == released()["test_clip_hidden"].source


# --- fair to honest code: no stub over the learner's own definitions


def learner_code(nb):
    """The code cells that run as the learner's (solution cells and cells of their own), in order."""
    return [c.source for c in nb.cells if c.cell_type == "code" and not notebooks.is_locked(c)]


def test_all_solutions_in_one_cell_get_no_stub_after_them(tmp_path):
    everything = solutions("clip", "sample", "optimize", "model")
    nb = spec_notebook(tmp_path, "# base: solution\n# %% cell: clip\n" + everything
                       + "\n# %% delete: sample\n# %% delete: optimize\n# %% delete: model\n")
    notes, reasons = check(nb)
    assert reasons == []
    assert notes == ["3 solution cells were deleted; the learner's own definitions in other cells are graded "
                     "('sample', 'optimize', 'model')"]
    assert len(learner_code(nb)) == 1 and "NotImplementedError" not in learner_code(nb)[0]
    assert set(notebooks.cells_by_id(nb)) == set(released()) - {"sample", "optimize", "model"}


def test_solutions_in_a_cell_of_their_own_get_no_stub(tmp_path):
    nb = spec_notebook(tmp_path, "# base: release\n# %% delete: clip\n# %% delete: sample\n# %% delete: optimize\n"
                       "# %% delete: model\n# %% new-cell-after: setup\n"
                       + solutions("clip", "sample", "optimize", "model") + "\n")
    notes, reasons = check(nb)
    assert reasons == [] and any("'clip' had lost its nbgrader metadata" in n for n in notes)
    assert not any("NotImplementedError" in code for code in learner_code(nb))


def test_a_deleted_solution_comes_back_with_only_what_the_learner_did_not_write(tmp_path):
    """text8's char_ids cell gives two constants and asks for two functions; the learner wrote one function."""
    nb = spec_notebook(tmp_path, "# base: solution\n# %% delete: char_ids\n# %% new-cell-after: data_code\n"
                       "def char2id(char):\n    return 0\n", "lstm_text8")
    notes, reasons = check(nb, "lstm_text8")
    back = notebooks.cells_by_id(nb)["char_ids"].source
    assert "vocabulary_size = len(string.ascii_lowercase) + 1" in back and "first_letter = " in back
    assert "def id2char(" in back and "def char2id(" not in back
    assert reasons == [] and notes == [
        "solution cell 'char_ids' (char2id) was deleted; the learner's own definitions in other cells are graded",
        "solution cell 'char_ids' (id2char) was deleted and no other cell defines what it should: restored as "
        "released (no credit)"]


def test_a_stub_set_aside_as_markdown_never_runs(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% unsolved: sample\n# %% cell-type: sample markdown\n"
                       "# %% new-cell-after: sample_fig_md\n" + solutions("sample") + "\n")
    notes, reasons = check(nb)
    assert reasons == [] and not any("NotImplementedError" in code for code in learner_code(nb))
    assert "sample" not in notebooks.cells_by_id(nb)
    assert any(c.cell_type == "markdown" and "raise NotImplementedError()" in c.source for c in nb.cells)
    assert notes[0] == ("solution cell 'sample' was turned into a cell that is not code: left as the learner's "
                        "and not run")


def test_a_solution_turned_into_markdown_runs_as_code(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% cell-type: clip markdown\n# %% cell-type: sample raw\n")
    notes, reasons = check(nb)
    cells = notebooks.cells_by_id(nb)
    assert cells["clip"].cell_type == cells["sample"].cell_type == "code"
    assert cells["clip"].outputs == [] and "np.clip" in cells["clip"].source
    assert reasons == [] and notes == ["2 cells had changed type: restored as released ('clip' (code handed in as "
                                       "Markdown), 'sample' (code handed in as raw))"]


# --- locked cells and cell types restored as nbgrader does


@pytest.mark.parametrize("gid, cell_type", [("test_clip", "markdown"), ("test_clip_hidden", "raw"),
                                            ("clip_demo", "markdown"), ("setup", "raw"), ("intro", "code"),
                                            ("sample_md", "raw")])
def test_a_locked_cell_of_another_type_is_restored(tmp_path, gid, cell_type):
    nb = spec_notebook(tmp_path, f"# base: solution\n# %% cell-type: {gid} {cell_type}\n")
    notes, reasons = check(nb)
    cell, release = notebooks.cells_by_id(nb)[gid], released()[gid]
    assert cell.cell_type == release.cell_type and cell.source == release.source
    assert ("outputs" in cell) == (cell.cell_type == "code")
    assert reasons == [] and len(notes) == 1 and notes[0].startswith(f"cell '{gid}' (")
    nbformat.validate(nb)


def test_edited_locked_cells(tmp_path):
    """An edited test or read-only code cell runs as released (a flag: the learner's edit is not what runs);
    an edited Markdown cell is restored with a note."""
    nb = spec_notebook(tmp_path, "# base: solution\n# %% cell: setup\nimport numpy as np\n# %% cell: intro\nmy notes\n"
                       "# %% cell: test_sample\nprint('ok')\n")
    notes, reasons = check(nb)
    cells, release = notebooks.cells_by_id(nb), released()
    assert all(cells[g].source == release[g].source for g in ("setup", "intro", "test_sample"))
    assert reasons == ["read-only code cell 'setup' was edited: it runs as released, the edit does not",
                       "test cell 'test_sample' was edited: graded with the original"]
    assert notes == ["read-only cell 'intro' was edited: restored as released"]


def test_a_read_only_cell_that_claims_to_be_a_solution_runs_as_released(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% cell: setup\nprint('mine')\n")
    cells = notebooks.cells_by_id(nb)
    cells["setup"].metadata["nbgrader"].update(solution=True, locked=False)
    cells["test_clip"].metadata["nbgrader"]["points"] = 100
    notes, reasons = check(nb)
    assert cells["setup"].metadata["nbgrader"] == released()["setup"].metadata["nbgrader"]
    assert cells["setup"].source == released()["setup"].source
    assert cells["test_clip"].metadata["nbgrader"]["points"] == 2
    assert notes == ["2 cells had their nbgrader metadata changed: the course's is used ('setup', 'test_clip')"]
    assert reasons == ["read-only code cell 'setup' was edited: it runs as released, the edit does not"]


@pytest.mark.parametrize("garbage", [{"points": "lots", "grade": "yes", "locked": None},
                                     {"points": {"a": 1}, "solution": [], "schema_version": "x"},
                                     {"grade": False, "solution": True, "points": 0}])
def test_garbage_in_a_test_cells_metadata_gives_way_to_the_courses(tmp_path, garbage):
    nb = spec_notebook(tmp_path, "# base: solution\n")
    cell = notebooks.cells_by_id(nb)["test_clip"]
    cell.metadata["nbgrader"].update(garbage)
    notes, reasons = check(nb)
    assert cell.metadata["nbgrader"] == released()["test_clip"].metadata["nbgrader"]
    assert reasons == [] and notes == ["cell 'test_clip' had its nbgrader metadata changed: the course's is used"]


def test_duplicated_cells_keep_the_last_copy_of_the_released_type(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% duplicate: test_clip\n# %% duplicate: clip\n"
                       "# %% duplicate: sample\n")
    twin = nb.cells[[notebooks.grade_id(c) for c in nb.cells].index("sample") + 1]
    notebooks.set_cell_type(twin, "markdown")  # the later copy of sample, set aside as Markdown
    first_test = next(c for c in nb.cells if notebooks.grade_id(c) == "test_clip")
    notes, reasons = check(nb)
    cells = notebooks.cells_by_id(nb)
    assert cells["test_clip"] is not first_test and not notebooks.grade_id(first_test)
    assert cells["sample"].cell_type == "code" and not notebooks.grade_id(twin) and twin.cell_type == "markdown"
    assert reasons == [] and notes == ["3 cells appeared more than once ('clip', 'test_clip', 'sample'): the last "
                                       "copy of each is the assignment's, the others are graded as cells of the "
                                       "learner's own"]


def test_invented_and_foreign_grade_ids(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% new-graded-cell-after: setup test_bonus 100\nprint(1)\n")
    extra = nbformat.v4.new_markdown_cell("a note of mine")
    extra.metadata["nbgrader"] = {"grade_id": "my_notes", "locked": True, "grade": False, "solution": False}
    nb.cells.insert(3, extra)
    notes, reasons = check(nb)
    assert not any(notebooks.grade_id(c) in ("test_bonus", "my_notes") for c in nb.cells)
    assert reasons == ["a cell carried nbgrader metadata the assignment does not have ('test_bonus'), claiming points "
                       "or a solution: graded as a cell of the learner's own, for no points"]
    assert notes == ["a cell carried nbgrader metadata the assignment does not have ('my_notes'): graded as a cell "
                     "of the learner's own"]


def test_many_repairs_make_one_line_each(tmp_path):
    text = "# base: solution\n" + "".join(f"# %% delete: {g}\n" for g in released() if g.endswith("_md"))
    notes, reasons = check(spec_notebook(tmp_path, text))
    assert reasons == [] and len(notes) == 1
    assert notes[0].startswith("17 read-only cells were deleted: restored from the release ('data_md', 'model_md', ")
    assert notes[0].endswith("and 9 more)")


# --- a notebook that is not this assignment's


@pytest.mark.parametrize("handed_in, graded_as", [("nietzsche_rnn", "dinosaur_island"),
                                                  ("lstm_text8", "nietzsche_rnn"),
                                                  ("dinosaur_island", "lstm_text8")])
@pytest.mark.parametrize("strip", [False, True], ids=["metadata", "stripped"])
def test_another_assignments_notebook_is_named(tmp_path, handed_in, graded_as, strip):
    text = f"# notebook: {handed_in}\n# base: solution\n" + ("# %% strip-metadata\n" if strip else "")
    nb = spec_notebook(tmp_path, text, graded_as)
    notes, reasons = check(nb, graded_as)
    assert reasons[0].startswith(f"this looks like the {handed_in} notebook, not {graded_as}: it holds ")
    assert "exercise and test cells of" in reasons[0] and "was the wrong notebook handed in?" in reasons[0]
    assert not any("test cells were deleted" in r for r in reasons), "the details are notes"
    assert len(notes) <= len(intake.REPAIRS)
    assert set(notebooks.cells_by_id(nb)) >= {g for g, c in released(graded_as).items() if notebooks.is_test(c)}


def test_a_notebook_of_nothing_known_does_not_look_like_the_assignment():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# my essay"),
                                         nbformat.v4.new_code_cell("print('hello')")])
    notes, reasons = check(nb)
    assert reasons == ["this does not look like the dinosaur_island notebook: it holds none of the 12 exercise and "
                       "test cells of dinosaur_island (the missing ones were put back as released; was the wrong "
                       "notebook handed in?)"]


def test_two_notebooks_handed_in_as_one(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n")
    nb.cells += submissions.build("nietzsche_rnn", "solution", []).cells
    notes, reasons = check(nb)
    assert reasons[0].startswith("besides the cells of dinosaur_island, this notebook holds ")
    assert "cells of the nietzsche_rnn notebook, 18 of them its exercise and test cells" in reasons[0]


@pytest.mark.parametrize("deleted", [("sample", "optimize", "test_model_hidden"),
                                     ("test_clip", "test_clip_hidden", "test_sample", "test_sample_hidden",
                                      "test_optimize", "test_optimize_hidden", "test_model", "test_model_hidden")])
def test_a_notebook_with_many_cells_deleted_is_still_the_assignments(tmp_path, deleted):
    text = "# base: release\n" + "".join(f"# %% delete: {g}\n" for g in deleted)
    notes, reasons = check(spec_notebook(tmp_path, text))
    assert not any("look like" in r for r in reasons), reasons
    if len(deleted) == 8:
        assert reasons == ["8 test cells were deleted: restored from the release ('test_clip', 'test_clip_hidden', "
                           "'test_sample', 'test_sample_hidden', 'test_optimize', 'test_optimize_hidden', "
                           "'test_model', 'test_model_hidden')"]


# --- bounded: whatever the notebook, the intake ends in its time with its repairs made, and says what it did not read


def timed_check(nb, **kwargs):
    t0 = time.monotonic()
    notes, reasons = check(nb, **kwargs)
    return notes, reasons, time.monotonic() - t0


def test_a_hundred_thousand_cells(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% delete: test_model\n")
    nb.cells += [nbformat.from_dict({"cell_type": "code", "source": f"x{i} = {i}", "metadata": {}, "outputs": [],
                                     "execution_count": None}) for i in range(100_000)]  # (new_code_cell is slow)
    notes, reasons, seconds = timed_check(nb, seconds=1)
    assert seconds < 15, seconds  # the repairs of every cell, then reading stops after 1 s
    assert "test_model" in notebooks.cells_by_id(nb)
    assert reasons[0] == "test cell 'test_model' was deleted: restored from the release"
    assert reasons[-1].startswith("the intake stopped reading the notebook's code after 1 s, at cell ")
    assert len(reasons) == 2


def test_cells_that_take_ipython_long_to_read(tmp_path):
    """2,000 magics in one cell cost IPython's transformer minutes: the intake's timer stops it."""
    nb = spec_notebook(tmp_path, "# base: solution\n")
    nb.cells += [nbformat.v4.new_code_cell("%time x = 1\n" * 2000) for _ in range(5)]
    notes, reasons, seconds = timed_check(nb, seconds=2)
    assert seconds < 8, seconds
    assert reasons == [f"the intake stopped reading the notebook's code after 2 s, at cell {len(nb.cells) - 4} of "
                       f"{len(nb.cells)}: it and the cells after it were not scanned (they still run; not a verdict: "
                       "look at them)"]
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL)[0] == 0


@pytest.mark.parametrize("code, reason", [
    ("import ctypes\n" + "x = 1\n" * 20_000, "holds 120,014 characters of code, more than the 100,000 the intake "
                                             "reads: not scanned"),
    ("x = a" + ".b" * 45_000 + "\n%time 1", "code too deeply nested to be read"),
    ("x = " + "-" * 90_000 + "1", "code too deeply nested to be read"),
    ("f" + "()" * 45_000, "code too deeply nested to be read"),
    ("(" * 45_000 + ")" * 45_000, None),  # does not parse: it cannot run either
    ("%time 1\nx = (\n" + "1,\n" * 30_000 + ")\n", None),
])
def test_huge_or_deep_code_is_read_within_bounds(tmp_path, code, reason):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% new-cell-after: setup\n" + code + "\n")
    notes, reasons, seconds = timed_check(nb)
    assert seconds < intake.INTAKE_SECONDS + 5, seconds
    assert notes == [] and [r for r in reasons if reason and reason in r] == reasons, reasons


def test_a_380_kb_markdown_cell(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n")
    nb.cells.insert(3, nbformat.v4.new_markdown_cell("*_" * 95_000 + "x" + "_*" * 95_000))
    assert timed_check(nb)[:2] == ([], [])


def test_definitions_in_a_cell_too_large_to_read_still_keep_the_stubs_out(tmp_path):
    code = solutions("clip", "sample", "optimize", "model") + "\n" + "# padding\n" * 12_000
    nb = spec_notebook(tmp_path, "# base: solution\n# %% cell: clip\n" + code
                       + "# %% delete: sample\n# %% delete: optimize\n# %% delete: model\n")
    notes, reasons = check(nb)
    assert not any("NotImplementedError" in code for code in learner_code(nb))
    assert len(reasons) == 1 and "more than the 100,000 the intake reads" in reasons[0]


def test_tampering_in_an_added_cell_is_reported(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% new-cell-after: clip\nnp.allclose = None\n")
    _, tampering = check(copy.deepcopy(nb))
    assert tampering == ["a cell of its own: line 1: changes `np.allclose`"]


def test_scan_survives_a_deep_expression(protected):
    reasons = intake.scan("x = " + " + ".join(["1"] * 5000), protected)
    assert all("not a verdict" in r for r in reasons)


def test_spec_operations_for_the_intake_cases(tmp_path):
    nb = spec_notebook(tmp_path, "# base: solution\n# %% duplicate: clip\n# %% cell-type: test_clip raw\n"
                       "# %% unsolved: sample\n")
    ids = [notebooks.grade_id(c) for c in nb.cells]
    assert ids.count("clip") == 2 and len({c["id"] for c in nb.cells}) == len(nb.cells)
    test_clip = nb.cells[ids.index("test_clip")]
    assert test_clip.cell_type == "raw" and "outputs" not in test_clip
    assert notebooks.cells_by_id(nb)["sample"].source == released()["sample"].source
    wrong = spec_notebook(tmp_path, "# notebook: nietzsche_rnn\n# base: release\n# %% delete: test_get_next_char\n")
    assert "get_next_char" in {notebooks.grade_id(c) for c in wrong.cells} - {"test_get_next_char"}
    for text, error in [("# base: solution\n# %% cell-type: clip python\n", "is not one of code, markdown, raw"),
                        ("# notebook: shakespeare\n# base: solution\n", "is not one of"),
                        ("# notebook: nietzsche_rnn\n# base: solution\n# %% cell: clip\npass\n", "no cells with")]:
        with pytest.raises(ValueError, match=error):
            spec_notebook(tmp_path, text)
