"""Expected values of the LSTM-over-text8 exercises: the single place they are written down.

The notebook's "Expected output" cells print them with `show_expected(...)` and its visible
graded tests compare against them. The `*_case()` functions rebuild the exact inputs the values
were computed from (float64, numpy Generators seeded where they are created).

This file is the single hand-maintained copy; the build copies it into the assignment folder.
"""

import numpy as np

# -----------------------------------------------------------------------------
# inputs

BATCH_TEXT = "numpy has no sessions so every step runs at once"  # 48 characters
BATCH_SIZE, NUM_UNROLLINGS = 4, 5
SAMPLE_DIST = [0.1, 0.2, 0.3, 0.4]
SAMPLE_DIST_SEED = 42
BIGRAM_TEXT = "the cat"
MIRROR_SENTENCE = "the quick brown fox"
S2S_WORDS, S2S_MAX_LEN = ["the", "fox", "a"], 4


def logprob_case():
    """(predictions (6, 27) rows summing to 1, one-hot labels (6, 27)), seed 10."""
    rng = np.random.default_rng(10)
    z = rng.normal(size=(6, 27))
    predictions = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = np.zeros((6, 27))
    labels[np.arange(6), rng.integers(0, 27, 6)] = 1.0
    return predictions, labels


def lstm_cell_case():
    """(x (2, 5), h_prev (2, 3), c_prev (2, 3), params of the four-matrix cell), seed 1."""
    rng = np.random.default_rng(1)
    n_x, n_a, m = 5, 3, 2
    params = {}
    for gate in ("i", "f", "c", "o"):
        params[gate + "x"] = rng.normal(0, 0.5, (n_x, n_a))
        params[gate + "m"] = rng.normal(0, 0.5, (n_a, n_a))
        params[gate + "b"] = rng.normal(0, 0.5, (1, n_a))
    x, h_prev, c_prev = rng.normal(size=(m, n_x)), rng.normal(size=(m, n_a)), rng.normal(size=(m, n_a))
    return x, h_prev, c_prev, params


def clip_case():
    """A dict of three gradients whose global norm is above 1.25, seed 2."""
    rng = np.random.default_rng(2)
    return {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=(1, 4)), "ix": rng.normal(size=(2, 3))}


def train_step_case():
    """
    (params, steps, state) for three training steps on BATCH_TEXT: 8 units, batch 4, 3 unrollings.

    params -- the 14 parameters of the model (float64, seed 3); steps -- a list of 3 lists of
    4 one-hot batches (4, 27), each starting with the last batch of the one before, as
    BatchGenerator.next returns them; state -- zero (h, c), each (4, 8).
    """
    rng = np.random.default_rng(3)
    n_x, n_a, m, T = 27, 8, 4, 3
    params = {}
    for gate in ("i", "f", "c", "o"):
        params[gate + "x"] = rng.normal(0, 0.1, (n_x, n_a))
        params[gate + "m"] = rng.normal(0, 0.1, (n_a, n_a))
        params[gate + "b"] = np.zeros((1, n_a))
    params["w"] = rng.normal(0, 0.1, (n_a, n_x))
    params["b"] = np.zeros((1, n_x))
    ids = [0 if ch == " " else ord(ch) - ord("a") + 1 for ch in BATCH_TEXT]
    segment = len(ids) // m
    steps = []
    for s in range(3):
        batches = []
        for u in range(T + 1):
            batch = np.zeros((m, n_x))
            for row in range(m):
                batch[row, ids[(row * segment + s * T + u) % len(ids)]] = 1.0
            batches.append(batch)
        steps.append(batches)
    return params, steps, (np.zeros((m, n_a)), np.zeros((m, n_a)))


TRAIN_STEP_LR = 2.0

SENTENCE_SYMBOLS, SENTENCE_GO, SENTENCE_END = 29, 27, 28  # 27 characters, GO, END


def sentence_params(n_a, seed, end_bias=0.0, dtype=np.float64):
    """Random parameters of the whole-sentence model (29 symbols): normal(0, 0.5) weights, the
    output layer normal(0, 1); end_bias is added to the END symbol's output bias."""
    rng = np.random.default_rng(seed)
    S = SENTENCE_SYMBOLS
    params = {}
    for side in ("e", "d"):
        params[side + "Wx"] = rng.normal(0, 0.5, (4 * n_a, S))
        params[side + "Wh"] = rng.normal(0, 0.5, (4 * n_a, n_a))
        params[side + "b"] = rng.normal(0, 0.5, (4 * n_a, 1))
    params["Wy"] = rng.normal(0, 1.0, (S, 2 * n_a))
    params["by"] = rng.normal(0, 1.0, (S, 1))
    params["by"][SENTENCE_END] += end_bias
    return {k: v.astype(dtype) for k, v in params.items()}


def sentence_case():
    """The encoder example: n_a = 4 (seed 21), 'the fox' and 'a cat' right-aligned in 8 symbols."""
    enc = np.array([[0, 20, 8, 5, 0, 6, 15, 24], [0, 0, 0, 1, 0, 3, 1, 20]], dtype=np.int64)
    return sentence_params(4, 21), enc


def greedy_case():
    """The decoder example: n_a = 5 (seed 22), random encoder states of 3 sentences of 6 symbols
    (seed 23), at most 9 symbols written."""
    params = sentence_params(5, 22, end_bias=END_BIAS)
    rng = np.random.default_rng(23)
    enc_states = np.tanh(rng.normal(0, 1.0, (5, 6, 3)))
    state = (np.tanh(rng.normal(0, 1.0, (5, 3))), rng.normal(0, 1.0, (5, 3)))
    return params, enc_states, state, 9


END_BIAS = 2.0  # so that the three sentences end at different steps (one never does)

# -----------------------------------------------------------------------------
# values (computed once with the reference solution; float64)

CHAR2ID = {"a": 1, "z": 26, " ": 0, "\u00ef": 0}
ID2CHAR = {1: "a", 26: "z", 0: " "}
BATCHES = [['numpy ', ' sessi', ' every', 'runs a'], [' has n', 'ions s', 'y step', 'at onc']]
LOGPROB = 4.164696172099084
LOGPROB_FLOORED = 23.025850929940457
SAMPLE_DRAWS = [3, 2, 3, 3, 0, 3, 3, 3, 1, 2, 2, 3]
LSTM_CELL_H = [
    [0.3949529917736814, -0.11887070633220598, -0.0675366673983156],
    [0.18336715989068236, -0.4244984539046156, -0.05977543233817084],
]
LSTM_CELL_C = [
    [0.7541167789731411, -1.40583374537273, -0.12175894610480725],
    [0.5033890367335334, -1.2197276282446485, -0.3039339908638567],
]
CLIP_NORM = 4.037961722950938
CLIP_W0 = [0.05852376606215482, -0.16182311688021753, -0.12786882706320796, -0.7557858240591597]
TRAIN_STEP_LOSSES = [3.2945706084319255, 3.34165891877457, 3.063327098040419]
TRAIN_STEP_W0 = [-0.08548651800653863, 0.0902226006046116, 0.09644658517446357, 0.12085981650930162]
TRAIN_STEP_H0 = [0.01837120963881755, 0.0018293980696933636, -0.05960763234451041, 0.052573088003204295]
BIGRAM_IDS = [548, 221, 135, 3, 82, 47]
MIRRORED = "eht kciuq nworb xof"
S2S_ENC = [[0, 20, 8, 5], [0, 6, 15, 24], [0, 0, 0, 1]]
S2S_DEC_IN = [[27, 5, 8, 20, 0], [27, 24, 15, 6, 0], [27, 1, 0, 0, 0]]
S2S_DEC_OUT = [[5, 8, 20, 0, 0], [24, 15, 6, 0, 0], [1, 0, 0, 0, 0]]

# encode_sentences on sentence_case(): the hidden and cell state after the last character, one row per sentence
SENTENCE_H_LAST = [
    [0.160054454284987, -0.008192668334246759, -0.41239272863593895, 0.06608041651183615],
    [0.1221993597840831, -0.06277135969624063, -0.34333491739790434, 0.08045831178782373],
]
SENTENCE_C_LAST = [
    [0.4553657402337009, -0.019532036724828145, -0.6632092328337119, 0.14016764209693877],
    [0.26108355133629585, -0.11336244742767865, -0.5520006729147567, 0.1509523947383905],
]
# greedy_decode on greedy_case(): one row per sentence, END (28) after a sentence has ended
GREEDY_OUT = [[5, 5, 5, 5, 5, 5, 5, 5, 5], [15, 28, 28, 28, 28, 28, 28, 28, 28],
              [28, 28, 28, 28, 28, 28, 28, 28, 28]]


def _rows(values, fmt="{:.10f}"):
    return "[" + ", ".join("[" + ", ".join(fmt.format(v) for v in row) + "]" for row in values) + "]"


def show_expected(exercise):
    """Print the expected output of one exercise's demo (its name, e.g. 'lstm_cell')."""
    if exercise == "char_ids":
        for ch, i in CHAR2ID.items():
            print(f"char2id({ch!r}) = {i}" + ("   (with a warning: unexpected character)" if ch not in " az" else ""))
        for i, ch in ID2CHAR.items():
            print(f"id2char({i}) = {ch!r}")
    elif exercise == "batch_generator":
        for k, strings in enumerate(BATCHES):
            print(f"call {k + 1}: {strings}")
    elif exercise == "logprob":
        print(f"logprob = {LOGPROB:.10f}")
        print(f"logprob with the true class at probability 0 = {LOGPROB_FLOORED:.10f}")
    elif exercise == "sample_distribution":
        print(f"draws = {SAMPLE_DRAWS}")
    elif exercise in ("lstm_cell", "fused_cell"):
        print(f"h = {_rows(LSTM_CELL_H)}")
        print(f"c = {_rows(LSTM_CELL_C)}")
    elif exercise == "clip_by_global_norm":
        print(f"global norm before clipping = {CLIP_NORM:.10f}")
        print("global norm after clipping = 1.2500000000")
        print(f"clipped['w'][0] = {_rows([CLIP_W0])[1:-1]}")
    elif exercise == "train_step":
        print("losses = [" + ", ".join(f"{v:.10f}" for v in TRAIN_STEP_LOSSES) + "]")
        print(f"params['w'][0, :4] = {_rows([TRAIN_STEP_W0])[1:-1]}")
        print(f"h[0, :4] = {_rows([TRAIN_STEP_H0])[1:-1]}")
    elif exercise == "embedding":
        print(f"bigram_ids({BIGRAM_TEXT!r}) = {BIGRAM_IDS}")
        print("embedding_lookup matches one-hot @ embeddings: True")
    elif exercise == "encode_sentences":
        print(f"h after the last character = {_rows(SENTENCE_H_LAST)}")
        print(f"c after the last character = {_rows(SENTENCE_C_LAST)}")
    elif exercise == "greedy_decode":
        print(f"out = {GREEDY_OUT}")
    elif exercise == "seq2seq_data":
        print(f"mirror_words({MIRROR_SENTENCE!r}) = {MIRRORED!r}")
        print(f"encoder inputs  = {S2S_ENC}")
        print(f"decoder inputs  = {S2S_DEC_IN}")
        print(f"decoder targets = {S2S_DEC_OUT}")
    else:
        raise ValueError(f"unknown exercise {exercise!r}")


# the notebook section that teaches each function, by its heading (the autograder's hints point there, grader/kinds.py;
# tests/grader/test_kinds.py checks every title is a heading of the notebook)
SECTIONS = {
    "char2id": "2. Exercise 1: `char2id` and `id2char` (4 points)",
    "id2char": "2. Exercise 1: `char2id` and `id2char` (4 points)",
    "BatchGenerator": "3. Exercise 2: `BatchGenerator` (6 points)",
    "logprob": "4. Exercise 3: `logprob` and perplexity (4 points)",
    "sample_distribution": "5. Exercise 4: `sample_distribution` (4 points)",
    "lstm_cell": "7. Exercise 5: `lstm_cell` (6 points)",
    "clip_by_global_norm": "8. Exercise 6: `clip_by_global_norm` (4 points)",
    "train_step": "10. Exercise 7: `train_step` (8 points)",
    "fuse_params": "12. Problem 1: one matrix multiply per input (6 points)",
    "fused_lstm_cell": "12. Problem 1: one matrix multiply per input (6 points)",
    "embedding_lookup": "13. Problem 2: embeddings, bigrams and dropout (8 points)",
    "bigram_ids": "13. Problem 2: embeddings, bigrams and dropout (8 points)",
    "dropout": "13. Problem 2: embeddings, bigrams and dropout (8 points)",
    "mirror_words": "14. Problem 3: a sequence-to-sequence model that mirrors words (12 points)",
    "seq2seq_arrays": "14. Problem 3: a sequence-to-sequence model that mirrors words (12 points)",
    "encode_sentences": "Problem 3, as asked: whole sentences",
    "greedy_decode": "Problem 3, as asked: whole sentences",
}
