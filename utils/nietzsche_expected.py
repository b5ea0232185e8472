"""Expected values of the Nietzsche exercises and the original's results: the single place they are written down.

The notebook's "Expected output" cells print them with `show_expected(...)` and its visible
graded tests compare against them, so the two can never disagree. The `*_case()` functions
rebuild the exact inputs the values were computed from; `toy_predict` is a small stand-in model
for the generation exercises. bench/nietzsche_original.py reads ORIGINAL from here too.

This file is the single hand-maintained copy; the build copies it into the assignment folder.
"""

import numpy as np

# -----------------------------------------------------------------------------
# facts of the full lower-cased corpus (spec section 4)

CORPUS = {"characters": 600_893, "symbols": 57, "3-char windows": 200_297, "8-char windows": 600_885,
          "stream length": 9_388, "stateful sequences": 75_072}

# the original's training losses by epoch (Keras, training loss only; no held-out loss was reported)
ORIGINAL = {
    "3-char": {1: 2.4007, 2: 2.0852, 3: 1.9470},
    "8-char loop": {1: 2.1838, 5: 1.4781},
    "RNN layer": {1: 2.2863, 5: 1.5102, 8: 1.4175},
    "stateful RNN": {1: 2.2509, 8: 1.4714, 11: 1.4154},
    "stateful LSTM": {1: 2.1748, 20: 1.1314, 40: 1.0108},
}
ORIGINAL_GREEDY = {"prompt": "for thos", "continuation": "for those who has not to be a conscience of the "}

# -----------------------------------------------------------------------------
# exercise cases and their expected outputs

CASE_CHARS = list("\n abcdeo")


def windows_case():
    """A short sequence whose values differ from their positions: (7 * position) % 13 for 11 positions."""
    return (np.arange(11) * 7) % 13


def stateful_case():
    """40 indices 100, 101, ..., 139 (each value is 100 + its position)."""
    return np.arange(100, 140)


def forward_case():
    """Random parameters (seed 7) and windows: vocab 11, n_embd 5, n_a 6, m 4, T_x 3; returns (X, params)."""
    rng = np.random.default_rng(7)
    V, n_e, n_a, m, T_x = 11, 5, 6, 4, 3
    params = {"We": rng.normal(0, 1.0, (n_e, V)), "Wc": rng.normal(0, 0.5, (n_a, n_e)),
              "bc": rng.normal(0, 0.5, (n_a, 1)), "Wh": rng.normal(0, 0.5, (n_a, n_a)),
              "bh": rng.normal(0, 0.5, (n_a, 1)), "Wy": rng.normal(0, 1.0, (V, n_a)), "by": rng.normal(0, 1.0, (V, 1))}
    X = rng.integers(0, V, (m, T_x))
    return X, params


def toy_predict(X):
    """A stand-in model over CASE_CHARS: the logits (8, m) depend on the last and the first character of each window."""
    X = np.asarray(X)
    V = len(CASE_CHARS)
    A = np.cos(np.arange(V)[:, None] * 1.3 + np.arange(V)[None, :] * 0.7) * 2.0  # (V, V)
    B = np.sin(np.arange(V)[:, None] * 0.9 - np.arange(V)[None, :] * 1.1)
    return A[:, X[:, -1]] + B[:, X[:, 0]]  # (V, m)


# nonoverlapping_windows(windows_case(), 3)
NONOVERLAPPING = {"X": [[0, 7, 1], [8, 2, 9], [3, 10, 4]], "Y": [8, 3, 11]}

# overlapping_windows(windows_case(), 4)
OVERLAPPING = {"X": [[0, 7, 1, 8], [7, 1, 8, 2], [1, 8, 2, 9], [8, 2, 9, 3], [2, 9, 3, 10], [9, 3, 10, 4],
                     [3, 10, 4, 11]],
               "Y": [2, 9, 3, 10, 4, 11, 5]}

# stateful_batches(stateful_case(), n_streams=3, T_x=4)
STATEFUL = {"X": [[100, 101, 102, 103], [113, 114, 115, 116], [126, 127, 128, 129],
                  [104, 105, 106, 107], [117, 118, 119, 120], [130, 131, 132, 133],
                  [108, 109, 110, 111], [121, 122, 123, 124], [134, 135, 136, 137]],
            "Y": [[101, 102, 103, 104], [114, 115, 116, 117], [127, 128, 129, 130],
                  [105, 106, 107, 108], [118, 119, 120, 121], [131, 132, 133, 134],
                  [109, 110, 111, 112], [122, 123, 124, 125], [135, 136, 137, 138]]}

# unrolled_forward(*forward_case()) in float64: the logits (11, 4) and, per step, the sums of c[t] and h[t]
FORWARD = {
    "logits": [[0.937233341381743, 1.190594007226047, 0.5950846717181444, 1.4716680983501402],
               [-2.4891956566490636, -2.1152082507930814, -3.130209120795902, -1.8188849395038715],
               [-1.376448759757637, -0.8621724139380627, -1.9353344916295698, -0.692492367736232],
               [1.5104821937672825, 2.275714259619781, 0.48924350927625887, 2.1762506846892204],
               [-2.280602164439813, -2.346752473023507, -1.3828146399688706, -2.410614458109563],
               [-0.15991937904796982, 0.9418862046364136, -0.13256658545512323, 0.21586703708899146],
               [3.2516826056930004, 3.819088946014035, 2.4361341501130376, 3.7069364549569412],
               [-3.599060717615049, -3.058454543409635, -4.007121401803174, -2.9580355091163626],
               [-3.368320835534229, -3.771890162867061, -2.5555911137198852, -3.7579606475147918],
               [-0.20498578921083677, -0.1487188884563171, 0.544629812618094, -0.5109691699951887],
               [-1.6183493171106473, -1.2622136186840474, -1.8681586651865956, -1.3164178432186397]],
    "c sums": [10.280930423241852, 9.121127125134695, 2.6621425421042844],
    "h sums": [-2.1437004493303835, 1.5236469715574588, -1.703628401847169],
}

# get_next_char(toy_predict, "abcab", CASE_CHARS, 3, ...): greedy, then 8 calls sharing default_rng(0)
NEXT_CHAR = {"greedy": "o",
             "T=1.0": ["o", "b", "\n", "\n", "o", "o", "e", "o"],
             "T=0.5": ["o", "b", "a", "\n", "o", "o", "o", "o"]}

# get_next_n_chars(toy_predict, "a cab", CASE_CHARS, 3, 16, temperature, seed=3)
NEXT_N = {"greedy": "a caboeeabbbbbbbbbbbb",
          "T=1.0": "a cab\nco \ncbacacododo",
          "T=0.5": "a cabbbcodoa\ndabbbcoe"}


def show_expected(exercise):
    """Print the expected output of one exercise (the name of the function)."""
    if exercise == "nonoverlapping_windows":
        print("X =", NONOVERLAPPING["X"])
        print("Y =", NONOVERLAPPING["Y"])
        print(f"full corpus: X {(CORPUS['3-char windows'], 3)}, Y {(CORPUS['3-char windows'],)}")
    elif exercise == "overlapping_windows":
        print("X =", OVERLAPPING["X"])
        print("Y =", OVERLAPPING["Y"])
        print(f"full corpus: X {(CORPUS['8-char windows'], 8)}, Y {(CORPUS['8-char windows'],)}")
    elif exercise == "stateful_batches":
        print("X =", STATEFUL["X"])
        print("Y =", STATEFUL["Y"])
        print(f"full corpus: X {(CORPUS['stateful sequences'], 8)}, Y {(CORPUS['stateful sequences'], 8)}")
    elif exercise == "unrolled_forward":
        print("logits[:, 0] =", [round(v[0], 8) for v in FORWARD["logits"]])
        print("sum of c[t] per step =", [round(v, 8) for v in FORWARD["c sums"]])
        print("sum of h[t] per step =", [round(v, 8) for v in FORWARD["h sums"]])
    elif exercise == "get_next_char":
        for key, value in NEXT_CHAR.items():
            print(f"{key}: {value!r}")
    elif exercise == "get_next_n_chars":
        for key, value in NEXT_N.items():
            print(f"{key}: {value!r}")
    else:
        raise ValueError(f"unknown exercise {exercise!r}")


# the notebook section that teaches each function, by its heading (the autograder's hints point there, grader/kinds.py;
# tests/grader/test_kinds.py checks every title is a heading of the notebook)
SECTIONS = {
    "nonoverlapping_windows": "3. Exercise 1: `nonoverlapping_windows` (4 points)",
    "unrolled_forward": "4. Exercise 2: `unrolled_forward` (8 points)",
    "get_next_char": "5. Exercise 3: `get_next_char` (6 points)",
    "overlapping_windows": "7. Exercise 4: `overlapping_windows` (4 points)",
    "get_next_n_chars": "9. Exercise 5: `get_next_n_chars` (4 points)",
    "stateful_batches": "11. Exercise 6: `stateful_batches` (6 points)",
}
