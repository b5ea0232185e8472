"""
Unit tests for utils/lstm.py: centred-difference gradient checks in float64 of every backward
(relative error <= 1e-7), agreement of the fast sequence code with the step functions,
checkpoints (bit-exact round trip, clear errors), and sampling helpers.
"""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from utils import lstm as L  # noqa: E402

TOL = 1e-7


# -----------------------------------------------------------------------------
# gradient checking helpers


def rel_error(a, b):
    """Max relative error between two arrays, guarded against division by zero."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def num_grad(f, x, df, h=1e-5):
    """Centred-difference gradient of sum(f() * df) w.r.t. x (x is perturbed in place)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.sum(f() * df)
        x[ix] = old - h
        neg = np.sum(f() * df)
        x[ix] = old
        grad[ix] = (pos - neg) / (2 * h)
        it.iternext()
    return grad


def check(name, analytic, numeric, norm=False):
    """Assert rel error <= TOL: element-wise, or (norm=True) ||a - n|| / (||a|| + ||n||)."""
    if norm:
        err = float(np.linalg.norm(analytic - numeric)
                    / max(1e-12, np.linalg.norm(analytic) + np.linalg.norm(numeric)))
    else:
        err = rel_error(analytic, numeric)
    assert analytic.shape == numeric.shape, f"{name}: shape {analytic.shape} != {numeric.shape}"
    assert err <= TOL, f"{name}: relative error {err:.2e} > {TOL:.0e}"


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -----------------------------------------------------------------------------
# gradient checks


def test_lstm_step_gradients(rng):
    n_x, n_a, m = 3, 4, 2
    xt, h_prev, c_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    Wx, Wh, b = rng.normal(size=(4 * n_a, n_x)), rng.normal(size=(4 * n_a, n_a)), rng.normal(size=(4 * n_a, 1))
    dh, dc = rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    h, c, cache = L.lstm_step_forward(xt, h_prev, c_prev, Wx, Wh, b)
    grads = L.lstm_step_backward(dh, dc, cache)

    def loss():
        h, c, _ = L.lstm_step_forward(xt, h_prev, c_prev, Wx, Wh, b)
        return np.concatenate([h, c])

    dout = np.concatenate([dh, dc])
    for name, p, g in zip(["xt", "h_prev", "c_prev", "Wx", "Wh", "b"],
                          [xt, h_prev, c_prev, Wx, Wh, b], grads, strict=True):
        check(name, g, num_grad(loss, p, dout))


def test_lstm_sequence_gradients_with_carried_state(rng):
    n_x, n_a, T_x, m = 3, 4, 5, 2
    x = rng.normal(size=(n_x, T_x, m))
    h0, c0 = rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    Wx = rng.normal(size=(4 * n_a, n_x)) * 0.5
    Wh = rng.normal(size=(4 * n_a, n_a)) * 0.5
    b = rng.normal(size=(4 * n_a, 1))
    dh = rng.normal(size=(n_a, T_x, m))
    dhT, dcT = rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    h, (hT, cT), cache = L.lstm_forward(x, h0, c0, Wx, Wh, b)
    grads = L.lstm_backward(dh, cache, dstate=(dhT, dcT))

    def out():
        h, (hT, cT), _ = L.lstm_forward(x, h0, c0, Wx, Wh, b)
        return np.concatenate([h.reshape(-1), hT.reshape(-1), cT.reshape(-1)])

    dout = np.concatenate([dh.reshape(-1), dhT.reshape(-1), dcT.reshape(-1)])
    for name, p, g in zip(["x", "h0", "c0", "Wx", "Wh", "b"], [x, h0, c0, Wx, Wh, b], grads,
                          strict=True):
        check(name, g, num_grad(out, p, dout))


@pytest.mark.parametrize("zero_h0", [False, True], ids=["carried_state", "zero_h0"])
@pytest.mark.parametrize("T_x", [1, 4])
def test_lstm_sequence_matches_step_functions(rng, zero_h0, T_x):
    """The fast path equals the step functions, also when it skips the work a zero h0 makes void."""
    n_x, n_a, m = 5, 3, 3
    x = rng.normal(size=(n_x, T_x, m))
    h0, c0 = rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    if zero_h0:
        h0[...] = 0.0
    Wx, Wh, b = rng.normal(size=(4 * n_a, n_x)), rng.normal(size=(4 * n_a, n_a)), rng.normal(size=(4 * n_a, 1))
    h, (hT, cT), cache = L.lstm_forward(x, h0, c0, Wx, Wh, b)
    dh = rng.normal(size=h.shape)
    dx, dh0, dc0, dWx, dWh, db = L.lstm_backward(dh, cache)
    # without the initial-state gradients: the same weight and input gradients (no workspace,
    # so the first backward's results are fresh arrays and the cache can be reused)
    dx_, dh0_, dc0_, dWx_, dWh_, db_ = L.lstm_backward(dh, cache, state_grad=False)
    assert dh0_ is None and dc0_ is None
    for got, want in [(dx_, dx), (dWx_, dWx), (dWh_, dWh), (db_, db)]:
        np.testing.assert_array_equal(got, want)
    hp, cp, caches = h0, c0, []
    for t in range(T_x):
        hp, cp, step_cache = L.lstm_step_forward(x[:, t], hp, cp, Wx, Wh, b)
        np.testing.assert_allclose(h[:, t], hp, rtol=1e-12, err_msg=f"h at step {t}")
        caches.append(step_cache)
    np.testing.assert_allclose(cT, cp, rtol=1e-12, err_msg="final cell state")
    dhp, dcp = np.zeros((n_a, m)), np.zeros((n_a, m))
    sWx, sWh, sb = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    for t in reversed(range(T_x)):
        dxt, dhp, dcp, a, bb, cc = L.lstm_step_backward(dh[:, t] + dhp, dcp, caches[t])
        np.testing.assert_allclose(dx[:, t], dxt, rtol=1e-10, atol=1e-12, err_msg=f"dx step {t}")
        sWx, sWh, sb = sWx + a, sWh + bb, sb + cc
    for name, got, want in [("dh0", dh0, dhp), ("dc0", dc0, dcp), ("dWx", dWx, sWx),
                            ("dWh", dWh, sWh), ("db", db, sb)]:
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=name)


def test_lstm_truncated_bptt_state_carry(rng):
    """Two chunks with the state carried give the same hidden states as one long sequence."""
    n_x, n_a, m = 3, 4, 2
    x = rng.normal(size=(n_x, 6, m))
    Wx, Wh, b = rng.normal(size=(4 * n_a, n_x)), rng.normal(size=(4 * n_a, n_a)), rng.normal(size=(4 * n_a, 1))
    z = np.zeros((n_a, m))
    h_all, _, _ = L.lstm_forward(x, z, z, Wx, Wh, b)
    h1, state, _ = L.lstm_forward(x[:, :3], z, z, Wx, Wh, b)
    h2, _, _ = L.lstm_forward(x[:, 3:], *state, Wx, Wh, b)
    np.testing.assert_allclose(np.concatenate([h1, h2], axis=1), h_all, rtol=1e-12)


def test_lstm_workspace_reuse_matches_fresh_buffers(rng):
    n_x, n_a, T_x, m = 3, 4, 5, 2
    Wx, Wh, b = rng.normal(size=(4 * n_a, n_x)), rng.normal(size=(4 * n_a, n_a)), rng.normal(size=(4 * n_a, 1))
    ws = L.Workspace()
    for trial in range(3):  # the same buffers, reused with new data every time
        x, h0, c0 = rng.normal(size=(n_x, T_x, m)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
        dh = rng.normal(size=(n_a, T_x, m))
        h, _, cache = L.lstm_forward(x, h0, c0, Wx, Wh, b)
        want = [h.copy()] + [g.copy() for g in L.lstm_backward(dh, cache)]
        h, _, cache = L.lstm_forward(x, h0, c0, Wx, Wh, b, ws)
        got = [h] + list(L.lstm_backward(dh, cache))
        for name, g, w in zip(["h", "dx", "dh0", "dc0", "dWx", "dWh", "db"], got, want, strict=True):
            np.testing.assert_array_equal(g, w, err_msg=f"{name} differs with a workspace (trial {trial})")


def test_lstm_float32_runs_in_float32(rng):
    n_x, n_a, T_x, m = 3, 4, 5, 2
    f = np.float32
    x = rng.normal(size=(n_x, T_x, m)).astype(f)
    Wx, Wh, b = (rng.normal(size=s).astype(f) for s in [(4 * n_a, n_x), (4 * n_a, n_a), (4 * n_a, 1)])
    z = np.zeros((n_a, m), f)
    h, state, cache = L.lstm_forward(x, z, z, Wx, Wh, b)
    grads = L.lstm_backward(np.ones_like(h), cache)
    assert h.dtype == f and all(g.dtype == f for g in grads), "float32 in, float32 out"


def test_rnn_gradients(rng):
    n_x, n_a, T_x, m = 3, 4, 5, 2
    x, h0 = rng.normal(size=(n_x, T_x, m)), rng.normal(size=(n_a, m))
    Wx, Wh, b = rng.normal(size=(n_a, n_x)), rng.normal(size=(n_a, n_a)) * 0.5, rng.normal(size=(n_a, 1))
    dh, dhT = rng.normal(size=(n_a, T_x, m)), rng.normal(size=(n_a, m))
    h, cache = L.rnn_forward(x, h0, Wx, Wh, b)
    grads = L.rnn_backward(dh, cache, dh_last=dhT)

    def out():
        h, _ = L.rnn_forward(x, h0, Wx, Wh, b)
        return np.concatenate([h.reshape(-1), h[:, -1].reshape(-1)])

    dout = np.concatenate([dh.reshape(-1), dhT.reshape(-1)])
    for name, p, g in zip(["x", "h0", "Wx", "Wh", "b"], [x, h0, Wx, Wh, b], grads, strict=True):
        check(name, g, num_grad(out, p, dout))


def test_rnn_step_gradients(rng):
    xt, h_prev = rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    Wx, Wh, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 4)), rng.normal(size=(4, 1))
    dh = rng.normal(size=(4, 2))
    _, cache = L.rnn_step_forward(xt, h_prev, Wx, Wh, b)
    grads = L.rnn_step_backward(dh, cache)
    for name, p, g in zip(["xt", "h_prev", "Wx", "Wh", "b"], [xt, h_prev, Wx, Wh, b], grads,
                          strict=True):
        check(name, g, num_grad(lambda: L.rnn_step_forward(xt, h_prev, Wx, Wh, b)[0], p, dh))


def test_dense_gradients(rng):
    x, W, b = rng.normal(size=(4, 3, 2)), rng.normal(size=(5, 4)), rng.normal(size=(5, 1))
    dout = rng.normal(size=(5, 3, 2))
    out, cache = L.dense_forward(x, W, b)
    assert out.shape == (5, 3, 2), f"expected (5, 3, 2), got {out.shape}"
    for name, p, g in zip(["x", "W", "b"], [x, W, b], L.dense_backward(dout, cache), strict=True):
        check(name, g, num_grad(lambda: L.dense_forward(x, W, b)[0], p, dout))


def test_embedding_gradient(rng):
    W = rng.normal(size=(3, 6))
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    dout = rng.normal(size=(3, 2, 3))
    out, cache = L.embedding_forward(idx, W)
    np.testing.assert_allclose(out, np.einsum("nv,vtm->ntm", W, L.one_hot(idx, 6, np.float64)),
                               err_msg="embedding must equal W @ one_hot(idx)")
    check("W", L.embedding_backward(dout, cache), num_grad(lambda: L.embedding_forward(idx, W)[0], W, dout))


def test_softmax_cross_entropy_gradient(rng):
    logits, y = rng.normal(size=(5, 7)), rng.integers(0, 5, 7)
    loss, dlogits = L.softmax_cross_entropy(logits, y)
    p = L.softmax(logits)
    np.testing.assert_allclose(loss, -np.mean(np.log(p[y, np.arange(7)])), rtol=1e-12)
    check("logits", dlogits, num_grad(lambda: np.array(L.softmax_cross_entropy(logits, y)[0]),
                                      logits, np.array(1.0)))


def test_dropout_gradient_and_scaling(rng):
    x = rng.normal(size=(4, 5))
    dout = rng.normal(size=(4, 5))
    out, cache = L.dropout_forward(x, 0.3, np.random.default_rng(1))
    mask = cache
    check("x", L.dropout_backward(dout, cache), num_grad(lambda: x * mask, x, dout))
    same, none = L.dropout_forward(x, 0.3, None, train=False)
    assert same is x and none is None, "dropout must be the identity at evaluation time"
    big = L.dropout_forward(np.ones((200, 200)), 0.5, np.random.default_rng(2))[0]
    assert abs(big.mean() - 1.0) < 0.02, f"inverted dropout keeps the mean: got {big.mean():.3f}"


@pytest.mark.parametrize("cell,n_embd,dropout", [("lstm", 0, 0.0), ("lstm", 3, 0.3), ("rnn", 0, 0.0)])
def test_model_gradients(cell, n_embd, dropout):
    model = L.CharRNN(vocab_size=5, n_a=4, n_layers=2, cell=cell, n_embd=n_embd, dropout=dropout,
                      seed=3, dtype=np.float64)
    rng = np.random.default_rng(4)
    X, Y = rng.integers(0, 5, (2, 4)), rng.integers(0, 5, (2, 4))
    state = [tuple(rng.normal(size=s.shape) for s in layer) for layer in model.initial_state(2)]

    def loss():
        model.rng = np.random.default_rng(9)  # the same dropout masks every call
        return np.array(model.forward(X, Y, state, train=True)[1])

    loss()
    grads = model.backward()
    assert set(grads) == set(model.params), f"grads {sorted(grads)} != params {sorted(model.params)}"
    # the scalar mean loss has tiny gradient entries whose centred differences are limited by
    # float64 roundoff, so the whole-model check uses the norm-wise relative error
    for name, p in model.params.items():
        check(name, grads[name], num_grad(loss, p, np.array(1.0), h=1e-4), norm=True)


# -----------------------------------------------------------------------------
# optimizers and clipping


def test_clip_grad_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    norm = L.clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0), f"expected norm 5 before clipping, got {norm}"
    after = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    assert after == pytest.approx(1.0), f"expected norm 1 after clipping, got {after}"
    small = {"a": np.array([0.1])}
    L.clip_grad_norm(small, 1.0)
    assert small["a"][0] == 0.1, "gradients under the threshold must not change"


def test_optimizers_minimise_a_quadratic():
    for make in (lambda p: L.SGD(p, lr=0.1), lambda p: L.SGD(p, lr=0.05, momentum=0.9),
                 lambda p: L.Adam(p, lr=0.1)):
        params = {"w": np.array([3.0, -2.0])}
        opt = make(params)
        w = params["w"]
        for _ in range(300):
            opt.step({"w": 2 * params["w"]})
        assert params["w"] is w, "optimizers must update in place"
        assert np.abs(params["w"]).max() < 1e-2, f"{type(opt).__name__} ended at {params['w']}"


def test_training_reduces_loss():
    text = "hello world, hello there. " * 20
    chars = L.build_vocab(text)
    data = L.encode(text, chars)
    model = L.CharRNN(len(chars), n_a=32, n_layers=2, seed=0)
    opt = L.Adam(model.params, lr=1e-2)
    X = np.stack([data[i:i + 10] for i in range(0, 400, 5)])
    Y = np.stack([data[i + 1:i + 11] for i in range(0, 400, 5)])
    first = model.forward(X, Y)[1]
    for _ in range(60):
        model.forward(X, Y, train=True)
        grads = model.backward()
        L.clip_grad_norm(grads, 5.0)
        opt.step(grads)
    last = model.forward(X, Y)[1]
    assert last < 0.5 * first, f"loss should halve: {first:.3f} -> {last:.3f}"


# -----------------------------------------------------------------------------
# checkpoints


def test_checkpoint_round_trip_is_bit_exact(tmp_path):
    model = L.CharRNN(vocab_size=6, n_a=8, n_layers=2, seed=1)
    chars = list("ab\n c'")
    path = tmp_path / "m.npz"
    model.save(path, chars, extra={"train_loss": 1.25})
    loaded, chars2, config = L.CharRNN.load(path)
    assert chars2 == chars, f"vocabulary {chars2!r} != {chars!r}"
    assert config["train_loss"] == 1.25 and config["n_a"] == 8, f"config came back as {config}"
    for k, p in model.params.items():
        q = loaded.params[k]
        assert q.dtype == p.dtype and q.shape == p.shape, f"{k}: {q.dtype}{q.shape} vs {p.dtype}{p.shape}"
        assert q.tobytes() == p.tobytes(), f"{k} is not bit-exact after the round trip"


def test_checkpoint_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        L.load_checkpoint(tmp_path / "nope.npz")


def test_checkpoint_truncated_file(tmp_path):
    path = tmp_path / "m.npz"
    L.CharRNN(vocab_size=4, n_a=8).save(path, "abcd")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(L.CheckpointError, match="truncated or corrupt"):
        L.CharRNN.load(path)


def test_checkpoint_not_a_checkpoint(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(L.CheckpointError, match="not a"):
        L.load_checkpoint(path)


def test_checkpoint_mismatches(tmp_path):
    path = tmp_path / "m.npz"
    model = L.CharRNN(vocab_size=4, n_a=8)
    model.save(path, "abcd")
    with pytest.raises(L.CheckpointError, match="n_a: expected 16, file has 8"):
        L.load_checkpoint(path, expect={"n_a": 16})
    params = dict(model.params, Wh0=np.zeros((32, 9), np.float32))
    L.save_checkpoint(path, params, "abcd", model.config)
    with pytest.raises(L.CheckpointError, match="Wh0 has shape"):
        L.CharRNN.load(path)
    L.save_checkpoint(path, model.params, "abc", model.config)
    with pytest.raises(L.CheckpointError, match="vocab_size=4"):
        L.CharRNN.load(path)


# -----------------------------------------------------------------------------
# sampling


@pytest.fixture(scope="module")
def small_model():
    chars = list("\n abcdefgh")
    return L.CharRNN(len(chars), n_a=16, n_layers=2, seed=5), chars


def test_encode_unknown_characters_message():
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'X', 'é'"):
        L.encode("abXcé", list("abc"))
    assert L.decode(L.encode("cab", list("abc")), list("abc")) == "cab"


def test_generate_seeded_and_length(small_model):
    model, chars = small_model
    a = L.generate(model, chars, "abc", length=50, seed=7)
    b = L.generate(model, chars, "abc", length=50, seed=7)
    c = L.generate(model, chars, "abc", length=50, seed=8)
    assert a == b, "the same seed must give the same text"
    assert a != c, "different seeds should give different text"
    assert len(a) == 50 and set(a) <= set(chars), f"got {len(a)} characters: {a!r}"
    assert L.generate(model, chars, "abc", length=0, seed=1) == ""


def test_generate_any_prompt_length(small_model):
    model, chars = small_model
    for prompt in ["", "a", "abc " * 10, "abc " * 15, "h" * 200]:
        out = L.generate(model, chars, prompt, length=20, seed=0, context=40)
        assert len(out) == 20, f"prompt of {len(prompt)} chars gave {len(out)} characters"
    long_a = L.generate(model, chars, "h" * 100 + "abcdefgh" * 5, length=30, seed=3, context=40)
    long_b = L.generate(model, chars, "abcdefgh" * 5, length=30, seed=3, context=40)
    assert long_a == long_b, "only the last `context` characters of the prompt should matter"


def test_generate_greedy_top_k_stop(small_model):
    model, chars = small_model
    g1 = L.generate(model, chars, "ab", length=30, temperature=0, seed=1)
    g2 = L.generate(model, chars, "ab", length=30, temperature=0, seed=2)
    assert g1 == g2, "greedy decoding must not depend on the seed"
    assert g1 == L.generate(model, chars, "ab", length=30, top_k=1, seed=3), "top_k=1 is greedy"
    logits = np.array([0.0, 5.0, 4.0, -1.0])
    draws = {L.sample_index(logits, 1.0, 2, np.random.default_rng(s)) for s in range(200)}
    assert draws == {1, 2}, f"top_k=2 should only draw the two best indices, drew {sorted(draws)}"
    out = L.generate(model, chars, "ab", length=500, seed=4, stop_char=" ")
    assert len(out) <= 500 and (" " not in out[:-1]), f"stop_char must end the text: {out!r}"


def test_generate_unknown_characters(small_model):
    model, chars = small_model
    with pytest.raises(ValueError, match=r"'Z'"):
        L.generate(model, chars, "abZ", length=5)


def test_softmax_cross_entropy_gradient_does_not_depend_on_memory_layout():
    """A transposed (Fortran-ordered) view of the logits gives the same loss and gradient."""
    from utils.lstm import softmax_cross_entropy

    rng = np.random.default_rng(7)
    logits_rows = rng.standard_normal((12, 5))  # (N, n_y): its transpose is a non-contiguous (n_y, N) view
    y = rng.integers(0, 5, 12)
    loss_c, d_c = softmax_cross_entropy(np.ascontiguousarray(logits_rows.T), y)
    loss_f, d_f = softmax_cross_entropy(logits_rows.T, y)
    assert loss_f == loss_c
    np.testing.assert_array_equal(d_f, d_c)
    np.testing.assert_allclose(d_c.sum(axis=0), 0.0, atol=1e-15)  # each column: softmax minus one-hot
