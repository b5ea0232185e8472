"""Expected values of the Dinosaur Island exercises: the single place they are written down.

The notebook's "Expected output" cells print them with `show_expected(...)` and its visible
graded tests compare against them, so the two can never disagree. The `*_case()` functions
rebuild the exact inputs the values were computed from.

`show_expected` prints numbers the way Python prints them for a correct solution (`10.0`,
`8.45833407057182`), not as the original course wrote them (`10.`, `8.45833407`): it computes
them from the `*_case()` inputs with the given helpers (`rnn_utils`), checks each against the
documented value to the digits written here, and prints it as the demo cell under it does.

This file is the single hand-maintained copy; the build copies it into the assignment folder.
"""

import numpy as np

# Values are written as the original course prints them; tests check them to those digits.

# clip(gradients, 10) on clip_case(): {gradient name: (index, value)}
CLIP = {
    "dWaa": ((1, 2), "10.0"),
    "dWax": ((3, 1), "-10.0"),
    "dWya": ((1, 2), "0.29713815361"),
    "db": ((4, 0), "10."),
    "dby": ((1, 0), "8.45833407"),
}

# sample(*sample_case(), seed=0). The original course documents this list. With weights this
# large the tanh units saturate, and the last indices depend on float rounding inside the
# matrix products (numpy and BLAS builds differ), so only the first 43 are portable.
SAMPLE_DOCUMENTED = [12, 17, 24, 14, 13, 9, 10, 22, 24, 6, 13, 11, 12, 6, 21, 15, 21, 14, 3, 2, 1, 21, 18, 24, 7,
                     25, 6, 25, 18, 10, 16, 2, 3, 8, 15, 12, 11, 7, 1, 12, 10, 2, 7, 7, 11, 5, 6, 12, 25, 0, 0]
SAMPLE_PORTABLE_PREFIX = 43
# what numpy 2.4.6 with its bundled OpenBLAS gives here (the course's pinned build)
SAMPLE_PINNED = SAMPLE_DOCUMENTED[:43] + [3, 11, 2, 6, 12, 13, 15, 0]

# optimize(X, Y, a_prev, parameters, 0.01) on optimize_case()
OPTIMIZE = {
    "loss": "126.503975722",
    "dWaa[1][2]": "0.194709315347",
    "argmax(dWax)": 93,
    "dWya[1][2]": "-0.007773876032",
    "db[4]": ["-0.06809825"],
    "dby[1]": ["0.01538192"],
    "a_last[4]": ["-1."],
}

# model(...) training log on the shuffled dinosaur names: iteration -> (smoothed loss, 7 names)
MODEL_LOG = {
    0: ("23.087336", ["Nkzxwtdmfqoeyhsqwasjkjvu", "Kneb", "Kzxwtdmfqoeyhsqwasjkjvu", "Neb",
                    "Zxwtdmfqoeyhsqwasjkjvu", "Eb", "Xwtdmfqoeyhsqwasjkjvu"]),
    2000: ("27.884160", ["Liusskeomnolxeros", "Hmdaairus", "Hytroligoraurus", "Lecalosapaus",
                       "Xusicikoraurus", "Abalpsamantisaurus", "Tpraneronxeros"]),
    4000: ("25.901815", ["Mivrosaurus", "Inee", "Ivtroplisaurus", "Mbaaisaurus", "Wusichisaurus",
                       "Cabaselachus", "Toraperlethosdarenitochusthiamamumamaon"]),
}


def clip_case():
    """Gradients drawn with seed 3, all with entries far outside [-10, 10]."""
    np.random.seed(3)
    dWax = np.random.randn(5, 3) * 10
    dWaa = np.random.randn(5, 5) * 10
    dWya = np.random.randn(2, 5) * 10
    db = np.random.randn(5, 1) * 10
    dby = np.random.randn(2, 1) * 10
    return {"dWax": dWax, "dWaa": dWaa, "dWya": dWya, "db": db, "dby": dby}


def sample_case():
    """Large random parameters (seed 2, n_a = 100) and the vocabulary; returns (parameters, char_to_ix)."""
    np.random.seed(2)
    n_a = 100
    Wax, Waa, Wya = np.random.randn(n_a, 27), np.random.randn(n_a, n_a), np.random.randn(27, n_a)
    b, by = np.random.randn(n_a, 1), np.random.randn(27, 1)
    char_to_ix = {ch: i for i, ch in enumerate("\nabcdefghijklmnopqrstuvwxyz")}
    return {"Wax": Wax, "Waa": Waa, "Wya": Wya, "b": b, "by": by}, char_to_ix


def optimize_case():
    """Inputs of the optimize example (seed 1): returns (X, Y, a_prev, parameters)."""
    np.random.seed(1)
    n_a = 100
    a_prev = np.random.randn(n_a, 1)
    Wax, Waa, Wya = np.random.randn(n_a, 27), np.random.randn(n_a, n_a), np.random.randn(27, n_a)
    b, by = np.random.randn(n_a, 1), np.random.randn(27, 1)
    parameters = {"Wax": Wax, "Waa": Waa, "Wya": Wya, "b": b, "by": by}
    X = [12, 3, 5, 11, 22, 3]
    Y = [4, 14, 11, 22, 25, 26]
    return X, Y, a_prev, parameters


def format_model_log(iteration):
    """The lines model() prints at a checkpoint, as the original course prints them."""
    loss, names = MODEL_LOG[iteration]
    return f"Iteration: {iteration}, Loss: {loss}\n\n" + "\n".join(names) + "\n\n\n"


def _rnn_utils():
    """The given helpers: beside this file in an assignment folder, in utils/ in the repository."""
    try:
        import rnn_utils
    except ImportError:
        from utils import rnn_utils
    return rnn_utils


def _agrees(value, documented):
    """True when `value` rounds to `documented` (decimal text, or a list of them) in its last written digit."""
    texts = documented if isinstance(documented, list) else [documented]
    decimals = max(len(t.split(".")[1]) if "." in t else 0 for t in texts)
    wanted = np.array([float(t) for t in texts])
    return bool(np.all(np.abs(np.ravel(value) - wanted) <= 0.5 * 10.0 ** -decimals + 1e-12))


def _checked(name, value, documented):
    if not _agrees(value, documented):
        raise AssertionError(f"dinosaur_expected: {name} computes to {value}, not the documented {documented}")
    return value


def clip_printed():
    """{name: (index, value)}: the entries of CLIP as a correct clip(clip_case(), 10) gives them."""
    gradients = clip_case()
    out = {}
    for name, (index, documented) in CLIP.items():
        value = np.minimum(np.maximum(gradients[name], -10), 10)[index]
        out[name] = (index, _checked(f"{name}{list(index)}", value, documented))
    return out


def optimize_printed():
    """{label: value}: the entries of OPTIMIZE as a correct optimize(*optimize_case(), 0.01) returns them."""
    h = _rnn_utils()
    X, Y, a_prev, parameters = optimize_case()
    loss, cache = h.rnn_forward(X, Y, a_prev, parameters)
    gradients, a = h.rnn_backward(X, Y, parameters, cache)
    gradients = {k: np.minimum(np.maximum(g, -5), 5) for k, g in gradients.items()}
    values = {"loss": loss, "dWaa[1][2]": gradients["dWaa"][1][2], "argmax(dWax)": np.argmax(gradients["dWax"]),
              "dWya[1][2]": gradients["dWya"][1][2], "db[4]": gradients["db"][4], "dby[1]": gradients["dby"][1],
              "a_last[4]": a[len(X) - 1][4]}
    out = {}
    for name, documented in OPTIMIZE.items():
        if isinstance(documented, int):
            if int(values[name]) != documented:
                raise AssertionError(f"dinosaur_expected: {name} computes to {values[name]}, not {documented}")
            out[name] = values[name]
        else:
            out[name] = _checked(name, values[name], documented)
    return out


def show_expected(exercise):
    """Print the expected output of one exercise: 'clip', 'sample', 'optimize' or 'model'.

    Numbers are printed as the demo cell under the expected output prints a correct solution's.
    """
    if exercise == "clip":
        for name, (index, value) in clip_printed().items():
            print(f"{name}{list(index)} = {value}")
    elif exercise == "sample":
        print(f"list of indices, ending with the newline index 0; the first {SAMPLE_PORTABLE_PREFIX} are")
        print(SAMPLE_DOCUMENTED[:SAMPLE_PORTABLE_PREFIX])
        print("documented tail:     ", SAMPLE_DOCUMENTED[SAMPLE_PORTABLE_PREFIX:])
        print("tail on our pinned numpy 2.4.6:", SAMPLE_PINNED[SAMPLE_PORTABLE_PREFIX:])
    elif exercise == "optimize":
        for name, value in optimize_printed().items():
            print(f"{name} = {value}")
    elif exercise == "model":
        for iteration in MODEL_LOG:
            print(format_model_log(iteration), end="")
    else:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of clip, sample, optimize, model")


# the notebook section that teaches each function, by its heading (the autograder's hints point there, grader/kinds.py;
# tests/grader/test_kinds.py checks every title is a heading of the notebook)
SECTIONS = {
    "clip": "3. Exercise 1: `clip` (4 points)",
    "sample": "4. Exercise 2: `sample` (6 points)",
    "optimize": "5. Exercise 3: `optimize` (6 points)",
    "model": "6. Exercise 4: `model` (8 points)",
}
