"""
Dinosaur Island: time the course's training run against a faithful per-example reference.

"Ours" is the instructor solution of source/dinosaur_island (clip, sample, optimize, model as the
learner writes them) on top of utils/rnn_utils.py. The reference below is a plain, line-by-line
numpy implementation of the same algorithm: one example per step, dicts of column vectors, one-hot
inputs built at every step, the same float operations in the same order. Both train 35,000
iterations on the shuffled names, in the same process, alternately, and must end with the same
parameters bit for bit (so the comparison is of speed only). Prints both times and the ratio.

usage: python bench/dinosaur_training.py [--iterations 35000] [--repeats 2]
"""

import argparse
import contextlib
import io
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from course import notebooks  # noqa: E402
from utils import rnn_utils  # noqa: E402

# -----------------------------------------------------------------------------
# the reference: a self-contained per-example implementation


def ref_softmax(x):
    e_x = np.exp(x - np.max(x))
    return e_x / e_x.sum(axis=0)


def ref_train(names, num_iterations, n_a=50, vocab_size=27, dino_names=7):
    np.random.seed(1)
    p = {"Wax": np.random.randn(n_a, vocab_size) * 0.01, "Waa": np.random.randn(n_a, n_a) * 0.01,
         "Wya": np.random.randn(vocab_size, n_a) * 0.01, "b": np.zeros((n_a, 1)), "by": np.zeros((vocab_size, 1))}
    char_to_ix = {ch: i for i, ch in enumerate("\nabcdefghijklmnopqrstuvwxyz")}
    loss = -np.log(1.0 / vocab_size) * dino_names
    examples = [x.strip() for x in names]
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    for j in range(num_iterations):
        X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
        Y = X[1:] + [char_to_ix["\n"]]
        # forward
        xs, hs, ps = {}, {-1: np.copy(a_prev)}, {}
        cur = 0
        for t in range(len(X)):
            xs[t] = np.zeros((vocab_size, 1))
            if X[t] is not None:
                xs[t][X[t]] = 1
            hs[t] = np.tanh(np.dot(p["Wax"], xs[t]) + np.dot(p["Waa"], hs[t - 1]) + p["b"])
            ps[t] = ref_softmax(np.dot(p["Wya"], hs[t]) + p["by"])
            cur -= np.log(ps[t][Y[t], 0])
        # backward
        g = {k: np.zeros_like(p[k[1:]]) for k in ("dWax", "dWaa", "dWya", "db", "dby")}
        dh_next = np.zeros_like(hs[0])
        for t in reversed(range(len(X))):
            dy = np.copy(ps[t])
            dy[Y[t]] -= 1
            g["dWya"] += np.dot(dy, hs[t].T)
            g["dby"] += dy
            dh = np.dot(p["Wya"].T, dy) + dh_next
            draw = (1 - hs[t] * hs[t]) * dh
            g["db"] += draw
            g["dWax"] += np.dot(draw, xs[t].T)
            g["dWaa"] += np.dot(draw, hs[t - 1].T)
            dh_next = np.dot(p["Waa"].T, draw)
        for k in g:
            np.clip(g[k], -5, 5, out=g[k])
        for k in ("Wax", "Waa", "Wya", "b", "by"):
            p[k] += -0.01 * g["d" + k]
        a_prev = hs[len(X) - 1]
        loss = loss * 0.999 + cur * 0.001
    return p, loss


# -----------------------------------------------------------------------------
# ours: the instructor solution from the notebook


def load_solution():
    """Execute the notebook's solution cells (markers stripped) next to the helpers."""
    nb = notebooks.read(os.path.join(ROOT, "source", "dinosaur_island", "dinosaur_island.ipynb"))
    namespace = {"np": np}
    namespace.update({k: getattr(rnn_utils, k) for k in rnn_utils.__all__})
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            exec(notebooks.strip_markers(cell.source), namespace)
    return namespace["model"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    ap.add_argument("--iterations", type=int, default=35000)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    data, char_to_ix, ix_to_char = rnn_utils.load_dinos(os.path.join(ROOT, "data", "dinos.txt"))
    names = data.split("\n")
    model = load_solution()
    times = {"reference": [], "ours": []}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ref_params, _ = ref_train(names, args.iterations)
        times["reference"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            our_params, _ = model(names, ix_to_char, char_to_ix, num_iterations=args.iterations)
        times["ours"].append(time.perf_counter() - t0)
        for k in ref_params:
            if not np.array_equal(ref_params[k], our_params[k]):
                raise SystemExit(f"the two runs disagree on {k}: not the same algorithm")
    ref, ours = min(times["reference"]), min(times["ours"])
    print(f"numpy {np.__version__}, {args.iterations:,} iterations, best of {args.repeats}")
    print(f"reference (per-example numpy): {ref:7.2f} s")
    print(f"ours (solution + utils):       {ours:7.2f} s  (includes sampling 7 names every 2,000 iterations)")
    print(f"ratio ours / reference: {ours / ref:.3f}  (bar: <= 1.1)")


if __name__ == "__main__":
    main()
