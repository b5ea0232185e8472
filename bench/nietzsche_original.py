"""
The Nietzsche walk-through at the original's own settings, next to the original's losses.

Five stages (spec section 4), each at the original's batch size, epochs and learning rates:

  3char         3-char non-overlapping windows, hand-unrolled model, Adam 0.01, batch 512, 3 epochs
  8char         overlapping 8-char windows, the same model looped 8 times, Adam 0.001, batch 512, 5 epochs
  rnn           embedding -> tanh RNN(256) -> softmax, Adam 0.001, batch 512, 5 epochs, then lr 1e-4 for 3
  stateful_rnn  64 streams in 8-char pieces (batch 64: one row per stream), stateful RNN(256),
                8 epochs, then lr 1e-4 for 3
  lstm          the same data, stateful LSTM(512), 20 epochs, then lr 1e-4 for 20 more

Two kinds of data (--data):
  whole   the whole lower-cased corpus, as the original trained: the training loss is comparable
          with the original's log line for line; there is no held-out loss
  split   the first 90% for training, the held-out loss measured on the last 10% after every epoch

Keras defaults where they matter (--init keras, the default; see nietzsche.keras_init): uniform
+-0.05 embeddings, Glorot-uniform dense and input kernels (the hand-unrolled hidden layer too, a
Keras Dense layer), orthogonal recurrent kernels, zero biases (LSTM forget gate 1, Keras'
unit_forget_bias), Adam with epsilon 1e-7. --init course keeps the course's own initialisation.
Every model uses embeddings of size 42 and 256 hidden units (512 for the LSTM), float32.

The data preparation, the hand-unrolled forward pass and the generation functions are the
notebook's own solution code: they are read from the solution cells of
source/nietzsche_rnn/nietzsche_rnn.ipynb, so this script measures exactly what the course ships.
The models, the data and the training loop are tools/pretrain_nietzsche.py's, which `make pretrain`
uses to train the shipped models with the default options: this script adds the experiments'
options, the report and the result files.

Each epoch prints one line and writes a checkpoint (parameters, Adam moments, history) to
build/nietzsche_bench/<stage>_<data><tag>.ckpt.npz; --resume continues from it after a stop
(the stateful stages do not shuffle, and the stateless ones shuffle with the epoch's number as
seed, so a resumed run is the run that was not stopped). The end of a stage prints our losses
beside the original's, the parameter count and generated text, and writes
build/nietzsche_bench/<stage>_<data><tag>.json.

Usage (one stage per process is kinder to a shared machine):
    OPENBLAS_NUM_THREADS=1 python bench/nietzsche_original.py --stage 3char --data whole
    OPENBLAS_NUM_THREADS=1 python bench/nietzsche_original.py --stage lstm --data split --resume
"""

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "utils")]

from tools.pretrain import nietzsche_functions  # noqa: E402
from tools.pretrain_nietzsche import ORIGINAL, corpus, texts, train_stage  # noqa: E402

OUT = os.path.join(ROOT, "build", "nietzsche_bench")
# the bars the course sets for our training loss on the whole corpus (stage -> [(epoch, at most), ...])
BARS = {"3char": [(3, 1.95)], "8char": [(5, 1.48)], "rnn": [(5, 1.51), (8, 1.42)], "stateful_rnn": [(8, 1.47)]}


def run_stage(stage, fns, chars, train_idx, held_idx, args):
    """Train a stage (resuming from its checkpoint with --resume), print the report, write the result JSON."""
    name = f"{stage}_{args.data}{args.tag}"
    ckpt = os.path.join(OUT, f"{name}.ckpt.npz")
    if not args.resume and os.path.exists(ckpt):
        os.remove(ckpt)  # without --resume a run starts afresh
    trained = train_stage(stage, fns, chars, train_idx, held_idx, args, ckpt, name, progress=args.progress)
    history = trained.history
    result = {"stage": stage, "data": args.data, "init": args.init, "adam_eps": args.eps, "plan": trained.plan,
              "batch": trained.batch, "parameters": trained.n_params, "train": history["train"],
              "held_out": history["held_out"], "seconds": history["seconds"],
              "wall_seconds": float(sum(history["seconds"])),
              "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    gen = texts(stage, fns, chars, trained.model)
    result.update({"greedy": gen["greedy"], "sampled_t0.6": gen["sampled_t0.6_seed0"]})
    if "next_char" in gen:
        result["next_char"] = gen["next_char"]
    if "stateful_greedy_200" in gen:
        result["stateful_greedy"] = gen["stateful_greedy_200"]
        result["stateful_sampled_t0.6"] = gen["stateful_sampled_t0.6_seed0_400"]
    report(result)
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(result, f, indent=1)
    return result


def report(result):
    """Print our losses beside the original's, epoch by epoch."""
    stage = result["stage"]
    original = ORIGINAL[stage]
    print(f"\n{stage} ({result['data']}, batch {result['batch']}, {result['parameters']:,} parameters): "
          f"epoch | original train | our train | our held-out | seconds")
    for e, (tr, he, sec) in enumerate(zip(result["train"], result["held_out"], result["seconds"]), 1):
        orig = f"{original[e]:.4f}" if e in original else "   -  "
        print(f"  {e:3d} | {orig:>14} | {tr:9.4f} | {he:12.4f} | {sec:7.1f}")
    for epoch, bar in BARS.get(stage, []):
        if len(result["train"]) >= epoch:
            ok = result["train"][epoch - 1] <= bar
            print(f"  bar: train loss after epoch {epoch} <= {bar}: {'met' if ok else 'NOT met'} "
                  f"({result['train'][epoch - 1]:.4f})")
    print(f"  wall time {result['wall_seconds'] / 60:.1f} min")
    for key in ("greedy", "sampled_t0.6", "next_char", "stateful_greedy", "stateful_sampled_t0.6"):
        if key in result:
            print(f"  {key}: {result[key]!r}")
    sys.stdout.flush()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--stage", default="all", choices=["all", *ORIGINAL])
    ap.add_argument("--data", choices=["whole", "split"], default="whole",
                    help="whole: the whole corpus, as the original; split: 90%% training, 10%% held out")
    ap.add_argument("--epochs", type=int, default=None, help="override the first phase's epochs")
    ap.add_argument("--more-epochs", type=int, default=None, help="override the lr 1e-4 phase's epochs")
    ap.add_argument("--batch", type=int, default=None, help="override the batch size of a stateless stage")
    ap.add_argument("--init", choices=["keras", "course"], default="keras",
                    help="keras: the original's defaults (nietzsche.keras_init); course: the course's own")
    ap.add_argument("--eps", type=float, default=1e-7, help="Adam epsilon (Keras: 1e-7)")
    ap.add_argument("--hidden-init", choices=["identity", "glorot"], default="glorot",
                    help="initial hidden weights of the 8-char loop (Keras Dense default: glorot)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seed of the Keras initialisation; the epochs shuffle with seed epoch + 1000 * seed")
    ap.add_argument("--resume", action="store_true", help="continue from the stage's checkpoint, if any")
    ap.add_argument("--progress", action="store_true", help="show a progress bar per epoch")
    ap.add_argument("--stateful-rows", choices=["streams", "text", "reset"], default="streams",
                    help="stateful stages: 64 continuous streams (the spec); experiments: pieces in text order, or "
                         "the streams with the state zeroed before every batch")
    ap.add_argument("--tag", default="", help="suffix of the result file name, e.g. _identity")
    args = ap.parse_args(argv)
    fns = nietzsche_functions()
    chars, train_idx, held_idx = corpus(args.data)
    held = f"{len(held_idx):,}" if held_idx is not None else "no"
    print(f"corpus: {len(chars)} symbols, {len(train_idx):,} training and {held} held-out characters; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}", flush=True)
    stages = list(ORIGINAL) if args.stage == "all" else [args.stage]
    for stage in stages:
        run_stage(stage, fns, chars, train_idx, held_idx, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
