"""
The full training run of the LSTM-over-text8 assignment: 7,001 steps of the original recipe
(64 units, batch 64, 10 unrollings, SGD at 10 decayed x0.1 every 5,000 steps, global norm 1.25),
validation perplexity on the first 1,000 characters every 100 steps, samples every 1,000.

The model code is the assignment's own (bench/text8_common.py executes the instructor notebook's
cells). Exit status 1 when the final validation perplexity is above --bar (default 4.5; the
original reports about 4.25-4.5 on text8). Not part of `make test`: it needs the real text8.zip
(31,344,016 bytes, not shipped) and takes a few minutes.

usage:
    python bench/text8_full.py --text8 data/text8.zip
    python bench/text8_full.py --sample                # the shipped sample instead (no bar by default)
    python bench/text8_full.py --text8 data/text8.zip --steps 2001 --bar 5.5
    python bench/text8_full.py --sample --steps 1201 --init-mean 0   # a centred start instead of the original's
"""

import argparse
import os
import sys
import time

from text8_common import ROOT, load_assignment

from utils.text8 import Text8Error, load_text8_sample, load_text8_zip


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--text8", default=os.path.join(ROOT, "data", "text8.zip"), help="path to text8.zip")
    ap.add_argument("--sample", action="store_true", help="train on data/text8_sample.txt instead")
    ap.add_argument("--steps", type=int, default=7001)
    ap.add_argument("--bar", type=float, default=None, help="fail above this final validation perplexity "
                    "(default 4.5 on text8, none on the sample)")
    ap.add_argument("--print-every", type=int, default=100)
    ap.add_argument("--init-mean", type=float, default=-0.1,
                    help="mean of the initial weights: -0.1 as the original (default), 0 for a centred start")
    args = ap.parse_args(argv)
    try:
        if args.sample:
            text, name = load_text8_sample(os.path.join(ROOT, "data", "text8_sample.txt")), "sample"
        else:
            text, name = load_text8_zip(args.text8), "text8"
    except Text8Error as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    bar = args.bar if args.bar is not None else (4.5 if name == "text8" else None)
    ns = load_assignment()
    valid_text, train_text = text[:1000], text[1000:]
    print(f"{name}: {len(train_text):,} training characters, {len(valid_text):,} validation; {args.steps:,} steps")
    t0 = time.perf_counter()
    params, history = ns["train_lstm"](train_text, valid_text, args.steps, print_every=args.print_every,
                                        sample_every=1000, progress=False,
                                        init_mean=args.init_mean)
    elapsed = time.perf_counter() - t0
    final = history["valid"][-1]
    print(f"\n{args.steps:,} steps in {elapsed:.0f} s; validation perplexity: "
          + ", ".join(f"{v:.2f} @ {s}" for s, v in zip(history["step"], history["valid"]) if s % 1000 == 0))
    print(f"final validation perplexity {final:.3f}" + ("" if bar is None else f" (bar: <= {bar})"))
    if bar is not None and final > bar:
        print(f"FAIL: {final:.3f} > {bar}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
