"""
The shipped pretrained models (data/<name>.npz) and their loader, utils/pretrained.py:
- every error a damaged or wrong file can cause is one line naming the file (missing, truncated, not a
  model, wrong parameters, shape, dtype, vocabulary, checksum), never a numpy traceback;
- the manifest's sha256 sums agree with course/assignments.py and data/SOURCES.md, and every shipped model
  is listed in both and carried by the assignment that uses it;
- each shipped model loads, and driven by the notebooks' own solution code it gives back what its
  training log recorded (the same next character and text, the same validation perplexity, the same
  held-out scores, the same like-for-like loss).
"""

import hashlib
import json
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "utils")]

from course.assignments import ASSIGNMENTS, DATA_SHA256, LAB_FILES  # noqa: E402
from tools.pretrain import save_model  # noqa: E402
from utils import pretrained  # noqa: E402
from utils.pretrained import MODELS, SHIPPED, PretrainedError, load_pretrained, read_model  # noqa: E402

USED_BY = {"nietzsche_3char": "nietzsche_rnn", "nietzsche_8char": "nietzsche_rnn", "nietzsche_rnn": "nietzsche_rnn",
           "nietzsche_stateful_rnn": "nietzsche_rnn", "nietzsche_lstm": "nietzsche_rnn",
           "text8_lstm": "lstm_text8", "text8_seq2seq": "lstm_text8", "shakespeare_lstm": "lab"}


# -----------------------------------------------------------------------------
# the loader's errors, on small files made here


def small_model(tmp_path, name="m.npz", shapes=None, dtype=np.float32, vocab=3):
    """A model file in the course's format with the given shapes; returns (path, shapes)."""
    shapes = shapes or {"W": (4, 3), "b": (4, 1)}
    rng = np.random.default_rng(0)
    params = {k: rng.normal(size=s).astype(dtype) for k, s in shapes.items()}
    path = str(tmp_path / name)
    save_model(path, params, list("abc")[:vocab], {"model": "test", "train_loss": [1.5, 1.2]})
    if dtype != np.float32:  # save_model always writes float32: rewrite one parameter in another dtype
        with np.load(path) as f:
            arrays = dict(f)
        arrays["param.W"] = arrays["param.W"].astype(dtype)
        np.savez(path, **arrays)
    return path, shapes


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def assert_one_line_naming(err, file, *words):
    message = str(err.value)
    assert "\n" not in message, message
    assert file in message, message
    for w in words:
        assert w in message, message


def test_a_good_file_loads_with_its_log(tmp_path):
    path, shapes = small_model(tmp_path)
    params, chars, log = read_model(path, 3, shapes, digest(path))
    assert chars == ["a", "b", "c"] and log["train_loss"] == [1.5, 1.2]
    assert {k: (v.shape, v.dtype) for k, v in params.items()} == {"W": ((4, 3), np.float32), "b": ((4, 1), np.float32)}


def test_missing_file(tmp_path):
    with pytest.raises(PretrainedError) as err:
        read_model(str(tmp_path / "gone.npz"), 3, {"W": (4, 3)})
    assert_one_line_naming(err, "gone.npz", "missing")


def test_missing_shipped_model_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(PretrainedError) as err:
        load_pretrained("nietzsche_8char", folder=str(tmp_path))
    assert_one_line_naming(err, "nietzsche_8char.npz", "missing", "make pretrain-nietzsche-8char")


@pytest.mark.parametrize("name", sorted(set(MODELS) - set(SHIPPED)) or ["(every model ships)"])
def test_a_model_not_shipped_yet_says_so_in_one_line(name):
    if name not in MODELS:
        pytest.skip("every planned model ships")
    with pytest.raises(PretrainedError) as err:
        load_pretrained(name)
    assert_one_line_naming(err, f"{name}.npz", "does not ship", f"make pretrain-{name.replace('_', '-', 1)}")


def test_unknown_model_name():
    with pytest.raises(PretrainedError) as err:
        load_pretrained("nietzsche_gru")
    assert_one_line_naming(err, "nietzsche_gru", "nietzsche_lstm")


def test_truncated_file(tmp_path):
    path, shapes = small_model(tmp_path)
    with open(path, "rb") as f:
        content = f.read()
    with open(path, "wb") as f:
        f.write(content[: len(content) // 2])
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, shapes)
    assert_one_line_naming(err, "m.npz", "not a readable .npz")
    assert err.value.__cause__ is None and err.value.__suppress_context__  # no numpy traceback behind it


def test_not_a_model_file(tmp_path):
    path = str(tmp_path / "plain.npz")
    np.savez(path, W=np.zeros((4, 3), np.float32))
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, {"W": (4, 3)})
    assert_one_line_naming(err, "plain.npz", "not a model file")


def test_wrong_shape(tmp_path):
    path, _ = small_model(tmp_path, shapes={"W": (4, 2), "b": (4, 1)})
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, {"W": (4, 3), "b": (4, 1)})
    assert_one_line_naming(err, "m.npz", "W", "(4, 2)", "(4, 3)")


def test_missing_or_extra_parameter(tmp_path):
    path, _ = small_model(tmp_path, shapes={"W": (4, 3), "c": (4, 1)})
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, {"W": (4, 3), "b": (4, 1)})
    assert_one_line_naming(err, "m.npz", "missing: ['b']", "unexpected: ['c']")


def test_wrong_dtype(tmp_path):
    path, shapes = small_model(tmp_path, dtype=np.float64)
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, shapes)
    assert_one_line_naming(err, "m.npz", "float64", "float32")


def test_wrong_vocabulary(tmp_path):
    path, shapes = small_model(tmp_path, vocab=2)
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, shapes)
    assert_one_line_naming(err, "m.npz", "2 characters", "expected 3")


def test_wrong_checksum(tmp_path):
    path, shapes = small_model(tmp_path)
    good = digest(path)
    params, chars, log = read_model(path, 3, shapes, good)
    params["W"][0, 0] += 1.0  # the same names, shapes and dtypes, one value changed
    save_model(path, params, chars, log)
    with pytest.raises(PretrainedError) as err:
        read_model(path, 3, shapes, good)
    assert_one_line_naming(err, "m.npz", "sha256", good[:12])


def test_shipped_model_with_a_changed_value_is_refused(tmp_path):
    name = "text8_lstm"
    params, chars, log = load_pretrained(name)
    params["w"][0, 0] = np.float32(0.5) + params["w"][0, 0]
    save_model(str(tmp_path / f"{name}.npz"), params, chars, log)
    with pytest.raises(PretrainedError) as err:
        load_pretrained(name, folder=str(tmp_path))
    assert_one_line_naming(err, f"{name}.npz", "sha256", "git checkout -- data/text8_lstm.npz")


def test_error_shows_as_one_line_in_ipython():
    assert PretrainedError("x.npz is missing")._render_traceback_() == ["PretrainedError: x.npz is missing"]


def test_same_arrays_same_bytes(tmp_path):
    """A model file is written the same way every time (no timestamps inside): a retrain reproduces its sha256."""
    a, _ = small_model(tmp_path, "a.npz")
    b, _ = small_model(tmp_path, "b.npz")
    assert digest(a) == digest(b)


# -----------------------------------------------------------------------------
# the manifest, data/SOURCES.md, course/assignments.py


def test_manifest_agrees_with_assignments_and_sources():
    with open(os.path.join(ROOT, "data", "SOURCES.md"), encoding="utf-8") as f:
        sources = f.read()
    for name in SHIPPED:
        sha = MODELS[name][0]
        rel = f"data/{name}.npz"
        assert len(sha) == 64, f"{name}: no sha256 in utils/pretrained.py MODELS"
        assert DATA_SHA256.get(rel) == sha, f"{rel}: course/assignments.py DATA_SHA256 differs from utils/pretrained.py"
        assert f"| {name}.npz | {sha} |" in sources, f"{rel}: not listed with its sha256 in data/SOURCES.md"
        assert sha == digest(os.path.join(ROOT, rel)), f"{rel}: the file's sha256 is not the manifest's"


def test_every_shipped_model_is_in_the_manifest():
    shipped = {f[:-4] for f in os.listdir(os.path.join(ROOT, "data")) if f.endswith(".npz")}
    assert shipped == set(SHIPPED)
    listed = {rel[len("data/"):-len(".npz")] for rel in DATA_SHA256 if rel.endswith(".npz")}
    assert listed == set(SHIPPED), "course/assignments.py DATA_SHA256 lists other models than utils/pretrained.py"


def test_models_total_at_most_30_mb():
    total = sum(os.path.getsize(os.path.join(ROOT, "data", f"{name}.npz")) for name in SHIPPED)
    assert total <= 30e6, f"{total / 1e6:.1f} MB"


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_assignment_carries_its_model(name):
    rel = f"data/{name}.npz"
    used_by = USED_BY[name]
    files = LAB_FILES if used_by == "lab" else ASSIGNMENTS[used_by][1]
    assert rel in files and "utils/pretrained.py" in files


# -----------------------------------------------------------------------------
# the shipped models and their logs


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_model_loads_with_its_log(name):
    params, chars, log = load_pretrained(name)
    assert all(p.dtype == np.float32 for p in params.values())
    assert log["model"] == name
    assert log["environment"]["numpy"] and "command" in log
    with open(os.path.join(ROOT, "data", f"{name}.log.json"), encoding="utf-8") as f:
        full = json.load(f)
    assert "wall_seconds" in full
    full.pop("wall_seconds")
    stored = dict(log)
    for key in ("vocab_size", "n_a", "n_layers", "cell", "n_embd", "dropout"):  # CharRNN's config (Shakespeare)
        if key not in full:
            stored.pop(key, None)
    assert stored == full, f"data/{name}.log.json and the log inside data/{name}.npz differ"


@pytest.fixture(scope="module")
def nietzsche_fns():
    from tools.pretrain import nietzsche_functions

    return nietzsche_functions()


@pytest.mark.parametrize("stage", [n[len("nietzsche_"):] for n in SHIPPED if n.startswith("nietzsche_")])
def test_nietzsche_stage_drives_the_notebook_functions_as_logged(stage, nietzsche_fns):
    from nietzsche import LastStepRNN, StatefulModel, UnrolledModel

    from tools.pretrain_nietzsche import texts

    model, chars, log = pretrained.nietzsche_model(stage, forward=nietzsche_fns["unrolled_forward"])
    kind = {"3char": UnrolledModel, "8char": UnrolledModel, "rnn": LastStepRNN}.get(stage, StatefulModel)
    assert isinstance(model, kind)
    assert log["settings"]["batch"] == (64 if stage in ("stateful_rnn", "lstm") else 512)
    assert len(log["train_loss"]) == len(log["held_out"]["held_out_loss"]) == sum(
        e for e, _ in log["settings"]["plan (epochs, learning rate)"])

    assert texts(stage, nietzsche_fns, chars, model) == log["text"]


def test_nietzsche_unrolled_stage_needs_the_forward_function():
    with pytest.raises(PretrainedError) as err:
        pretrained.nietzsche_model("8char")
    assert_one_line_naming(err, "nietzsche_8char.npz", "forward=unrolled_forward")


def test_text8_lstm_validation_perplexity_as_logged():
    from tools.pretrain import text8_namespace
    from tools.pretrain_text8 import sample_text

    ns = text8_namespace()
    params, chars, log = load_pretrained("text8_lstm")
    assert "".join(chars) == " abcdefghijklmnopqrstuvwxyz"
    valid, _ = sample_text()
    assert ns["validation_perplexity"](params, valid) == log["final_validation_perplexity"]
    assert log["history"]["step"][-1] == 7000


def test_text8_seq2seq_mirrors_as_logged():
    from tools.pretrain_text8 import seq2seq_namespace

    ns = seq2seq_namespace()
    params, _, log = load_pretrained("text8_seq2seq")
    exact, per_word = ns["sentence_scores"](params, ns["heldout_full"])
    assert exact == log["final_held_out_exact"] >= 0.95
    assert ns["mirror_sentences"](params, ["the quick brown fox"]) == ["eht kciuq nworb xof"]


def test_shakespeare_model_is_what_the_lab_loads():
    from utils.lstm import CharRNN

    model, chars, config = pretrained.shakespeare_model()
    lab_model, lab_chars, lab_config = CharRNN.load(os.path.join(ROOT, "data", "shakespeare_lstm.npz"))
    assert chars == lab_chars and config == lab_config
    assert all(np.array_equal(model.params[k], lab_model.params[k]) for k in lab_model.params)
    # the keys the lab notebook reads today
    for key in ("n_layers", "n_a", "dropout", "epochs", "batch_size", "lr", "train_loss_last_char",
                "val_loss_last_char", "history"):
        assert key in config
    assert np.array(config["history"]).shape == (config["epochs"], 2)
    assert config["train_loss_last_char"] < config["original_last_char"] == 2.5432
    assert config["last_epoch_running_last_char"] < 2.5432
