"""Unit tests of utils/rnn_utils.py, the helpers of the Dinosaur Island assignment."""

import os

import numpy as np
import pytest

from utils import rnn_utils as ru

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DINOS = os.path.join(ROOT, "data", "dinos.txt")


def rel_error(x, y):
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def random_parameters(n_a, vocab_size, seed, scale=0.5):
    rng = np.random.RandomState(seed)
    return {
        "Wax": rng.standard_normal((n_a, vocab_size)) * scale,
        "Waa": rng.standard_normal((n_a, n_a)) * scale,
        "Wya": rng.standard_normal((vocab_size, n_a)) * scale,
        "b": rng.standard_normal((n_a, 1)) * scale,
        "by": rng.standard_normal((vocab_size, 1)) * scale,
    }


# --- data -------------------------------------------------------------------------------------


def test_dinos_facts():
    data, char_to_ix, ix_to_char = ru.load_dinos(DINOS)
    names = data.split("\n")
    assert len(names) == 1536
    assert len(char_to_ix) == 27 and ix_to_char[0] == "\n" and ix_to_char[1] == "a" and ix_to_char[26] == "z"
    assert round(np.mean([len(n) for n in names]), 2) == 11.96
    assert max(len(n) for n in names) == 26
    assert not data.endswith("\n")


def test_load_dinos_missing_file(tmp_path):
    with pytest.raises(ru.DataError, match="cannot find the names file"):
        ru.load_dinos(str(tmp_path / "nope.txt"))


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_load_dinos_empty_file(tmp_path, content):
    path = tmp_path / "dinos.txt"
    path.write_text(content)
    with pytest.raises(ru.DataError, match="is empty"):
        ru.load_dinos(str(path))


def test_load_dinos_characters_outside_vocabulary(tmp_path):
    path = tmp_path / "dinos.txt"
    path.write_text("Aachenosaurus\nT-rex\nvelociraptor 2\n", encoding="utf-8")
    with pytest.raises(ru.DataError) as info:
        ru.load_dinos(str(path))
    message = str(info.value)
    assert "' '" in message and "'-'" in message and "'2'" in message and "line 2" in message


def test_data_error_renders_as_one_line_in_ipython():
    lines = ru.DataError("the names file 'x' is empty")._render_traceback_()
    assert lines == ["DataError: the names file 'x' is empty"]


# --- small helpers ----------------------------------------------------------------------------


def test_softmax_sums_to_one_and_survives_large_scores():
    p = ru.softmax(np.array([[1000.0], [1001.0], [999.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=0), [1.0])
    np.testing.assert_allclose(p.ravel(), np.exp([1.0, 2.0, 0.0]) / np.exp([1.0, 2.0, 0.0]).sum())


def test_smooth_and_initial_loss():
    assert ru.smooth(10.0, 20.0) == pytest.approx(10.01)
    assert ru.get_initial_loss(27, 7) == pytest.approx(7 * np.log(27))


def test_get_sample_capitalises_and_print_sample_drops_newline(capsys):
    _, _, ix_to_char = ru.load_dinos(DINOS)
    assert ru.get_sample([20, 18, 5, 24, 0], ix_to_char) == "Trex\n"
    ru.print_sample([20, 18, 5, 24, 0], ix_to_char)
    assert capsys.readouterr().out == "Trex\n"


def test_initialize_parameters_is_seeded_and_shaped():
    p = ru.initialize_parameters(50, 27, 27)
    assert {k: v.shape for k, v in p.items()} == {
        "Wax": (50, 27), "Waa": (50, 50), "Wya": (27, 50), "b": (50, 1), "by": (27, 1)}
    np.random.seed(1)
    np.testing.assert_array_equal(p["Wax"], np.random.randn(50, 27) * 0.01)  # drawn first
    assert not p["b"].any() and not p["by"].any()
    np.testing.assert_array_equal(ru.initialize_parameters(50, 27, 27)["Waa"], p["Waa"])


def test_update_parameters_in_place():
    p = random_parameters(4, 5, 0)
    before = {k: v.copy() for k, v in p.items()}
    g = {"d" + k: np.ones_like(v) for k, v in p.items()}
    out = ru.update_parameters(p, g, 0.1)
    assert out is p
    for k in before:
        np.testing.assert_allclose(p[k], before[k] - 0.1)


# --- forward and backward ---------------------------------------------------------------------


def test_rnn_step_forward_shapes_and_probabilities():
    p = random_parameters(6, 5, 1)
    x = np.zeros((5, 1))
    x[2] = 1
    a_next, p_t = ru.rnn_step_forward(p, np.zeros((6, 1)), x)
    assert a_next.shape == (6, 1) and p_t.shape == (5, 1)
    np.testing.assert_allclose(p_t.sum(), 1.0)
    np.testing.assert_allclose(a_next, np.tanh(p["Wax"][:, [2]] + p["b"]))


def test_rnn_forward_loss_and_none_input():
    p = random_parameters(6, 5, 2)
    X, Y = [None, 1, 3], [1, 3, 0]
    loss, (y_hat, a, x) = ru.rnn_forward(X, Y, np.zeros((6, 1)), p, vocab_size=5)
    assert not x[0].any()
    expected = -sum(np.log(y_hat[t][Y[t], 0]) for t in range(3))
    assert loss == pytest.approx(expected)
    assert set(a) == {-1, 0, 1, 2}


def test_rnn_forward_rejects_mismatched_lengths():
    p = random_parameters(3, 5, 3)
    with pytest.raises(ValueError, match="same length"):
        ru.rnn_forward([None, 1, 2], [1, 2], np.zeros((3, 1)), p, vocab_size=5)


def test_rnn_backward_gradient_check():
    """Centred differences in float64: every gradient within a relative error of 1e-7."""
    n_a, vocab_size, h = 5, 7, 1e-5
    p = random_parameters(n_a, vocab_size, 4)
    a0 = np.random.RandomState(5).standard_normal((n_a, 1)) * 0.3
    X, Y = [None, 3, 1, 6, 2], [3, 1, 6, 2, 0]
    _, cache = ru.rnn_forward(X, Y, a0, p, vocab_size)
    grads, _ = ru.rnn_backward(X, Y, p, cache)
    for name in ("Wax", "Waa", "Wya", "b", "by"):
        numeric = np.zeros_like(p[name])
        it = np.nditer(p[name], flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = p[name][i]
            p[name][i] = old + h
            plus, _ = ru.rnn_forward(X, Y, a0, p, vocab_size)
            p[name][i] = old - h
            minus, _ = ru.rnn_forward(X, Y, a0, p, vocab_size)
            p[name][i] = old
            numeric[i] = (plus - minus) / (2 * h)
        err = rel_error(numeric, grads["d" + name])
        assert err <= 1e-7, f"d{name}: relative error {err:.2e} > 1e-7"


def test_rnn_backward_detects_a_wrong_gradient():
    """The check above can fail: a gradient off by a small factor is caught."""
    p = random_parameters(4, 5, 6)
    X, Y = [None, 1, 2], [1, 2, 0]
    _, cache = ru.rnn_forward(X, Y, np.zeros((4, 1)), p, 5)
    grads, _ = ru.rnn_backward(X, Y, p, cache)
    assert rel_error(grads["dWaa"], grads["dWaa"] * 1.001) > 1e-7
