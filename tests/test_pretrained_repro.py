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
import os
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def test_nietzsche_3char_first_epoch_reproduces_the_log(fns, tmp_path):
    log = log_of("nietzsche_3char")
    chars, train_idx, held_idx = PN.corpus("whole")
    run = PN.train_stage("3char", fns, chars, train_idx, held_idx, PN.Options(), str(tmp_path / "c.ckpt.npz"),
                         "3char", stop_after=1)
    assert_reproduces(run.history["train"][:1], log, log["train_loss"][:1], "3-char stage, epoch 1")


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
