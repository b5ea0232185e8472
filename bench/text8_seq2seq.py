"""
The longer run of the LSTM-over-text8 assignment's whole-sentence seq2seq (Problem 3): an encoder
LSTM reads a sentence of 3 or 4 words, a decoder LSTM with dot-product attention writes it with
every word mirrored, spaces included. The model, its training step, the data and the greedy
decoding are the assignment's own (the instructor notebook's cells, solutions included, executed
here through bench/text8_common.py), so nothing is a second implementation.

Trains on the 20,000 training sentences for --steps steps (the notebook runs 600) and every
--eval-every steps prints the share of the 300 held-out sentences (new combinations of the
training words) mirrored exactly, the share of their words mirrored exactly in place, and the
same for the 100 sentences of unseen words. Exit status 1 when the final exact-sentence share on
the held-out sentences is below --bar (default 0.9).

usage:
    python bench/text8_seq2seq.py                     # 2,000 steps, the documented longer run
    python bench/text8_seq2seq.py --steps 600         # the notebook's run
"""

import argparse
import os
import sys
import time

from text8_common import ROOT, load_assignment

from utils.text8 import load_text8_sample

CELLS = ("s2s_helpers", "s2s_sentence_helpers", "s2s_sentence_data", "encode_sentences", "greedy_decode")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--bar", type=float, default=0.9, help="least share of held-out sentences mirrored exactly")
    args = ap.parse_args(argv)
    text = load_text8_sample(os.path.join(ROOT, "data", "text8_sample.txt"))
    ns = load_assignment(extra_cells=CELLS, text=text)
    params = ns["init_sentence_params"](n_a=128, seed=0)
    print(f"{len(ns['sentence_pool']):,} training sentences, {len(ns['heldout_full'])} held-out, "
          f"{len(ns['unseen_full'])} of unseen words; {args.steps:,} steps", flush=True)
    # train in chunks of eval_every steps (seed per chunk) so that the scores can be printed between them
    t0, done, train_seconds = time.perf_counter(), 0, 0.0
    exact = 0.0
    while done < args.steps:
        chunk = min(args.eval_every, args.steps - done)
        t1 = time.perf_counter()
        losses = ns["train_sentences"](params, ns["sentence_pool"], chunk, seed=5 + done, report_every=0)
        train_seconds += time.perf_counter() - t1
        done += chunk
        exact, per_word = ns["sentence_scores"](params, ns["heldout_full"])
        u_exact, u_word = ns["sentence_scores"](params, ns["unseen_full"])
        print(f"step {done:5d}: loss {losses[-1]:.4f}; held-out {exact:.1%} exact, {per_word:.1%} of words; "
              f"unseen words {u_exact:.1%} exact, {u_word:.1%} of words; {time.perf_counter() - t0:.0f} s",
              flush=True)
    print(f"\n{args.steps:,} steps: {train_seconds:.0f} s of training, {time.perf_counter() - t0:.0f} s in all")
    for s in ns["heldout_full"][:3] + ["the quick brown fox"]:
        print(f"  {s!r:<36} -> {ns['mirror_sentences'](params, [s])[0]!r}")
    if exact < args.bar:
        print(f"FAIL: {exact:.1%} of held-out sentences mirrored exactly, below {args.bar:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
