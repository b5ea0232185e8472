"""
Unit tests for utils/nietzsche.py: centred-difference gradient checks in float64 of the
hand-unrolled model's backward and of the last-step RNN (relative error <= 1e-7), the stateful
wrapper, evaluation and training on a tiny corpus, the corpus split and its errors, and the
spec's data counts for the notebook's data-preparation solutions (read from the source notebook,
so the solution code has one home).
"""

import os
import sys

import numpy as np
import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, ROOT)
import lstm  # noqa: E402
import nietzsche as N  # noqa: E402

from course import notebooks  # noqa: E402

TOL = 1e-7
NOTEBOOK = os.path.join(ROOT, "source", "nietzsche_rnn", "nietzsche_rnn.ipynb")


@pytest.fixture(scope="module")
def solutions():
    """The notebook's solution code (data preparation, unrolled forward, generation), executed."""
    cells = notebooks.cells_by_id(notebooks.read(NOTEBOOK))
    namespace = {"np": np, "encode": lstm.encode, "NietzscheDataError": N.NietzscheDataError}
    for gid in ("nonoverlapping_windows", "overlapping_windows", "stateful_batches", "unrolled_forward",
                "get_next_char", "get_next_n_chars"):
        exec(notebooks.strip_markers(cells[gid].source), namespace)
    return namespace


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numeric_grads(loss_fn, params, h=1e-5):
    """Centred differences of a scalar loss w.r.t. every entry of every parameter."""
    grads = {}
    for k, p in params.items():
        g = np.zeros_like(p)
        for ix in np.ndindex(p.shape):
            old = p[ix]
            p[ix] = old + h
            pos = loss_fn()
            p[ix] = old - h
            neg = loss_fn()
            p[ix] = old
            g[ix] = (pos - neg) / (2 * h)
        grads[k] = g
    return grads


def check_grads(analytic, numeric):
    assert set(analytic) == set(numeric)
    for k in numeric:
        assert analytic[k].shape == numeric[k].shape, k
        err = rel_error(analytic[k], numeric[k])
        assert err <= TOL, f"{k}: relative error {err:.2e} > {TOL:.0e}"


# -----------------------------------------------------------------------------
# gradients


@pytest.mark.parametrize("T_x", [1, 3, 8])
def test_unrolled_backward_gradcheck(solutions, T_x):
    rng = np.random.default_rng(T_x)
    params = N.init_unrolled_params(7, n_embd=5, n_a=6, seed=1, dtype=np.float64)
    params["Wh"] += rng.normal(0, 0.3, params["Wh"].shape)  # away from the identity
    params["bc"] += rng.normal(0, 0.2, params["bc"].shape)  # some relu units on, some off
    X = rng.integers(0, 7, (4, T_x))
    X[0, :] = 2  # repeated characters: their embedding gradients must add up
    Y = rng.integers(0, 7, 4)
    model = N.UnrolledModel(solutions["unrolled_forward"], 7, 5, 6, dtype=np.float64)
    model.params = params
    loss, grads, state = model.loss_and_grads(X, Y)
    assert state is None
    assert loss == pytest.approx(model.loss(X, Y)[0], rel=1e-12)
    check_grads(grads, numeric_grads(lambda: model.loss(X, Y)[0], params))


def test_last_step_rnn_gradcheck():
    rng = np.random.default_rng(5)
    model = N.LastStepRNN(7, n_embd=5, n_a=6, seed=2, dtype=np.float64)
    X, Y = rng.integers(0, 7, (3, 5)), rng.integers(0, 7, 3)
    loss, grads, _ = model.loss_and_grads(X, Y)
    check_grads(grads, numeric_grads(lambda: model.loss(X, Y)[0], model.params))


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_stateful_model_carries_state(cell):
    rng = np.random.default_rng(6)
    model = N.StatefulModel(7, n_embd=4, n_a=5, cell=cell, seed=3, dtype=np.float64)
    X = rng.integers(0, 7, (2, 6))
    # two halves with the state carried give the same logits as the whole window
    whole, _ = model.predict(X)  # (V, 6 * 2), step-major columns
    first, state = model.predict(X[:, :3])
    second, _ = model.predict(X[:, 3:], state)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-12)
    np.testing.assert_allclose(N.last_logits(model, X), whole[:, -2:], rtol=1e-12)


def test_keras_init_draws_the_keras_defaults():
    lstm_model = N.keras_init(N.StatefulModel(57, n_embd=42, n_a=512, cell="lstm", seed=0), seed=0)
    P = lstm_model.params
    assert sum(p.size for p in P.values()) == 1_168_275  # the spec's count for the stateful LSTM
    assert np.abs(P["We"]).max() <= 0.05
    limit = np.sqrt(6.0 / (42 + 4 * 512))  # Glorot over the whole (42, 4 n_a) input kernel
    assert np.abs(P["Wx0"]).max() <= limit and np.abs(P["Wx0"]).max() > 0.9 * limit
    Wh = P["Wh0"].astype(np.float64)  # (4 n_a, n_a): orthonormal columns
    np.testing.assert_allclose(Wh.T @ Wh, np.eye(512), atol=1e-5)
    b = P["b0"].ravel()
    assert (b[512:1024] == 1).all() and (b[:512] == 0).all() and (b[1024:] == 0).all()
    rnn = N.keras_init(N.LastStepRNN(57, 42, 256, seed=0), seed=0)
    assert sum(p.size for p in rnn.params.values()) == 93_587  # as the original's summary prints it
    Wh = rnn.params["Wh0"].astype(np.float64)
    np.testing.assert_allclose(Wh @ Wh.T, np.eye(256), atol=1e-5)
    assert not rnn.params["b0"].any() and not rnn.params["by"].any()


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_stateful_writer_carries_state_across_calls(cell):
    chars = list(" abcdef")
    model = N.StatefulModel(len(chars), n_embd=4, n_a=6, cell=cell, seed=1)
    one = N.StatefulWriter(model, chars, seed=3).read("abc").write(12, temperature=1.0)
    writer = N.StatefulWriter(model, chars, seed=3).read("abc")
    two = writer.write(5, temperature=1.0) + writer.write(7, temperature=1.0)
    assert one == two and len(one) == 12 and set(one) <= set(chars)
    # reading in two pieces is reading the whole
    greedy = N.StatefulWriter(model, chars).read("ab").read("cde").write(10, temperature=0)
    assert greedy == N.StatefulWriter(model, chars).read("abcde").write(10, temperature=0)
    # reset: back to the zero state, as a new writer
    writer.reset()
    assert writer.state is None
    assert writer.read("abcde").write(10, temperature=0) == greedy
    assert N.n_params(N.StatefulModel(57, 42, 512, "lstm")) == 1_168_275


# -----------------------------------------------------------------------------
# data


def test_spec_counts_on_the_full_text(solutions):
    text = N.load_text(os.path.join(ROOT, "data", "nietzsche.txt"))
    assert len(text) == 600_893
    chars = lstm.build_vocab(text)
    assert len(chars) == 57
    idx = lstm.encode(text, chars)
    X, Y = solutions["nonoverlapping_windows"](idx, 3)
    assert X.shape == (200_297, 3) and Y.shape == (200_297,)
    X, Y = solutions["overlapping_windows"](idx, 8)
    assert X.shape == (600_885, 8) and Y.shape == (600_885,)
    X, Y = solutions["stateful_batches"](idx, 64, 8)
    assert X.shape == (75_072, 8) and Y.shape == (75_072, 8)
    assert len(idx) // 64 == 9_388
    np.testing.assert_array_equal(X[64:, 0], Y[:-64, -1])  # row k + 64 continues row k
    np.testing.assert_array_equal(X[:, 1:], Y[:, :-1])


def test_split_and_errors(tmp_path):
    train, held = N.split_text("abcdefghij")
    assert (train, held) == ("abcdefghi", "j")
    with pytest.raises(ValueError):
        N.split_text("abc", holdout=1.5)
    with pytest.raises(N.NietzscheDataError, match="not found"):
        N.load_text(str(tmp_path / "missing.txt"))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(N.NietzscheDataError, match="empty"):
        N.load_text(str(empty))


def test_data_prep_rejects_short_input(solutions):
    for name, args in [("nonoverlapping_windows", (np.arange(3), 3)), ("overlapping_windows", (np.arange(8), 8)),
                       ("stateful_batches", (np.arange(100), 64, 8))]:
        with pytest.raises(N.NietzscheDataError):
            solutions[name](*args)


# -----------------------------------------------------------------------------
# training


def test_fit_lowers_the_loss_for_every_model(solutions):
    text = "the quick brown fox jumps over the lazy dog. " * 40
    chars = lstm.build_vocab(text)
    idx = lstm.encode(text, chars)
    V = len(chars)
    X8, Y8 = solutions["overlapping_windows"](idx, 8)
    Xs, Ys = solutions["stateful_batches"](idx, 4, 8)
    cases = [(N.UnrolledModel(solutions["unrolled_forward"], V, 8, 16), X8, Y8, 32, 0.01),
             (N.LastStepRNN(V, 8, 16), X8, Y8, 32, 0.01),
             (N.StatefulModel(V, 8, 16, "rnn"), Xs, Ys, 4, 0.01),
             (N.StatefulModel(V, 8, 16, "lstm"), Xs, Ys, 4, 0.01)]
    for model, X, Y, batch, lr in cases:
        before = N.evaluate(model, X, Y, batch)
        history = N.fit(model, X, Y, 3, lr, batch, X, Y, progress=False, verbose=False)
        assert len(history["train"]) == len(history["held_out"]) == len(history["seconds"]) == 3
        assert history["held_out"][-1] < before - 0.5, (type(model).__name__, before, history["held_out"])
    # the trained unrolled model continues its favourite sentence greedily
    model = cases[0][0]

    def predict(X):
        return N.last_logits(model, X)

    out = solutions["get_next_n_chars"](predict, "the quick brown", chars, 8, 10)
    assert out.startswith("the quick brown") and len(out) == 25
