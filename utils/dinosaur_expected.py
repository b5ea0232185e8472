"""Expected values of the Dinosaur Island exercises: the single place they are written down.

The notebook's "Expected output" cells print them with `show_expected(...)` and its visible
graded tests compare against them, so the two can never disagree. The `*_case()` functions
rebuild the exact inputs the values were computed from.

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


def show_expected(exercise):
    """Print the expected output of one exercise: 'clip', 'sample', 'optimize' or 'model'."""
    if exercise == "clip":
        for name, (index, value) in CLIP.items():
            print(f"{name}{list(index)} = {value}")
    elif exercise == "sample":
        print(f"list of indices, ending with the newline index 0; the first {SAMPLE_PORTABLE_PREFIX} are")
        print(SAMPLE_DOCUMENTED[:SAMPLE_PORTABLE_PREFIX])
        print("documented tail:     ", SAMPLE_DOCUMENTED[SAMPLE_PORTABLE_PREFIX:])
        print("tail on our pinned numpy 2.4.6:", SAMPLE_PINNED[SAMPLE_PORTABLE_PREFIX:])
    elif exercise == "optimize":
        for name, value in OPTIMIZE.items():
            shown = "[" + ", ".join(value) + "]" if isinstance(value, list) else value
            print(f"{name} = {shown}")
    elif exercise == "model":
        for iteration in MODEL_LOG:
            print(format_model_log(iteration), end="")
    else:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of clip, sample, optimize, model")
