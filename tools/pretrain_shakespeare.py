"""
Pretrain the 2-layer LSTM of the "Writing like Shakespeare" lab and save data/shakespeare_lstm.npz.

Data: data/shakespeare.txt, lower-cased. Windows of T_x = 40 characters with stride 3 over the
whole text give 31,412 examples (as in the original lab). Validation: the last 10% of the text
is held out; a window belongs to the training set if it (and its 41st, target character) lies
entirely in the first 90%, to the validation set if it lies entirely in the last 10%, so no
window straddles the split. Every window is trained to predict the next character at all 40
positions; we also report the loss on the 41st character alone, the quantity the original
Keras lab reported (2.54 nats/char after "one more epoch").

Reproducible: seeded initialisation and shuffling, float32, one BLAS thread by default.
Deliberately left out: hyperparameter search, early stopping, learning-rate warm-up.

Usage:
    python tools/pretrain_shakespeare.py            # about 5-10 minutes on 2 cores
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # same summation order on every run

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
from utils.lstm import Adam, CharRNN, build_vocab, clip_grad_norm, encode  # noqa: E402

# -----------------------------------------------------------------------------
# configuration


@dataclass
class Config:
    T_x: int = 40  # characters of context per window
    stride: int = 3  # step between window starts
    val_fraction: float = 0.1  # the last 10% of the text is validation
    n_a: int = 128  # hidden units per LSTM layer
    n_layers: int = 2  # stacked LSTM layers
    dropout: float = 0.1  # between layers and before the softmax, training only
    batch_size: int = 128  # windows per update
    epochs: int = 10  # passes over the training windows
    lr: float = 4e-3  # Adam learning rate at the start, cosine-decayed to lr / 10
    clip: float = 5.0  # clip gradients to this global norm
    seed: int = 0  # initialisation, dropout and shuffling


# -----------------------------------------------------------------------------
# data


def load_windows(path, T_x, stride, val_fraction):
    """
    Lower-cased text -> vocabulary and (X, Y) windows for training and validation.

    Returns:
    chars -- vocabulary
    n_windows -- number of windows over the whole text (31,412 for the Sonnets)
    (X_train, Y_train), (X_val, Y_val) -- int arrays (n, T_x); Y is X shifted by one character
    """
    with open(path, encoding="utf-8") as f:
        text = f.read().lower()
    chars = build_vocab(text)
    data = encode(text, chars)
    starts = np.arange(0, len(data) - T_x, stride)  # every window needs T_x + 1 characters
    split = int(len(data) * (1 - val_fraction))
    train = starts[starts + T_x + 1 <= split]
    val = starts[starts >= split]
    offsets = np.arange(T_x)

    def windows(s):
        return data[s[:, None] + offsets], data[s[:, None] + offsets + 1]  # (n, T_x) each

    return chars, len(starts), windows(train), windows(val)


def evaluate(model, X, Y, batch_size=512):
    """Mean loss per character over all positions, and on the last position only (nats)."""
    total, last, n = 0.0, 0.0, 0
    for i in range(0, len(X), batch_size):
        xb, yb = X[i:i + batch_size], Y[i:i + batch_size]
        logits, loss, _ = model.forward(xb, yb)
        z = logits[:, -1].astype(np.float64)  # (m, vocab_size)
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        last += float(-logp[np.arange(len(xb)), yb[:, -1]].sum())
        total += loss * len(xb)
        n += len(xb)
    return total / n, last / n


# -----------------------------------------------------------------------------
# training


def main():
    parser = argparse.ArgumentParser(description="Pretrain the Shakespeare LSTM.")
    parser.add_argument("--out", default=os.path.join(ROOT, "data", "shakespeare_lstm.npz"))
    parser.add_argument("--epochs", type=int, default=Config.epochs)
    args = parser.parse_args()
    cfg = Config(epochs=args.epochs)

    chars, n_windows, (X, Y), (Xv, Yv) = load_windows(
        os.path.join(ROOT, "data", "shakespeare.txt"), cfg.T_x, cfg.stride, cfg.val_fraction)
    print(f"vocab_size={len(chars)}, windows={n_windows:,} (train {len(X):,}, val {len(Xv):,})")

    model = CharRNN(len(chars), n_a=cfg.n_a, n_layers=cfg.n_layers, dropout=cfg.dropout,
                    seed=cfg.seed)
    opt = Adam(model.params, lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed)
    steps_per_epoch = len(X) // cfg.batch_size
    total_steps, step = cfg.epochs * steps_per_epoch, 0
    history = []
    t0 = time.time()
    for epoch in range(cfg.epochs):
        order = rng.permutation(len(X))
        losses = []
        for b in range(steps_per_epoch):
            opt.lr = cfg.lr * (0.55 + 0.45 * np.cos(np.pi * step / total_steps))  # lr -> lr / 10
            batch = order[b * cfg.batch_size:(b + 1) * cfg.batch_size]
            _, loss, _ = model.forward(X[batch], Y[batch], train=True)
            grads = model.backward()
            clip_grad_norm(grads, cfg.clip)
            opt.step(grads)
            losses.append(loss)
            step += 1
        val, val_last = evaluate(model, Xv, Yv)
        history.append((float(np.mean(losses)), val))
        print(f"epoch {epoch + 1:2d}: train {np.mean(losses):.4f} (with dropout), val {val:.4f}, "
              f"val last char {val_last:.4f}  [{time.time() - t0:.0f}s]", flush=True)

    train, train_last = evaluate(model, X, Y)
    val, val_last = evaluate(model, Xv, Yv)
    print(f"final: train {train:.4f} (last char {train_last:.4f}), "
          f"val {val:.4f} (last char {val_last:.4f}) nats/char")
    extra = dict(asdict(cfg), train_loss=train, train_loss_last_char=train_last, val_loss=val,
                 val_loss_last_char=val_last, history=history, n_windows=n_windows,
                 command="python tools/pretrain_shakespeare.py")
    model.save(args.out, chars, extra=extra)
    print(f"saved {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
