"""The text8 notebook's sections on the models trained at the originals' settings (issue 18), read from its
stored outputs (nothing is executed; nbval keeps the stored outputs equal to a real run).

- the whole-sentence model, driven by the notebook's own encode_sentences and greedy_decode, mirrors at least
  90% of the held-out sentences and writes 'the quick brown fox' -> 'eht kciuq nworb xof';
- the text8 LSTM's log is printed beside the original's numbers (those of SPEC.md and the model's log), and the
  notebook's functions find the logged validation perplexity on the trained weights;
- the numbers the prose of these sections quotes are the ones their cells printed;
- the release carries what the sections load.
"""

import json
import os
import re

import nbformat
import pytest

from course.assignments import ASSIGNMENTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOK = os.path.join(ROOT, "source", "lstm_text8", "lstm_text8.ipynb")
# the original's validation perplexity on real text8 (SPEC.md §3 and the original's log)
ORIGINAL = {0: "19.99", 1000: "6.1", 2300: "5.0", 4000: "4.58", 7000: "4.25"}


@pytest.fixture(scope="module")
def cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {c.id: c for c in nb.cells}, [c.id for c in nb.cells]


def stdout(cell):
    assert cell.outputs, f"cell {cell.id} has no stored output"
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"cell {cell.id} stored an error: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "Not run yet" not in text, f"cell {cell.id} was stored waiting for an exercise: {text.strip()}"
    return text


def test_the_sections_follow_the_short_runs(cells):
    _, order = cells
    lstm = ["pretrained_lstm_md", "pretrained_lstm_log", "pretrained_lstm_use", "pretrained_lstm_result_md"]
    s2s = ["pretrained_s2s_md", "pretrained_s2s_log", "pretrained_s2s_use", "pretrained_s2s_result_md"]
    at = order.index("init_mean_result_md") + 1  # after the short run and its centred-start twin
    assert order[at:at + 4] == lstm, order[at:at + 4]
    at = order.index("s2s_sentence_result_md") + 1  # after the 600-step whole-sentence run
    assert order[at:at + 4] == s2s, order[at:at + 4]
    assert order.index("34e91300") < order.index("pretrained_lstm_log")  # the learner's short training run


def test_whole_sentence_model_mirrors_the_held_out_sentences(cells):
    out = stdout(cells[0]["pretrained_s2s_use"])
    m = re.search(r"^held-out sentences: (\d+\.\d)% mirrored exactly \((\d+) of (\d+)\)", out, re.M)
    assert m, f"no held-out score in the stored output:\n{out}"
    share, right, total = float(m.group(1)), int(m.group(2)), int(m.group(3))
    assert total == 300 and share >= 90.0, f"held-out sentences mirrored exactly: {share}% of {total} (bar: 90% of 300)"
    assert abs(right / total * 100 - share) < 0.05
    lines = [line.strip() for line in out.splitlines()]
    assert "'the quick brown fox' -> 'eht kciuq nworb xof'" in lines, f"no quick brown fox line:\n{out}"


def test_whole_sentence_log_agrees_with_the_results_file(cells):
    """The log the notebook prints is the shipped model's, and bench/text8_seq2seq_results.md quotes it."""
    with open(os.path.join(ROOT, "data", "text8_seq2seq.log.json"), encoding="utf-8") as f:
        log = json.load(f)
    out = stdout(cells[0]["pretrained_s2s_log"])
    with open(os.path.join(ROOT, "bench", "text8_seq2seq_results.md"), encoding="utf-8") as f:
        results = f.read()
    for row in log["scores"]:
        exact = f"{row['held_out_exact']:.1%}"
        assert re.search(rf"^\s*{row['step']}\s+{row['loss']:.4f}\s+{re.escape(exact)}", out, re.M), row["step"]
        assert f"| {exact} |" in results or f"| **{exact}** |" in results, (row["step"], exact)
    final = f"{log['final_held_out_exact']:.1%}"
    assert f"({final})" in results and f"{final} mirrored exactly" in stdout(cells[0]["pretrained_s2s_use"])


def test_text8_log_beside_the_original(cells):
    with open(os.path.join(ROOT, "data", "text8_lstm.log.json"), encoding="utf-8") as f:
        log = json.load(f)
    assert {int(k): str(v) for k, v in log["original_validation_perplexity"].items()} == ORIGINAL
    out = stdout(cells[0]["pretrained_lstm_log"])
    assert "7,001 steps of 64 streams x 10 unrollings" in out
    h = log["history"]
    for step, theirs in ORIGINAL.items():
        ours = h["valid"][h["step"].index(step)]
        assert re.search(rf"^\s*{step}\s+\S+\s+\S+\s+{ours:.2f}\s+{re.escape(theirs)}\s*$", out, re.M), (step, out)


def test_the_learners_functions_find_the_logged_perplexity(cells):
    with open(os.path.join(ROOT, "data", "text8_lstm.log.json"), encoding="utf-8") as f:
        final = json.load(f)["final_validation_perplexity"]
    out = stdout(cells[0]["pretrained_lstm_use"])
    m = re.search(r"computed by your functions: (\d+\.\d\d)", out)
    assert m and abs(float(m.group(1)) - final) < 0.006, out
    samples = out.split("=" * 80)[1].strip().split("\n")
    assert len(samples) == 5 and all(re.fullmatch(r"[a-z ]{80}", s) for s in samples), samples


@pytest.mark.parametrize("prose, code", [
    ("pretrained_lstm_result_md", ["34e91300", "pretrained_lstm_log", "pretrained_lstm_use"]),
    ("pretrained_s2s_result_md", ["pretrained_s2s_log", "pretrained_s2s_use"]),
    ("s2s_sentence_result_md", ["s2s_sentence_train"]),
    ("b0a79430", ["34e91300"]),
    ("init_mean_result_md", ["34e91300", "init_mean_compare"]),
    ("bb332af2", ["e41a1065"]),
])
def test_the_prose_quotes_the_stored_outputs(cells, prose, code):
    """Every decimal or percentage in these prose cells is one their cells printed (times excepted: a measured
    time is stated for a quiet core, and the cells print their own)."""
    by_id, _ = cells
    printed = "\n".join(stdout(by_id[c]) for c in code)
    text = re.sub(r"(\d+(\.\d+)?\s+to\s+)?\d+(\.\d+)?\s+seconds?", "", by_id[prose].source)
    numbers = set(re.findall(r"(?<![\w.])\d+\.\d+%?", text))
    missing = sorted(n for n in numbers if n not in printed and not _an_original_number(n))
    assert not missing, f"{prose} quotes numbers its cells did not print: {missing}"


def _an_original_number(n):
    return n in ORIGINAL.values() or n in {"0.1", "0.475", "0.5", "0.75", "1.25"}  # recipe constants


def test_the_release_carries_what_the_sections_load():
    _, files = ASSIGNMENTS["lstm_text8"]
    for rel in ("utils/pretrained.py", "data/text8_lstm.npz", "data/text8_seq2seq.npz"):
        assert rel in files, rel
    release = os.path.join(ROOT, "release", "lstm_text8")
    if os.path.isdir(release):  # make release made it
        for name in ("pretrained.py", "text8_lstm.npz", "text8_seq2seq.npz"):
            assert os.path.isfile(os.path.join(release, name)), f"release/lstm_text8/{name} is missing"
        nb = nbformat.read(os.path.join(release, "lstm_text8.ipynb"), as_version=4)
        assert {"pretrained_lstm_log", "pretrained_s2s_use"} <= {c.id for c in nb.cells}
