"""
The Nietzsche stages at the original's settings: the training code shared by `make pretrain`
and bench/nietzsche_original.py, and the pretraining that ships data/nietzsche_<stage>.npz.

Five stages (spec section 4), each at the original's batch size, epochs and learning rates:

  3char         3-char non-overlapping windows, hand-unrolled model, Adam 0.01, batch 512, 3 epochs
  8char         overlapping 8-char windows, the same model looped 8 times, Adam 0.001, batch 512, 5 epochs
  rnn           embedding -> tanh RNN(256) -> softmax, Adam 0.001, batch 512, 5 epochs, then lr 1e-4 for 3
  stateful_rnn  64 streams in 8-char pieces (batch 64: one row per stream), stateful RNN(256),
                8 epochs, then lr 1e-4 for 3
  lstm          the same data, stateful LSTM(512), 20 epochs, then lr 1e-4 for 20 more

Keras defaults where they matter (nietzsche.keras_init), Adam epsilon 1e-7, embeddings of 42,
float32. The data preparation, the hand-unrolled forward pass and the generation functions are
the notebook's own solution code (tools/pretrain.nietzsche_functions), so what is trained is
exactly what the course ships.

Pretraining a stage runs it twice: on the whole lower-cased corpus (the original's data; these
weights are shipped) and on its first 90% (the "twin": same settings and seed, its held-out loss
measured on the last 10% after every epoch). The shipped weights have seen every character, so
they have no held-out loss of their own: the log reports the twin's, labelled as such.

Every epoch ends with a checkpoint in build/pretrain/nietzsche_<stage>_<whole|split>.ckpt.npz
(parameters, Adam moments, history); a rerun continues from it. The stateless stages shuffle
with the epoch's number as seed and the stateful ones do not shuffle, so a resumed run is the run
that was not stopped, bit for bit.

usage:
    python tools/pretrain_nietzsche.py                    # all five stages (make pretrain-nietzsche)
    python tools/pretrain_nietzsche.py --stage lstm       # one (make pretrain-nietzsche-lstm)
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread: the same sums on every run

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_ROOT, os.path.join(_ROOT, "utils")]  # the notebooks' modules import each other by bare name
from lstm import Adam, build_vocab, encode, generate  # noqa: E402
from nietzsche import LastStepRNN, StatefulModel, UnrolledModel, fit, keras_init, load_text, split_text  # noqa: E402
from nietzsche_expected import ORIGINAL as ORIGINAL_LOSSES  # noqa: E402
from nietzsche_expected import ORIGINAL_GREEDY  # noqa: E402

from tools.pretrain import (  # noqa: E402
    BUILD,
    DATA,
    ROOT,
    environment,
    nietzsche_functions,
    save_model,
    say,
    write_log,
    write_npz,
)

STATEFUL_STAGES = ("stateful_rnn", "lstm")  # one batch row per stream: the batch is fixed at 64
# command-line stage name -> the stage's name in nietzsche_expected.ORIGINAL (the original's training losses)
STAGES = {"3char": "3-char", "8char": "8-char loop", "rnn": "RNN layer", "stateful_rnn": "stateful RNN",
          "lstm": "stateful LSTM"}
ORIGINAL = {stage: ORIGINAL_LOSSES[name] for stage, name in STAGES.items()}
# the original's settings: batch size and plan [(epochs, learning rate), ...]
SETTINGS = {"3char": (512, [(3, 0.01)]), "8char": (512, [(5, 1e-3)]), "rnn": (512, [(5, 1e-3), (3, 1e-4)]),
            "stateful_rnn": (64, [(8, 1e-3), (3, 1e-4)]), "lstm": (64, [(20, 1e-3), (20, 1e-4)])}
N_EMBD = 42
MODEL_NAMES = {stage: f"nietzsche_{stage}" for stage in STAGES}  # data/<name>.npz


@dataclass
class Options:
    """How a stage is trained; the defaults are the original's settings (the pretrained models')."""
    init: str = "keras"  # "keras": the original's defaults (nietzsche.keras_init); "course": the course's own
    eps: float = 1e-7  # Adam epsilon (Keras: 1e-7)
    hidden_init: str = "glorot"  # the 8-char loop's hidden layer start (a Keras Dense layer: glorot)
    seed: int = 0  # the initialisation's seed; epoch e shuffles with seed e + 1000 * seed
    stateful_rows: str = "streams"  # "streams" (the spec); experiments: "text" order, "reset" state per batch
    batch: int = None  # override the batch size of a stateless stage
    epochs: int = None  # override the first phase's epochs
    more_epochs: int = None  # override the lr 1e-4 phase's epochs


# -----------------------------------------------------------------------------
# data and models


def corpus(data):
    """
    The lower-cased corpus, encoded.

    Arguments:
    data -- "whole" (all of it, as the original) or "split" (the first 90% to train on, the last 10% held out)

    Returns:
    chars -- the vocabulary (57 characters, the same for both)
    train_idx, held_idx -- int arrays; held_idx is None for "whole"
    """
    text = load_text(os.path.join(ROOT, "data", "nietzsche.txt"))
    chars = build_vocab(text)
    idx = encode(text, chars)
    if data == "whole":
        return chars, idx, None
    n_train = len(split_text(text)[0])
    return chars, idx[:n_train], idx[n_train:]


def build(stage, fns, V, train_idx, held_idx, opts):
    """Data and model of a stage: (X, Y, Xv, Yv, model); Xv, Yv are None without a held-out part."""
    Xv = Yv = None
    if stage == "3char":
        X, Y = fns["nonoverlapping_windows"](train_idx, 3)
        if held_idx is not None:
            Xv, Yv = fns["nonoverlapping_windows"](held_idx, 3)
        model = UnrolledModel(fns["unrolled_forward"], V, N_EMBD, 256, seed=0, hidden_init="glorot")
    elif stage in ("8char", "rnn"):
        X, Y = fns["overlapping_windows"](train_idx, 8)
        if held_idx is not None:
            Xv, Yv = fns["overlapping_windows"](held_idx, 8)
        if stage == "8char":
            model = UnrolledModel(fns["unrolled_forward"], V, N_EMBD, 256, seed=0, hidden_init=opts.hidden_init)
        else:
            model = LastStepRNN(V, N_EMBD, 256, seed=0)
    else:
        X, Y = fns["stateful_batches"](train_idx, 64, 8)
        if held_idx is not None:
            Xv, Yv = fns["stateful_batches"](held_idx, 64, 8)
        if opts.stateful_rows == "text":  # the same number of pieces, in text order: row k + 64 is 512 chars on
            X, Y = text_order_pieces(train_idx, len(X), 8)
            if held_idx is not None:
                Xv, Yv = text_order_pieces(held_idx, len(Xv), 8)
        cell, n_a = ("rnn", 256) if stage == "stateful_rnn" else ("lstm", 512)
        model = (StatelessPieces if opts.stateful_rows == "reset" else StatefulModel)(V, N_EMBD, n_a, cell, seed=0)
    if opts.init == "keras":
        keras_init(model, seed=opts.seed, hidden_identity=(stage == "8char" and opts.hidden_init == "identity"))
    return X, Y, Xv, Yv, model


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


def settings(stage, opts):
    """The batch size and the plan [(epochs, learning rate), ...] of a stage, with the options' overrides."""
    batch, plan = SETTINGS[stage]
    plan = list(plan)
    if opts.batch is not None:
        if stage in STATEFUL_STAGES:
            raise SystemExit("--batch: the stateful stages need one row per stream (64)")
        batch = opts.batch
    if opts.epochs is not None:
        plan[0] = (opts.epochs, plan[0][1])
    if opts.more_epochs is not None and len(plan) > 1:
        plan[1] = (opts.more_epochs, plan[1][1])
    return batch, plan


# -----------------------------------------------------------------------------
# checkpoints (the format bench/nietzsche_original.py has always written: build/nietzsche_bench/*.ckpt.npz
# from before this module existed resume here too)


def save_checkpoint(path, model, optimizer, history):
    """Parameters, Adam moments and the history so far, in one .npz (written atomically)."""
    arrays = {f"p_{k}": v for k, v in model.params.items()}
    arrays.update({f"m_{k}": v for k, v in optimizer.m.items()})
    arrays.update({f"v_{k}": v for k, v in optimizer.v.items()})
    arrays["meta"] = np.array(json.dumps({"t": optimizer.t, "history": history}))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_npz(path, arrays)


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


# -----------------------------------------------------------------------------
# training


@dataclass
class Trained:
    """What train_stage returns: the model and everything the log and the report need."""
    model: object
    history: dict  # "train", "held_out", "seconds": one entry per epoch done
    batch: int
    plan: list
    n_params: int
    n_rows: int  # training rows (windows or pieces)
    n_held_rows: int  # held-out rows (0 without a held-out part)


def train_stage(stage, fns, chars, train_idx, held_idx, opts, ckpt, label, progress=False, stop_after=None):
    """
    Train one stage epoch by epoch, with a checkpoint after each; continue from ckpt if it exists.

    Arguments:
    stage -- a key of STAGES
    fns -- the notebook's functions (tools.pretrain.nietzsche_functions())
    chars, train_idx, held_idx -- from corpus()
    opts -- Options
    ckpt -- checkpoint path (its folder is created)
    label -- name in the printed lines
    progress -- show a progress bar per epoch
    stop_after -- stop after this many epochs in all (None: the whole plan), e.g. for a quick check

    Returns:
    Trained
    """
    X, Y, Xv, Yv, model = build(stage, fns, len(chars), train_idx, held_idx, opts)
    batch, plan = settings(stage, opts)
    n_params = int(sum(p.size for p in model.params.values()))
    held_rows = f"{len(Xv):,} held-out rows" if Xv is not None else "no held-out part"
    say(f"== {label}: {len(X):,} training rows, {held_rows}, batch {batch}, plan {plan}, {n_params:,} parameters, "
        f"init {opts.init}, Adam eps {opts.eps:g}")
    optimizer = Adam(model.params, lr=plan[0][1], eps=opts.eps)
    history = {"train": [], "held_out": [], "seconds": []}
    if os.path.exists(ckpt):
        history = load_checkpoint(ckpt, model, optimizer)
        say(f"{label}: resumed from {os.path.relpath(ckpt, ROOT)} after epoch {len(history['train'])}")
    epoch = 0
    for epochs, lr in plan:
        for _ in range(epochs):
            epoch += 1
            if epoch <= len(history["train"]):
                continue
            if stop_after is not None and epoch > stop_after:
                break
            # one epoch per call, shuffled with the epoch's number as seed: a resumed run repeats it exactly
            history = fit(model, X, Y, 1, lr, batch, Xv, Yv, optimizer=optimizer, seed=epoch + 1000 * opts.seed,
                          label=label, progress=progress, history=history, verbose=False)
            history.pop("optimizer")
            say(f"{label} epoch {epoch:2d}: train loss {history['train'][-1]:.4f}, held-out loss "
                f"{history['held_out'][-1]:.4f}, lr {lr:g}, {history['seconds'][-1]:.1f} s")
            save_checkpoint(ckpt, model, optimizer, history)
    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    return Trained(model, history, batch, plan, n_params, len(X), 0 if Xv is None else len(Xv))


def context_prompt(stage):
    """The characters a window-based prediction reads, and the generation prompt, of a stage."""
    return (3, " th") if stage == "3char" else (8, "for thos")


def texts(stage, fns, chars, model):
    """Text from a trained stage, made with the notebook's generation functions (greedy and at 0.6)."""
    def predict(Xw):
        logits, _ = model.predict(Xw)
        return logits[:, -np.asarray(Xw).shape[0]:]

    ctx, prompt = context_prompt(stage)
    out = {"prompt": prompt,
           "greedy": fns["get_next_n_chars"](predict, prompt, chars, ctx, 48, temperature=0.0),
           "sampled_t0.6_seed0": fns["get_next_n_chars"](predict, prompt, chars, ctx, 48, temperature=0.6, seed=0)}
    if stage in ("8char", "rnn"):
        out["next_char"] = {t: fns["get_next_char"](predict, t, chars, 8) for t in ("for thos", "queens a")}
    if stage in STATEFUL_STAGES:  # the state carried from character to character, not an 8-char window
        out["stateful_greedy_200"] = prompt + generate(model.net, chars, prompt, 200, temperature=0.0)
        out["stateful_sampled_t0.6_seed0_400"] = prompt + generate(model.net, chars, prompt, 400, temperature=0.6,
                                                                   seed=0)
    return out


# -----------------------------------------------------------------------------
# pretraining: the whole-corpus model (shipped) and its 90% twin (held-out loss)


def architecture(stage, chars):
    """The facts a loader needs to rebuild the model (CharRNN's config keys for the stateful ones)."""
    V = len(chars)
    if stage in ("3char", "8char"):
        return {"class": "UnrolledModel", "vocab_size": V, "n_embd": N_EMBD, "n_a": 256,
                "T_x": context_prompt(stage)[0]}
    cell, n_a = {"rnn": ("rnn", 256), "stateful_rnn": ("rnn", 256), "lstm": ("lstm", 512)}[stage]
    return {"class": "LastStepRNN" if stage == "rnn" else "StatefulModel", "vocab_size": V, "n_embd": N_EMBD,
            "n_a": n_a, "n_layers": 1, "cell": cell, "dropout": 0.0, "T_x": 8}


def pretrain(stage, progress=False, out_dir=DATA, build_dir=BUILD, stop_after=None, write=True):
    """
    Train a stage on the whole corpus and on the 90% split (resuming either from its checkpoint),
    then write data/nietzsche_<stage>.npz (the whole-corpus weights) and its log.

    Arguments:
    stage -- a key of STAGES
    progress -- progress bars
    out_dir, build_dir -- where the model and log go, where the checkpoints live
    stop_after -- train at most this many epochs of each run (a quick check; nothing is written)
    write -- write the model and the log (only after complete runs)

    Returns:
    log -- the training log (dict)
    """
    name = MODEL_NAMES[stage]
    opts = Options()
    fns = nietzsche_functions()
    runs, clock, sizes = {}, {}, {}
    for data in ("whole", "split"):
        chars, train_idx, held_idx = corpus(data)
        sizes[data] = (len(train_idx), 0 if held_idx is None else len(held_idx))
        ckpt = os.path.join(build_dir, f"{name}_{data}.ckpt.npz")
        runs[data] = train_stage(stage, fns, chars, train_idx, held_idx, opts, ckpt, f"{name} ({data})",
                                 progress=progress, stop_after=stop_after)
        clock[data] = sum(runs[data].history["seconds"])
    whole, split = runs["whole"], runs["split"]
    original = {int(e): v for e, v in ORIGINAL[stage].items()}
    log = {
        "model": name,
        "stage": STAGES[stage],
        "architecture": architecture(stage, chars),
        "parameters": whole.n_params,
        "settings": {"batch": whole.batch, "plan (epochs, learning rate)": [list(p) for p in whole.plan],
                     "optimizer": f"Adam, epsilon {opts.eps:g}, moments kept across the learning-rate change",
                     "initialisation": "Keras defaults (nietzsche.keras_init)", "seed": opts.seed,
                     "shuffling": "stateless stages: epoch e in a random order seeded e + 1000 * seed; "
                                  "stateful stages: the 64 streams in order, state reset every epoch",
                     "dtype": "float32"},
        "data": f"the whole lower-cased data/nietzsche.txt ({sizes['whole'][0]:,} characters, "
                f"{whole.n_rows:,} training rows), as the original trained",
        "train_loss": whole.history["train"],
        "train_loss_means": "the mean over each epoch's batches of the batch loss (nats per character), as Keras "
                            "prints it; one entry per epoch",
        "original_train_loss": {str(e): v for e, v in sorted(original.items())},
        "held_out": {
            "source": "the twin run: the same settings and seed trained on the first 90% of the corpus, "
                      "its loss measured after every epoch on the last 10% (which the twin never trained on). "
                      "The shipped weights trained on the whole corpus, so they have no held-out loss of their own.",
            "train_characters": sizes["split"][0], "held_out_characters": sizes["split"][1],
            "train_loss": split.history["train"],
            "held_out_loss": split.history["held_out"],
        },
        "text": texts(stage, fns, chars, whole.model),
        "original_greedy": ORIGINAL_GREEDY if stage == "rnn" else None,
        "command": f"make pretrain-nietzsche-{stage} (python tools/pretrain_nietzsche.py --stage {stage})",
        "environment": environment(),
    }
    if log["original_greedy"] is None:
        del log["original_greedy"]
    epochs = sum(e for e, _ in whole.plan)
    complete = len(whole.history["train"]) == epochs and len(split.history["train"]) == epochs
    if write and complete and stop_after is None:
        save_model(os.path.join(out_dir, f"{name}.npz"), whole.model.params, chars, log)
        full = dict(log, wall_seconds={"whole": clock["whole"], "split (twin)": clock["split"],
                                       "per epoch, whole": whole.history["seconds"],
                                       "per epoch, split (twin)": split.history["seconds"]})
        write_log(os.path.join(out_dir, f"{name}.log.json"), full)
        say(f"wrote {os.path.relpath(os.path.join(out_dir, name + '.npz'), ROOT)} and its log")
    return log


def summary(log):
    """Our losses beside the original's, as printed at the end of a run."""
    lines = [f"{log['model']} ({log['stage']}, batch {log['settings']['batch']}, {log['parameters']:,} parameters)",
             "  epoch | original | ours (whole corpus) | twin: train (90%) | twin: held-out (10%)"]
    held = log["held_out"]
    for e, tr in enumerate(log["train_loss"], 1):
        orig = log["original_train_loss"].get(str(e))
        lines.append(f"  {e:5d} | {orig if orig is not None else '-':>8} | {tr:19.4f} | "
                     f"{held['train_loss'][e - 1]:17.4f} | {held['held_out_loss'][e - 1]:20.4f}")
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--stage", action="append", choices=list(STAGES),
                    help="a stage to pretrain (repeat for more; default: all five)")
    ap.add_argument("--progress", action="store_true", help="a progress bar per epoch")
    args = ap.parse_args(argv)
    for stage in args.stage or list(STAGES):
        say(summary(pretrain(stage, progress=args.progress)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

