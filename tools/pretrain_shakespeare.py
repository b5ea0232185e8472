"""
Pretrain the 2-layer LSTM of the "Writing like Shakespeare" lab: data/shakespeare_lstm.npz.

Data: data/shakespeare.txt, lower-cased; windows of T_x = 40 characters with stride 3 over the
whole text: the original lab's 31,412 examples (spec section 2). The shipped model trains on all
of them, as the original did. Every window is trained to predict the next character at all 40
positions (dropout between the layers and before the softmax); the original's objective, and the
number it reported (2.5432 after "one more epoch" at batch 128), is the loss on the 41st
character alone. We report that quantity two ways, both on the 31,412 windows:
  - the running mean over an epoch's batches of 128, dropout on, as Keras printed it;
  - the trained model's loss on every window, dropout off.

The twin run trains the same model with the same settings on the windows that lie wholly in the
first 90% of the text and measures its loss on the windows wholly in the last 10% after every
epoch: the held-out loss of this recipe (the shipped model has seen every window).

Reproducible and resumable: seeded initialisation, dropout and shuffling, float32, one BLAS
thread; after every epoch a checkpoint (parameters, Adam moments, both random generators' states,
history) goes to build/pretrain/shakespeare_lstm_<all|split>.ckpt.npz, and a rerun continues from it.
Deliberately left out: hyperparameter search, early stopping, learning-rate warm-up.

Usage:
    python tools/pretrain_shakespeare.py            # make pretrain-shakespeare
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # same summation order on every run

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import numpy as np  # noqa: E402

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_ROOT, os.path.join(_ROOT, "utils")]
from lstm import Adam, CharRNN, build_vocab, clip_grad_norm, encode, last_char_loss, window_losses  # noqa: E402

from tools.pretrain import (  # noqa: E402
    BUILD,
    DATA,
    ROOT,
    environment,
    load_state,
    optimizer_arrays,
    restore_optimizer,
    rng_state,
    save_model,
    save_state,
    say,
    set_rng_state,
    write_log,
)

ORIGINAL_LAST_CHAR = 2.5432  # the original's loss after "one more epoch" at batch 128 (41st character)

# -----------------------------------------------------------------------------
# configuration


@dataclass
class Config:
    T_x: int = 40  # characters of context per window
    stride: int = 3  # step between window starts
    val_fraction: float = 0.1  # the twin run holds out the last 10% of the text
    n_a: int = 128  # hidden units per LSTM layer
    n_layers: int = 2  # stacked LSTM layers
    dropout: float = 0.1  # between layers and before the softmax, training only
    batch_size: int = 128  # windows per update (the original's batch)
    epochs: int = 10  # passes over the training windows
    lr: float = 4e-3  # Adam learning rate at the start, cosine-decayed to lr / 10
    clip: float = 5.0  # clip gradients to this global norm
    seed: int = 0  # initialisation, dropout and shuffling


# -----------------------------------------------------------------------------
# data


def load_windows(path, T_x, stride, val_fraction):
    """
    Lower-cased text -> vocabulary and (X, Y) windows: all of them, and the twin's split.

    Returns:
    chars -- vocabulary
    (X_all, Y_all) -- every window (31,412 for the Sonnets), int arrays (n, T_x); Y is X shifted by one
    (X_train, Y_train), (X_val, Y_val) -- the windows wholly in the first 90% / wholly in the last 10%
    """
    with open(path, encoding="utf-8") as f:
        text = f.read().lower()
    chars = build_vocab(text)
    data = encode(text, chars)
    starts = np.arange(0, len(data) - T_x, stride)  # every window needs T_x + 1 characters
    split = int(len(data) * (1 - val_fraction))
    offsets = np.arange(T_x)

    def windows(s):
        return data[s[:, None] + offsets], data[s[:, None] + offsets + 1]  # (n, T_x) each

    return (chars, windows(starts), windows(starts[starts + T_x + 1 <= split]),
            windows(starts[starts >= split]))


# -----------------------------------------------------------------------------
# training


def train(cfg, chars, X, Y, ckpt, X_eval, Y_eval, label, stop_after_batches=None, stop_after_epochs=None,
          quiet=False):
    """
    Train a CharRNN on windows (X, Y) epoch by epoch, evaluating on (X_eval, Y_eval) after each epoch.

    Arguments:
    cfg -- Config
    chars -- vocabulary
    X, Y -- training windows (n, T_x)
    ckpt -- checkpoint path, continued if it exists
    X_eval, Y_eval -- windows evaluated after every epoch (dropout off)
    label -- name in the printed lines
    stop_after_batches -- stop after this many batches of the first epoch, writing nothing (a quick check)
    stop_after_epochs -- stop after this many epochs in all (a stop the next call resumes from)
    quiet -- print nothing

    Returns:
    model -- the CharRNN
    history -- dict of per-epoch lists: "train" and "train_last_char" (running means over the epoch's batches,
               dropout on), "eval" and "eval_last_char" (after the epoch, dropout off), "seconds"; and
               "first_losses" (the first 10 batches' losses)
    """
    model = CharRNN(len(chars), n_a=cfg.n_a, n_layers=cfg.n_layers, dropout=cfg.dropout, seed=cfg.seed)
    opt = Adam(model.params, lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)  # shuffling
    steps_per_epoch = len(X) // cfg.batch_size
    total_steps = cfg.epochs * steps_per_epoch
    history = {"train": [], "train_last_char": [], "eval": [], "eval_last_char": [], "seconds": [],
               "first_losses": []}
    arrays, meta = load_state(ckpt)
    if meta is not None:
        for k in model.params:
            model.params[k][...] = arrays[f"p.{k}"]
        restore_optimizer(opt, arrays, meta["t"])
        set_rng_state(rng, meta["rng"])
        set_rng_state(model.rng, meta["dropout_rng"])
        history = meta["history"]
        if not quiet:
            say(f"{label}: resumed from {os.path.relpath(ckpt, ROOT)} after epoch {len(history['train'])}")
    end = cfg.epochs if stop_after_epochs is None else min(cfg.epochs, stop_after_epochs)
    for epoch in range(len(history["train"]), end):
        t0 = time.perf_counter()
        order = rng.permutation(len(X))
        losses, last = [], []
        for b in range(steps_per_epoch):
            if stop_after_batches is not None and b == stop_after_batches:
                return model, history
            step = epoch * steps_per_epoch + b
            opt.lr = cfg.lr * (0.55 + 0.45 * np.cos(np.pi * step / total_steps))  # lr -> lr / 10
            batch = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            logits, loss, _ = model.forward(X[batch], Y[batch], train=True)
            last.append(last_char_loss(logits, Y[batch]))
            grads = model.backward()
            clip_grad_norm(grads, cfg.clip)
            opt.step(grads)
            losses.append(float(loss))
            if step < 10:
                history["first_losses"].append(float(loss))
        ev, ev_last = window_losses(model, X_eval, Y_eval)
        history["train"].append(float(np.mean(losses)))
        history["train_last_char"].append(float(np.mean(last)))
        history["eval"].append(ev)
        history["eval_last_char"].append(ev_last)
        history["seconds"].append(time.perf_counter() - t0)
        if not quiet:
            say(f"{label} epoch {epoch + 1:2d}: train {history['train'][-1]:.4f}, 41st character "
                f"{history['train_last_char'][-1]:.4f} (running, dropout on); evaluated {ev:.4f}, 41st character "
                f"{ev_last:.4f}; {history['seconds'][-1]:.0f} s")
        save_state(ckpt, dict({f"p.{k}": v for k, v in model.params.items()}, **optimizer_arrays(opt)),
                   {"t": opt.t, "rng": rng_state(rng), "dropout_rng": rng_state(model.rng), "history": history})
    return model, history


def pretrain(cfg=None, out_dir=DATA, build_dir=BUILD):
    """Train (or continue) the shipped model and its twin; write data/shakespeare_lstm.npz and its log."""
    cfg = cfg or Config()
    chars, (X_all, Y_all), (X, Y), (Xv, Yv) = load_windows(
        os.path.join(ROOT, "data", "shakespeare.txt"), cfg.T_x, cfg.stride, cfg.val_fraction)
    say(f"vocab_size={len(chars)}, windows={len(X_all):,}; twin: train {len(X):,}, held out {len(Xv):,}")
    model, hist = train(cfg, chars, X_all, Y_all, os.path.join(build_dir, "shakespeare_lstm_all.ckpt.npz"),
                        X_all, Y_all, "shakespeare_lstm (all windows)")
    _, twin = train(cfg, chars, X, Y, os.path.join(build_dir, "shakespeare_lstm_split.ckpt.npz"), Xv, Yv,
                    "shakespeare_lstm twin (90%)")
    train_loss, train_last = hist["eval"][-1], hist["eval_last_char"][-1]
    log = dict(
        asdict(cfg),
        model="shakespeare_lstm",
        n_windows=len(X_all),
        trained_on=f"all {len(X_all):,} windows (T_x 40, stride 3), as the original",
        objective="cross-entropy at all 40 positions of each window (the original: the 41st character only)",
        # the like-for-like numbers, on the original's objective and data
        original_last_char=ORIGINAL_LAST_CHAR,
        train_loss_last_char=train_last,
        train_loss_last_char_note="loss on the 41st character of each of the 31,412 windows, dropout off, "
                                  "after the last epoch",
        last_epoch_running_last_char=hist["train_last_char"][-1],
        last_epoch_running_last_char_note="the mean over the last epoch's batches of 128 of the 41st-character "
                                          "loss, dropout on: the quantity Keras printed as the original's 2.5432",
        train_loss=train_loss,
        # held out: the twin's
        val_loss=twin["eval"][-1],
        val_loss_last_char=twin["eval_last_char"][-1],
        val_note=f"the twin run (same settings and seed, trained on the {len(X):,} windows wholly in the first 90% "
                 f"of the text), evaluated on the {len(Xv):,} windows wholly in the last 10%, dropout off; the "
                 "shipped model trained on every window and has no held-out loss of its own",
        history=[[a, b] for a, b in zip(hist["train"], hist["train_last_char"])],
        history_columns=["training loss, all 40 positions, running mean over the epoch, dropout on",
                         "training loss on the 41st character, running mean over the epoch, dropout on "
                         "(as Keras printed the original's 2.5432)"],
        evaluated_per_epoch={"all positions": hist["eval"], "41st character": hist["eval_last_char"]},
        twin={"train": twin["train"], "train_last_char": twin["train_last_char"], "held_out": twin["eval"],
              "held_out_last_char": twin["eval_last_char"]},
        first_losses=hist["first_losses"],
        command="make pretrain-shakespeare (python tools/pretrain_shakespeare.py)",
        environment=environment(),
    )
    if len(hist["train"]) == cfg.epochs and len(twin["train"]) == cfg.epochs:
        save_model(os.path.join(out_dir, "shakespeare_lstm.npz"), model.params, chars, dict(model.config, **log))
        write_log(os.path.join(out_dir, "shakespeare_lstm.log.json"),
                  dict(log, wall_seconds={"all windows": sum(hist["seconds"]), "twin": sum(twin["seconds"]),
                                          "per epoch, all windows": hist["seconds"],
                                          "per epoch, twin": twin["seconds"]}))
        say(f"41st character on the 31,412 windows: {train_last:.4f} (dropout off), last epoch's running mean "
            f"{hist['train_last_char'][-1]:.4f}; the original {ORIGINAL_LAST_CHAR}. Twin held-out: "
            f"{twin['eval'][-1]:.4f} (41st character {twin['eval_last_char'][-1]:.4f})")
        say("wrote data/shakespeare_lstm.npz and its log")
    return log


def main(argv):
    argparse.ArgumentParser(description=__doc__.split("\n")[1]).parse_args(argv)
    pretrain()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
