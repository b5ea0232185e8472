"""
Problem 1 of the LSTM-over-text8 assignment: the fused cell (one matrix product per input, 4x
wider weights) against the four-matrix cell (eight products per step).

1. Agreement: both cells on random float64 inputs of several sizes; the largest relative
   difference must be below 1e-12 (exit status 1 otherwise).
2. Speed: seconds per cell step on the training shapes (batch 64 one-hot characters, 64 units,
   float32) and two larger ones, one BLAS thread; the two cells alternate over --rounds rounds and
   the median is reported with the speed-up.

The cells are the assignment's own (bench/text8_common.py executes the instructor notebook's cells).

usage: python bench/text8_fused_cell.py [--rounds 7] [--steps 2000]
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, one BLAS thread
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from text8_common import load_assignment  # noqa: E402

SIZES = [("training shapes", 64, 27, 64), ("batch 64, 256 units", 64, 27, 256), ("batch 256, 128 units", 256, 27, 128)]


def agreement(ns):
    """Largest relative difference between the two cells over a few random float64 cases."""
    worst = 0.0
    rng = np.random.default_rng(0)
    for m, n_x, n_a in [(64, 27, 64), (5, 3, 7), (32, 27, 256)]:
        params = {k: v + rng.normal(0, 0.3, v.shape) for k, v in ns["init_params"](n_a, n_x=n_x, seed=1).items()}
        x, h, c = rng.normal(size=(m, n_x)), rng.normal(size=(m, n_a)), rng.normal(size=(m, n_a))
        h4, c4 = ns["lstm_cell"](x, h, c, params)
        hf, cf = ns["fused_lstm_cell"](x, h, c, ns["fuse_params"](params))
        for a, b in ((h4, hf), (c4, cf)):
            worst = max(worst, float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300))))
    return worst


def per_step(cell, weights, m, n_x, n_a, steps):
    rng = np.random.default_rng(0)
    xs = np.eye(n_x, dtype=np.float32)[rng.integers(0, n_x, (16, m))]  # 16 one-hot batches
    h = c = np.zeros((m, n_a), np.float32)
    t0 = time.perf_counter()
    for t in range(steps):
        h, c = cell(xs[t % 16], h, c, weights)
    return (time.perf_counter() - t0) / steps


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args(argv)
    ns = load_assignment()
    worst = agreement(ns)
    print(f"largest relative difference fused vs four-matrix (float64): {worst:.2e} (bar 1e-12)")
    for name, m, n_x, n_a in SIZES:
        params = ns["init_params"](n_a, n_x=n_x, dtype=np.float32)
        fused = ns["fuse_params"](params)
        four, one = [], []
        for _ in range(args.rounds):
            four.append(per_step(ns["lstm_cell"], params, m, n_x, n_a, args.steps))
            one.append(per_step(ns["fused_lstm_cell"], fused, m, n_x, n_a, args.steps))
        t4, t1 = float(np.median(four)), float(np.median(one))
        print(f"{name:<22} four-matrix {t4 * 1e6:7.1f} us/step   fused {t1 * 1e6:7.1f} us/step   "
              f"speed-up x{t4 / t1:.2f}")
    return 0 if worst < 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
