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

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "utils"))
sys.path.insert(0, ROOT)

from lstm import Adam, build_vocab, encode, generate  # noqa: E402
from nietzsche import (  # noqa: E402
    LastStepRNN,
    StatefulModel,
    UnrolledModel,
    fit,
    keras_init,
    load_text,
    split_text,
)
from nietzsche_expected import ORIGINAL as ORIGINAL_LOSSES  # noqa: E402

from tools import notebooks  # noqa: E402

NOTEBOOK = os.path.join(ROOT, "source", "nietzsche_rnn", "nietzsche_rnn.ipynb")
OUT = os.path.join(ROOT, "build", "nietzsche_bench")
STATEFUL_STAGES = ("stateful_rnn", "lstm")  # one batch row per stream: the batch is fixed at 64
LEARNER_CELLS = ("nonoverlapping_windows", "overlapping_windows", "stateful_batches", "unrolled_forward",
                 "get_next_char", "get_next_n_chars")

# command-line stage name -> the stage's name in nietzsche_expected.ORIGINAL (the original's training losses)
STAGES = {"3char": "3-char", "8char": "8-char loop", "rnn": "RNN layer", "stateful_rnn": "stateful RNN",
          "lstm": "stateful LSTM"}
ORIGINAL = {stage: ORIGINAL_LOSSES[name] for stage, name in STAGES.items()}
# the original's settings: batch size and plan [(epochs, learning rate), ...]
SETTINGS = {"3char": (512, [(3, 0.01)]), "8char": (512, [(5, 1e-3)]), "rnn": (512, [(5, 1e-3), (3, 1e-4)]),
            "stateful_rnn": (64, [(8, 1e-3), (3, 1e-4)]), "lstm": (64, [(20, 1e-3), (20, 1e-4)])}
# the bars the course sets for our training loss on the whole corpus (stage -> [(epoch, at most), ...])
BARS = {"3char": [(3, 1.95)], "8char": [(5, 1.48)], "rnn": [(5, 1.51), (8, 1.42)], "stateful_rnn": [(8, 1.47)]}


# -----------------------------------------------------------------------------
# the notebook's solution code


def learner_functions():
    """Execute the notebook's solution cells (markers stripped) and return their namespace."""
    import lstm

    cells = notebooks.cells_by_id(notebooks.read(NOTEBOOK))
    namespace = {"np": np}
    namespace.update({k: getattr(lstm, k) for k in dir(lstm) if not k.startswith("_")})
    import nietzsche
    namespace["NietzscheDataError"] = nietzsche.NietzscheDataError
    for gid in LEARNER_CELLS:
        exec(notebooks.strip_markers(cells[gid].source), namespace)
    return namespace


# -----------------------------------------------------------------------------
# one stage


def build(stage, fns, V, train_idx, held_idx, args):
    """Data, model and generation context of a stage: (X, Y, Xv, Yv, model, context, prompt)."""
    Xv = Yv = None
    if stage == "3char":
        X, Y = fns["nonoverlapping_windows"](train_idx, 3)
        if held_idx is not None:
            Xv, Yv = fns["nonoverlapping_windows"](held_idx, 3)
        model = UnrolledModel(fns["unrolled_forward"], V, 42, 256, seed=0, hidden_init="glorot")
        context, prompt = 3, " th"
    elif stage in ("8char", "rnn"):
        X, Y = fns["overlapping_windows"](train_idx, 8)
        if held_idx is not None:
            Xv, Yv = fns["overlapping_windows"](held_idx, 8)
        if stage == "8char":
            model = UnrolledModel(fns["unrolled_forward"], V, 42, 256, seed=0, hidden_init=args.hidden_init)
        else:
            model = LastStepRNN(V, 42, 256, seed=0)
        context, prompt = 8, "for thos"
    else:
        X, Y = fns["stateful_batches"](train_idx, 64, 8)
        if held_idx is not None:
            Xv, Yv = fns["stateful_batches"](held_idx, 64, 8)
        if args.stateful_rows == "text":  # the same number of pieces, in text order: row k + 64 is 512 chars on
            X, Y = text_order_pieces(train_idx, len(X), 8)
            if held_idx is not None:
                Xv, Yv = text_order_pieces(held_idx, len(Xv), 8)
        cell, n_a = ("rnn", 256) if stage == "stateful_rnn" else ("lstm", 512)
        model = (StatelessPieces if args.stateful_rows == "reset" else StatefulModel)(V, 42, n_a, cell, seed=0)
        context, prompt = 8, "for thos"  # window generation reads 8 characters from a zero state
    if args.init == "keras":
        keras_init(model, seed=args.seed, hidden_identity=(stage == "8char" and args.hidden_init == "identity"))
    return X, Y, Xv, Yv, model, context, prompt


class StatelessPieces(StatefulModel):
    """The stateful model with its state zeroed before every batch: the streams and targets as the spec
    has them, but nothing carried from piece to piece (an experiment: --stateful-rows reset)."""

    def loss_and_grads(self, X, Y, state=None):
        return super().loss_and_grads(X, Y, None)

    def loss(self, X, Y, state=None):
        return super().loss(X, Y, None)


def text_order_pieces(idx, n, T_x):
    """n consecutive pieces of T_x characters in text order (piece k holds characters k*T_x ...), and their
    targets one character later: batched 64 at a time with the state carried from row to row, a row's state
    reaches the piece 64 * T_x characters further on, not the next one (an experiment: --stateful-rows text)."""
    idx = np.asarray(idx)
    return idx[:n * T_x].reshape(n, T_x), idx[1:n * T_x + 1].reshape(n, T_x)


def save_checkpoint(path, model, optimizer, history):
    """Parameters, Adam moments and the history so far, in one .npz (written atomically)."""
    arrays = {f"p_{k}": v for k, v in model.params.items()}
    arrays.update({f"m_{k}": v for k, v in optimizer.m.items()})
    arrays.update({f"v_{k}": v for k, v in optimizer.v.items()})
    arrays["meta"] = np.array(json.dumps({"t": optimizer.t, "history": history}))
    tmp = path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def load_checkpoint(path, model, optimizer):
    """Restore what save_checkpoint wrote into model and optimizer; returns the history."""
    with np.load(path) as f:
        for k in model.params:
            model.params[k][...] = f[f"p_{k}"]
            optimizer.m[k][...] = f[f"m_{k}"]
            optimizer.v[k][...] = f[f"v_{k}"]
        meta = json.loads(str(f["meta"]))
    optimizer.t = meta["t"]
    return meta["history"]


def run_stage(stage, fns, chars, train_idx, held_idx, args):
    V = len(chars)
    X, Y, Xv, Yv, model, context, prompt = build(stage, fns, V, train_idx, held_idx, args)
    batch, plan = SETTINGS[stage]
    plan = list(plan)
    if args.batch is not None:
        if stage in STATEFUL_STAGES:
            raise SystemExit("--batch: the stateful stages need one row per stream (64)")
        batch = args.batch
    if args.epochs is not None:
        plan[0] = (args.epochs, plan[0][1])
    if args.more_epochs is not None and len(plan) > 1:
        plan[1] = (args.more_epochs, plan[1][1])
    n_params = sum(p.size for p in model.params.values())
    name = f"{stage}_{args.data}{args.tag}"
    os.makedirs(OUT, exist_ok=True)
    ckpt = os.path.join(OUT, f"{name}.ckpt.npz")
    held_rows = f"{len(Xv):,} held-out rows" if Xv is not None else "no held-out part"
    print(f"== {name}: {len(X):,} training rows, {held_rows}, batch {batch}, plan {plan}, "
          f"{n_params:,} parameters, init {args.init}, Adam eps {args.eps:g}", flush=True)
    optimizer = Adam(model.params, lr=plan[0][1], eps=args.eps)
    history = {"train": [], "held_out": [], "seconds": []}
    if args.resume and os.path.exists(ckpt):
        history = load_checkpoint(ckpt, model, optimizer)
        print(f"resumed from {ckpt} after epoch {len(history['train'])}", flush=True)
    epoch = 0
    for epochs, lr in plan:
        for _ in range(epochs):
            epoch += 1
            if epoch <= len(history["train"]):
                continue
            # one epoch per call, shuffled with the epoch's number as seed: a resumed run repeats it exactly
            history = fit(model, X, Y, 1, lr, batch, Xv, Yv, optimizer=optimizer, seed=epoch + 1000 * args.seed,
                          label=name, progress=args.progress, history=history, verbose=False)
            history.pop("optimizer")
            held = history["held_out"][-1]
            print(f"{name} epoch {epoch:2d}: train loss {history['train'][-1]:.4f}, held-out loss "
                  f"{held:.4f}, lr {lr:g}, {history['seconds'][-1]:.1f} s", flush=True)
            save_checkpoint(ckpt, model, optimizer, history)
    history = {k: [float(v) for v in vals] for k, vals in history.items()}

    def predict(Xw):
        logits, _ = model.predict(Xw)
        return logits[:, -np.asarray(Xw).shape[0]:]

    result = {"stage": stage, "data": args.data, "init": args.init, "adam_eps": args.eps, "plan": plan,
              "batch": batch, "parameters": int(n_params), "train": history["train"],
              "held_out": history["held_out"], "seconds": history["seconds"],
              "wall_seconds": float(sum(history["seconds"])),
              "greedy": fns["get_next_n_chars"](predict, prompt, chars, context, 48, temperature=0.0),
              "sampled_t0.6": fns["get_next_n_chars"](predict, prompt, chars, context, 48, temperature=0.6,
                                                      seed=0),
              "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    if stage == "8char" or stage == "rnn":
        result["next_char"] = {t: fns["get_next_char"](predict, t, chars, 8) for t in ("for thos", "queens a")}
    if stage in STATEFUL_STAGES:  # the state carried from character to character, not an 8-char window
        result["stateful_greedy"] = prompt + generate(model.net, chars, prompt, 200, temperature=0.0)
        result["stateful_sampled_t0.6"] = prompt + generate(model.net, chars, prompt, 400, temperature=0.6, seed=0)
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
    fns = learner_functions()
    text = load_text(os.path.join(ROOT, "data", "nietzsche.txt"))
    chars = build_vocab(text)
    idx = encode(text, chars)
    if args.data == "whole":
        train_idx, held_idx = idx, None
    else:
        n_train = len(split_text(text)[0])
        train_idx, held_idx = idx[:n_train], idx[n_train:]
    held = f"{len(held_idx):,}" if held_idx is not None else "no"
    print(f"corpus: {len(chars)} symbols, {len(train_idx):,} training and {held} held-out characters; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}", flush=True)
    stages = list(ORIGINAL) if args.stage == "all" else [args.stage]
    for stage in stages:
        run_stage(stage, fns, chars, train_idx, held_idx, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
