"""
The longer run of the LSTM-over-text8 assignment's whole-sentence seq2seq (Problem 3): an encoder
LSTM reads a sentence of 3 or 4 words, a decoder LSTM with dot-product attention writes it with
every word mirrored, spaces included. The model, its training step, the data and the greedy
decoding are the assignment's own (the instructor notebook's cells, solutions included); the
training loop is the notebook's train_sentences step for step (tools/pretrain_text8.py's
train_seq2seq, which `make pretrain` uses for data/text8_seq2seq.npz), so a run of N steps here
is the notebook's `train_sentences(params, sentence_pool, N)`.

Every --eval-every steps (scoring does not touch the training) it prints the share of the 300
held-out sentences (new combinations of the training words) mirrored exactly, the share of their
words mirrored exactly in place, and the same for the 100 sentences of unseen words; a checkpoint
in build/text8_seq2seq_bench/ lets --resume continue a stopped run. Exit status 1 when the final
exact-sentence share on the held-out sentences is below --bar (default 0.9).
Results: bench/text8_seq2seq_results.md.

usage:
    python bench/text8_seq2seq.py                     # 2,000 steps, the documented longer run
    python bench/text8_seq2seq.py --steps 600         # the notebook's run
"""

import argparse
import os
import sys

from text8_common import ROOT

from tools.pretrain_text8 import seq2seq_namespace, train_seq2seq

OUT = os.path.join(ROOT, "build", "text8_seq2seq_bench")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--bar", type=float, default=0.9, help="least share of held-out sentences mirrored exactly")
    ap.add_argument("--resume", action="store_true", help="continue from the checkpoint of a stopped run")
    args = ap.parse_args(argv)
    ns = seq2seq_namespace()
    print(f"{len(ns['sentence_pool']):,} training sentences, {len(ns['heldout_full'])} held-out, "
          f"{len(ns['unseen_full'])} of unseen words; {args.steps:,} steps", flush=True)
    ckpt = os.path.join(OUT, f"seq2seq_{args.steps}_every{args.eval_every}.ckpt.npz")
    if not args.resume and os.path.exists(ckpt):
        os.remove(ckpt)
    params, run = train_seq2seq(ns, args.steps, ckpt, eval_every=args.eval_every)
    print(f"\n{args.steps:,} steps: {run['seconds']:.0f} s of training")
    for s in ns["heldout_full"][:3] + ["the quick brown fox"]:
        print(f"  {s!r:<36} -> {ns['mirror_sentences'](params, [s])[0]!r}")
    exact = run["scores"][-1]["held_out_exact"]
    if exact < args.bar:
        print(f"FAIL: {exact:.1%} of held-out sentences mirrored exactly, below {args.bar:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
