"""
Unit tests of the text8 assignment's whole-sentence seq2seq (Problem 3), whose code lives in the
instructor notebook's cells (run here through bench/text8_common.py, solutions included): a
centred-difference gradient check in float64 of sentence_loss_and_grads (encoder LSTM, decoder
LSTM, dot-product attention, output layer; relative error of each gradient <= 1e-7), and the solutions of
encode_sentences and greedy_decode against the vectorised toolkit and the training-time decoder.
"""

import os
import sys

import numpy as np
import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, ROOT)
from text8_common import load_assignment  # noqa: E402

CELLS = ("s2s_sentence_helpers", "encode_sentences", "greedy_decode")


@pytest.fixture(scope="module")
def ns():
    return load_assignment(extra_cells=CELLS, MAX_LEN=7)


def rel_error(a, b):
    """Relative error of a whole gradient, ||a - b|| / ||a + b||: the loss is a mean over few predictions,
    so some entries are ~1e-5 and their own centred differences carry rounding of ~1e-7 relative."""
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a + b)))


def test_sentence_loss_gradcheck(ns):
    params = ns["init_sentence_params"](n_a=3, seed=2, dtype=np.float64)
    rng = np.random.default_rng(3)
    for k in params:  # move away from the symmetric start (zero biases, tiny weights)
        params[k] += rng.normal(0, 0.3, params[k].shape)
    enc, dec_in, dec_out = ns["sentence_arrays"](["ab c", "dd"], enc_len=5)
    _, grads = ns["sentence_loss_and_grads"](params, enc, dec_in, dec_out)
    h = 1e-5
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            plus, _ = ns["sentence_loss_and_grads"](params, enc, dec_in, dec_out)
            p[i] = old - h
            minus, _ = ns["sentence_loss_and_grads"](params, enc, dec_in, dec_out)
            p[i] = old
            numeric[i] = (plus - minus) / (2 * h)
        assert rel_error(grads[name], numeric) < 1e-7, name


def test_encoder_and_decoder_match_the_training_model(ns):
    params = ns["init_sentence_params"](n_a=6, seed=4, dtype=np.float64)
    sentences = ["the fox", "a cat ran", "no"]
    enc, dec_in, dec_out = ns["sentence_arrays"](sentences, enc_len=10)
    states, (h, c) = ns["encode_sentences"](params, enc)
    zero = np.zeros((6, 3))
    ref, (ref_h, ref_c), _ = ns["lstm_forward"](ns["one_hot"](enc.T, ns["S_SYMBOLS"], np.float64), zero, zero,
                                                params["eWx"], params["eWh"], params["eb"])
    np.testing.assert_allclose(states, ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, ref_c, rtol=1e-12, atol=1e-14)
    # decoder_step, fed the training inputs, gives the training loss's logits step by step
    loss, _ = ns["sentence_loss_and_grads"](params, enc, dec_in, dec_out)
    total, hd, cd = 0.0, h, c
    for t in range(dec_in.shape[1]):
        logits, hd, cd = ns["decoder_step"](params, dec_in[:, t], hd, cd, states)
        z = logits - logits.max(axis=0)
        total -= np.sum((z - np.log(np.exp(z).sum(axis=0)))[dec_out[:, t], np.arange(3)])
    assert abs(total / dec_out.size - loss) < 1e-12
    out = ns["greedy_decode"](params, states, (h, c), 11)
    assert out.shape == (3, 11) and out.dtype.kind == "i"
