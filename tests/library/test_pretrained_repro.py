"""
`make pretrain` reproduces its logs, and a stopped run resumes to the numbers of one never stopped.

Seconds-long reruns of the start of each shipped model's training (the 3-char stage's first
epoch, the first steps of the text8 LSTM, of Problem 3's model and of the Shakespeare LSTM),
compared with the numbers its log recorded: exactly when this machine has the log's numpy, CPU
architecture and BLAS threads, else to float32 rounding (relative 1e-5). Then each training loop
stopped halfway and started again against the same loop run straight through (bit for bit), and
the text8 loops against the notebook's own train_lstm and train_sentences.
"""

import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path[:0] = [ROOT, os.path.join(ROOT, "utils")]

from tools import pretrain_nietzsche as PN  # noqa: E402
from tools import pretrain_shakespeare as PS  # noqa: E402
from tools import pretrain_text8 as PT  # noqa: E402
from tools.pretrain import environment, nietzsche_functions, read_log  # noqa: E402


def assert_reproduces(got, log, logged, what):
    """Exactly on the machine the log was written on; to float32 rounding elsewhere."""
    if log["environment"] == environment():
        assert got == logged, f"{what}: rerun {got} != logged {logged}"
    else:
        np.testing.assert_allclose(got, logged, rtol=1e-5, err_msg=f"{what} (numpy/BLAS differ from the log's)")


def log_of(name):
    log = read_log(name)
    assert log is not None, f"data/{name}.log.json is missing (make pretrain)"
    return log


# -----------------------------------------------------------------------------
# Nietzsche


@pytest.fixture(scope="module")
def fns():
    return nietzsche_functions()


FIRST_EPOCH = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/utils"]
from tools import pretrain_nietzsche as PN  # sets OPENBLAS_NUM_THREADS=1 before numpy loads, as `make pretrain`
from tools.pretrain import nietzsche_functions
chars, train_idx, held_idx = PN.corpus("whole")
run = PN.train_stage("3char", nietzsche_functions(), chars, train_idx, held_idx, PN.Options(), sys.argv[2], "3char",
                     stop_after=1)
print(json.dumps(run.history["train"]))
"""


def test_nietzsche_3char_first_epoch_reproduces_the_log(tmp_path):
    """In a fresh process: numpy here may already run OpenBLAS on several threads (plain `pytest`, not `make
    test`), whose matrix products of batch 512 sum in another order than the one thread the log was made with."""
    log = log_of("nietzsche_3char")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", FIRST_EPOCH, ROOT, str(tmp_path / "c.ckpt.npz")], env=env,
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert_reproduces(got, log, log["train_loss"][:1], "3-char stage, epoch 1")


def test_nietzsche_stopped_run_resumes_to_the_same_numbers(fns, tmp_path):
    chars, idx, _ = PN.corpus("whole")
    train_idx, held_idx = idx[:24_000], idx[24_000:27_000]  # a small slice: the loop, not the corpus, is tested
    opts = PN.Options(epochs=2)
    straight = PN.train_stage("3char", fns, chars, train_idx, held_idx, opts, str(tmp_path / "a.ckpt.npz"), "a")
    PN.train_stage("3char", fns, chars, train_idx, held_idx, opts, str(tmp_path / "b.ckpt.npz"), "b", stop_after=1)
    resumed = PN.train_stage("3char", fns, chars, train_idx, held_idx, opts, str(tmp_path / "b.ckpt.npz"), "b")
    for key in ("train", "held_out"):
        assert resumed.history[key] == straight.history[key]
    for k, p in straight.model.params.items():
        assert np.array_equal(resumed.model.params[k], p), k


# -----------------------------------------------------------------------------
# text8


@pytest.fixture(scope="module")
def s2s():
    return PT.seq2seq_namespace()


def test_text8_lstm_first_steps_reproduce_the_log(s2s, tmp_path):
    log = log_of("text8_lstm")
    valid, train = PT.sample_text()
    _, run = PT.train_lstm(s2s, train, valid, 7001, str(tmp_path / "l.ckpt.npz"), stop_after=101, quiet=True)
    assert_reproduces(run["first_losses"], log, log["first_losses"], "text8 LSTM, steps 0-9")
    for key in ("loss", "minibatch", "valid"):
        assert_reproduces(run["history"][key], log, log["history"][key][:2], f"text8 LSTM {key} at steps 0 and 100")


def test_text8_lstm_loop_is_the_notebooks_and_resumes(s2s, tmp_path):
    valid, train = PT.sample_text()
    ckpt = str(tmp_path / "l.ckpt.npz")
    PT.train_lstm(s2s, train, valid, 41, ckpt, checkpoint_every=15, stop_after=20, quiet=True)
    params, run = PT.train_lstm(s2s, train, valid, 41, ckpt, checkpoint_every=15, quiet=True)
    with contextlib.redirect_stdout(io.StringIO()):
        nb_params, nb_history = s2s["train_lstm"](train, valid, 41, progress=False)
    assert run["history"] == nb_history
    for k, p in nb_params.items():
        assert np.array_equal(params[k], p), k


def test_text8_seq2seq_first_steps_reproduce_the_log(s2s, tmp_path):
    log = log_of("text8_seq2seq")
    _, run = PT.train_seq2seq(s2s, 2000, str(tmp_path / "s.ckpt.npz"), stop_after=5, quiet=True)
    assert_reproduces(run["losses"], log, log["first_losses"][:5], "seq2seq, steps 1-5")


def test_text8_seq2seq_loop_is_the_notebooks_and_resumes(s2s, tmp_path):
    ckpt = str(tmp_path / "s.ckpt.npz")
    PT.train_seq2seq(s2s, 4, ckpt, stop_after=2, quiet=True)
    params, run = PT.train_seq2seq(s2s, 4, ckpt, quiet=True)
    nb_params = s2s["init_sentence_params"](n_a=128, seed=0)
    nb_losses = s2s["train_sentences"](nb_params, s2s["sentence_pool"], 4, seed=5, report_every=0)
    assert run["losses"] == nb_losses
    for k, p in nb_params.items():
        assert np.array_equal(params[k], p), k


# -----------------------------------------------------------------------------
# Shakespeare


@pytest.fixture(scope="module")
def windows():
    cfg = PS.Config()
    return cfg, PS.load_windows(os.path.join(ROOT, "data", "shakespeare.txt"), cfg.T_x, cfg.stride, cfg.val_fraction)


def test_shakespeare_first_batches_reproduce_the_log(windows, tmp_path):
    log = log_of("shakespeare_lstm")
    cfg, (chars, (X_all, Y_all), _, _) = windows
    _, hist = PS.train(cfg, chars, X_all, Y_all, str(tmp_path / "sh.ckpt.npz"), X_all[:1], Y_all[:1], "sh",
                       stop_after_batches=10, quiet=True)
    assert_reproduces(hist["first_losses"], log, log["first_losses"], "Shakespeare, batches 1-10")


def test_shakespeare_stopped_run_resumes_to_the_same_numbers(windows, tmp_path):
    _, (chars, _, (X, Y), (Xv, Yv)) = windows
    cfg = PS.Config(epochs=2, n_a=16)
    X, Y, Xv, Yv = X[:640], Y[:640], Xv[:64], Yv[:64]  # 5 batches an epoch
    m1, straight = PS.train(cfg, chars, X, Y, str(tmp_path / "a.ckpt.npz"), Xv, Yv, "a", quiet=True)
    PS.train(cfg, chars, X, Y, str(tmp_path / "b.ckpt.npz"), Xv, Yv, "b", stop_after_epochs=1, quiet=True)
    m2, resumed = PS.train(cfg, chars, X, Y, str(tmp_path / "b.ckpt.npz"), Xv, Yv, "b", quiet=True)
    for key in ("train", "train_last_char", "eval", "eval_last_char", "first_losses"):
        assert resumed[key] == straight[key], key
    for k, p in m1.params.items():
        assert np.array_equal(m2.params[k], p), k


# -----------------------------------------------------------------------------
# the stateful LSTM's weights taken from the bench's finished runs (tools/pretrain_nietzsche.py --from-bench)


def bench_run(mp, fns, bench_dir, stage, data, epochs_done=None):
    """A bench run of a stage as bench/nietzsche_original.py leaves it (its result file and checkpoint), with the
    training replaced by a made-up history: the files' format and the bench's own writing are what is tested."""
    import argparse

    from bench import nietzsche_original as B

    def fake_train(stage, fns, chars, train_idx, held_idx, opts, ckpt, label, progress=False):
        X, _, Xv, _, model = PN.build(stage, fns, len(chars), train_idx, held_idx, opts)
        batch, plan = PN.settings(stage, opts)
        n = sum(e for e, _ in plan) if epochs_done is None else epochs_done
        history = {"train": [2.0 - 0.01 * e for e in range(n)], "seconds": [1.0] * n,
                   "held_out": [float("nan")] * n if held_idx is None else [1.9 - 0.005 * e for e in range(n)]}
        model.params["by"][:3] += 0.25  # weights that differ from a fresh start
        PN.save_checkpoint(ckpt, model, PN.Adam(model.params, lr=plan[0][1], eps=opts.eps), history)
        return PN.Trained(model, history, batch, plan, sum(p.size for p in model.params.values()), len(X),
                          0 if Xv is None else len(Xv))

    mp.setattr(B, "OUT", str(bench_dir))
    mp.setattr(B, "train_stage", fake_train)
    args = argparse.Namespace(stage=stage, data=data, epochs=None, more_epochs=None, batch=None, init="keras",
                              eps=1e-7, hidden_init="glorot", seed=0, resume=True, progress=False,
                              stateful_rows="streams", tag="")
    chars, train_idx, held_idx = PN.corpus(data)
    with contextlib.redirect_stdout(io.StringIO()):
        B.run_stage(stage, fns, chars, train_idx, held_idx, args)


@pytest.fixture(scope="module")
def lstm_bench(fns, tmp_path_factory):
    """The bench's two finished LSTM runs (made-up histories), once for the tests below."""
    bench_dir = tmp_path_factory.mktemp("bench")
    with pytest.MonkeyPatch.context() as mp:
        for data in ("whole", "split"):
            bench_run(mp, fns, bench_dir, "lstm", data)
    return bench_dir


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def bench_copy(lstm_bench, tmp_path, data, **changes):
    """The bench folder with the result file of one run changed (the checkpoints linked, not copied)."""
    for name in os.listdir(lstm_bench):
        src, dst = lstm_bench / name, tmp_path / name
        if name == f"lstm_{data}.json":
            result = read_json(src)
            result.update(changes)
            with open(dst, "w", encoding="utf-8") as f:
                json.dump(result, f)
        else:
            os.symlink(src, dst)
    return tmp_path


def test_lstm_from_bench_writes_the_bench_weights_and_says_so(lstm_bench, tmp_path):
    from utils.pretrained import MODELS, read_model

    with contextlib.redirect_stdout(io.StringIO()):
        log = PN.from_bench("lstm", bench_dir=str(lstm_bench), out_dir=str(tmp_path))
    params, chars, stored = read_model(str(tmp_path / "nietzsche_lstm.npz"), 57, MODELS["nietzsche_lstm"][2])
    with np.load(lstm_bench / "lstm_whole.ckpt.npz") as ckpt:
        for k, p in params.items():
            assert np.array_equal(p, ckpt[f"p_{k}"]), k
    assert stored == log and log["train_loss"] == [2.0 - 0.01 * e for e in range(40)]
    assert log["held_out"]["held_out_loss"] == [1.9 - 0.005 * e for e in range(40)]
    assert "bench/nietzsche_original.py" in log["weights_from"] and "--from-bench" in log["weights_from"]
    assert log["settings"]["batch"] == 64
    assert log["settings"]["plan (epochs, learning rate)"] == [[20, 1e-3], [20, 1e-4]]
    assert log["architecture"]["n_a"] == 512 and log["parameters"] == 1_168_275
    full = read_json(tmp_path / "nietzsche_lstm.log.json")
    assert full["wall_seconds"]["whole"] == 40.0 and len(full["text"]["stateful_sampled_t0.6_seed0_400"]) == 408


@pytest.mark.parametrize("change, words", [
    ({"seed": 1}, ["seed 1", "make pretrain: 0"]),
    ({"init": "course"}, ["init 'course'"]),
    ({"adam_eps": 1e-8}, ["adam_eps 1e-08"]),
    ({"stateful_rows": "text"}, ["stateful_rows 'text'"]),
    ({"plan": [[20, 0.001], [10, 0.0001]]}, ["plan [[20, 0.001], [10, 0.0001]]"]),
    ({"batch": 128}, ["batch 128 (make pretrain: 64)"]),
    ({"seed": None}, ["seed None"]),
])
def test_lstm_from_bench_refuses_other_settings_in_one_line(lstm_bench, tmp_path, change, words):
    bench = bench_copy(lstm_bench, tmp_path, "split", **change)
    if change.get("seed", 0) is None:  # a result file from before the bench recorded its seed
        result = read_json(bench / "lstm_split.json")
        del result["seed"]
        (bench / "lstm_split.json").write_text(json.dumps(result))
        words = ["seed 'not recorded'"]
    with pytest.raises(SystemExit) as err:
        PN.from_bench("lstm", bench_dir=str(bench), out_dir=str(tmp_path))
    message = str(err.value)
    assert "\n" not in message and "lstm_split.json" in message and "not trained at make pretrain's settings" in message
    for w in words:
        assert w in message, message
    assert not (tmp_path / "nietzsche_lstm.npz").exists()


def test_lstm_from_bench_refuses_other_units(lstm_bench, tmp_path):
    bench = bench_copy(lstm_bench, tmp_path, "whole", parameters=391_315)
    with pytest.raises(SystemExit) as err, contextlib.redirect_stdout(io.StringIO()):
        PN.from_bench("lstm", bench_dir=str(bench), out_dir=str(tmp_path))
    assert "391315 parameters" in str(err.value) and "1,168,275" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "nietzsche_lstm.npz").exists()


def test_lstm_from_bench_refuses_a_missing_or_unfinished_run(lstm_bench, tmp_path):
    bench = bench_copy(lstm_bench, tmp_path, "split")
    os.remove(bench / "lstm_split.json")
    with pytest.raises(SystemExit) as err:
        PN.from_bench("lstm", bench_dir=str(bench), out_dir=str(tmp_path))
    assert "lstm_split.json is missing" in str(err.value) and "\n" not in str(err.value)
    result = read_json(lstm_bench / "lstm_split.json")  # the result of a finished run, a checkpoint of a newer one
    result["train"] = result["train"][:29]
    (bench / "lstm_split.json").write_text(json.dumps(result))
    with pytest.raises(SystemExit) as err, contextlib.redirect_stdout(io.StringIO()):
        PN.from_bench("lstm", bench_dir=str(bench), out_dir=str(tmp_path))
    assert "another run than lstm_split.json" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "nietzsche_lstm.npz").exists()
