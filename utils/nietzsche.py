"""
Models and training loop of the Nietzsche assignment, built on the toolkit in lstm.py.

What is here, top to bottom:
  1. the corpus: loading with clear errors, the held-out split (the last 10% of the text);
  2. the backward pass of the hand-unrolled model (the learner writes its forward pass);
  3. the five models behind one interface (`loss_and_grads`, `loss`, `predict`):
     `UnrolledModel` (3-char and 8-char loops), `LastStepRNN` (embedding -> tanh RNN layer ->
     softmax on the last step) and `StatefulModel` (tanh RNN or LSTM, state carried between
     batches, a prediction at every step);
  4. `StatefulWriter`: text from a stateful model, the state carried from call to call;
  5. `fit`: Adam over mini-batches with a progress bar, per-epoch timing, the epoch's mean
     training loss (as Keras reports it) and the held-out loss; `evaluate`.

What it deliberately leaves out: the data preparation, the hand-unrolled forward pass and the
text generation. Those are the learner's exercises in the notebook; the unrolled model takes
its forward function as an argument so that the notebook's own function is the one trained.

Conventions are those of lstm.py: features first, so a batch of hidden states is (n_a, m);
integer windows come batch first, X (m, T_x). Logits are (vocab_size, m) for models that
predict one next character per window and (vocab_size, T_x * m) (column t * m + i = step t of
window i) for the stateful models, which predict every next character.
"""

import os
import time

import numpy as np
from lstm import (
    Adam,
    CharRNN,
    build_vocab,
    clip_grad_norm,
    dense_backward,
    dense_forward,
    embedding_backward,
    embedding_forward,
    encode,
    rnn_backward,
    rnn_forward,
    sample_index,
    softmax_cross_entropy,
)
from progress import progress_bar

# -----------------------------------------------------------------------------
# the corpus


class NietzscheDataError(ValueError):
    """The corpus or the data handed to a data-preparation function cannot be used."""


def load_text(path="nietzsche.txt"):
    """
    Read a UTF-8 corpus and lower-case it.

    Arguments:
    path -- file name

    Returns:
    text -- the lower-cased text

    Raises:
    NietzscheDataError if the file is missing or empty
    """
    if not os.path.isfile(path):
        raise NietzscheDataError(f"{path!r} not found: the corpus ships with the assignment folder "
                                 f"(in the course repository, run `make sync`)")
    with open(path, encoding="utf-8") as f:
        text = f.read().lower()
    if not text:
        raise NietzscheDataError(f"{path!r} is empty: restore the original file")
    return text


def split_text(text, holdout=0.1):
    """
    Split a text into a training part and a held-out part (its last `holdout` fraction).

    Arguments:
    text -- a string (or any sequence)
    holdout -- fraction of the text kept for the held-out loss, in (0, 1)

    Returns:
    train, held_out -- text[:n_train] and text[n_train:], n_train = int(len(text) * (1 - holdout))
    """
    if not 0 < holdout < 1:
        raise ValueError(f"holdout must be in (0, 1), got {holdout}")
    n_train = int(len(text) * (1 - holdout))
    return text[:n_train], text[n_train:]


def prepare(path="nietzsche.txt", holdout=0.1):
    """
    Load the corpus, build its vocabulary and encode both parts of the split.

    Returns:
    chars -- sorted vocabulary (list of characters)
    train_idx, held_idx -- int64 arrays of character indices
    """
    text = load_text(path)
    chars = build_vocab(text)
    train, held = split_text(text, holdout)
    return chars, encode(train, chars), encode(held, chars)


# -----------------------------------------------------------------------------
# the hand-unrolled model: parameters and backward pass


def init_unrolled_params(vocab_size, n_embd=42, n_a=256, seed=0, dtype=np.float32, hidden_init="identity"):
    """
    Parameters of the hand-unrolled model, as the learner's forward pass expects them.

    Arguments:
    vocab_size -- number of characters (input and output size, the full vocabulary)
    n_embd -- embedding size
    n_a -- hidden units
    seed -- seed of the initialisation
    hidden_init -- "identity" (Wh = I: at the start each step adds its character to a running sum)
                   or "glorot" (Glorot uniform, as the other dense layers)

    Returns:
    params -- dict:
        We (n_embd, vocab_size) embedding, normal(0, 0.05)
        Wc (n_a, n_embd), bc (n_a, 1) the per-character dense layer (relu), Glorot uniform
        Wh (n_a, n_a), bh (n_a, 1) the hidden layer (tanh), see hidden_init
        Wy (vocab_size, n_a), by (vocab_size, 1) the output layer, Glorot uniform
    """
    rng = np.random.default_rng(seed)

    def glorot(n_out, n_in):
        s = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-s, s, (n_out, n_in))

    if hidden_init not in ("identity", "glorot"):
        raise ValueError(f"hidden_init must be 'identity' or 'glorot', got {hidden_init!r}")
    params = {
        "We": rng.normal(0.0, 0.05, (n_embd, vocab_size)),
        "Wc": glorot(n_a, n_embd), "bc": np.zeros((n_a, 1)),
        "Wh": np.eye(n_a) if hidden_init == "identity" else glorot(n_a, n_a), "bh": np.zeros((n_a, 1)),
        "Wy": glorot(vocab_size, n_a), "by": np.zeros((vocab_size, 1)),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def unrolled_backward(dlogits, cache, params):
    """
    Backward pass of the hand-unrolled model

        c_t = relu(Wc We[:, x_t] + bc),  h_t = tanh(Wh (c_t + h_{t-1}) + bh),  h_0 = 0,
        logits = Wy h_T + by.

    Arguments:
    dlogits -- gradient of the loss w.r.t. the logits, (vocab_size, m)
    cache -- (X, c, h) from the forward pass: X (m, T_x) integer windows, c (T_x, n_a, m) the
             relu outputs, h (T_x, n_a, m) the hidden state after each step
    params -- the parameters the forward pass used

    Returns:
    grads -- dict with the keys and shapes of params
    """
    X, c, h = cache
    X = np.asarray(X)
    T_x, n_a, m = c.shape
    Wh, Wc, Wy = params["Wh"], params["Wc"], params["Wy"]
    dtype = np.result_type(dlogits.dtype, Wh.dtype)
    grads = {"Wh": np.zeros_like(Wh, dtype=dtype), "bh": np.zeros((n_a, 1), dtype=dtype)}
    dh, grads["Wy"], grads["by"] = dense_backward(dlogits, (h[-1], Wy))  # dh (n_a, m)
    dc = np.empty((n_a, T_x, m), dtype=dtype)  # gradient w.r.t. the relu inputs, every step
    zero = np.zeros((n_a, m), dtype=dtype)
    for t in range(T_x - 1, -1, -1):
        da = dh * (1.0 - h[t] ** 2)  # through the tanh, (n_a, m)
        s = c[t] + (h[t - 1] if t > 0 else zero)  # what the hidden layer saw
        grads["Wh"] += da @ s.T
        grads["bh"] += da.sum(axis=1, keepdims=True)
        ds = Wh.T @ da  # gradient w.r.t. c_t + h_{t-1}: both summands get all of it
        dc[:, t] = ds * (c[t] > 0)
        dh = ds
    idx = np.ascontiguousarray(X.T)  # (T_x, m), the column order of dc
    e, emb_cache = embedding_forward(idx, params["We"])  # (n_embd, T_x, m)
    de, grads["Wc"], grads["bc"] = dense_backward(dc, (e, Wc))
    grads["We"] = embedding_backward(de, emb_cache)
    return {k: grads[k] for k in params}


# -----------------------------------------------------------------------------
# the five models behind one interface


class UnrolledModel:
    """
    Hand-unrolled model (3-char or 8-char loop) around a forward function of the form
    forward(X, params) -> (logits (vocab_size, m), cache (X, c, h)).
    """

    stateful = False

    def __init__(self, forward, vocab_size, n_embd=42, n_a=256, seed=0, dtype=np.float32, hidden_init="identity"):
        self.forward = forward
        self.params = init_unrolled_params(vocab_size, n_embd, n_a, seed, dtype, hidden_init)

    def predict(self, X, state=None):
        """Logits of the next character after each window: (vocab_size, m), and None."""
        logits, _ = self.forward(np.asarray(X), self.params)
        return logits, None

    def loss(self, X, Y, state=None):
        """Mean cross-entropy (nats) of the next characters Y (m,), and None."""
        logits, _ = self.predict(X)
        return softmax_cross_entropy(logits, np.asarray(Y))[0], None

    def loss_and_grads(self, X, Y, state=None):
        """Loss, gradients (dict like params) and None."""
        logits, cache = self.forward(np.asarray(X), self.params)
        loss, dlogits = softmax_cross_entropy(logits, np.asarray(Y))
        return loss, unrolled_backward(dlogits, cache, self.params), None


class LastStepRNN:
    """
    Embedding -> tanh RNN layer (zero initial state) -> softmax on the last step's output:
    the recurrent layer version of the 8-char loop. Parameters as in CharRNN
    (We, Wx0, Wh0, b0, Wy, by).
    """

    stateful = False

    def __init__(self, vocab_size, n_embd=42, n_a=256, seed=0, dtype=np.float32):
        self.config = {"vocab_size": vocab_size, "n_a": n_a, "n_layers": 1, "cell": "rnn", "n_embd": n_embd,
                       "dropout": 0.0}
        self.params = CharRNN.init_params(self.config, seed, dtype)

    def _forward(self, X, state=None):
        P = self.params
        idx = np.ascontiguousarray(np.asarray(X).T)  # (T_x, m)
        x, emb_cache = embedding_forward(idx, P["We"])  # (n_embd, T_x, m)
        h0 = state if state is not None else np.zeros((P["Wh0"].shape[0], idx.shape[1]), P["Wh0"].dtype)
        h, rnn_cache = rnn_forward(x, h0, P["Wx0"], P["Wh0"], P["b0"])  # (n_a, T_x, m)
        logits, dense_cache = dense_forward(h[:, -1], P["Wy"], P["by"])  # (vocab_size, m)
        return logits, (emb_cache, rnn_cache, dense_cache, h.shape)

    def predict(self, X, state=None):
        logits, _ = self._forward(X)
        return logits, None

    def loss(self, X, Y, state=None):
        logits, _ = self._forward(X)
        return softmax_cross_entropy(logits, np.asarray(Y))[0], None

    def loss_and_grads(self, X, Y, state=None):
        logits, (emb_cache, rnn_cache, dense_cache, h_shape) = self._forward(X)
        loss, dlogits = softmax_cross_entropy(logits, np.asarray(Y))
        grads = {}
        dh_last, grads["Wy"], grads["by"] = dense_backward(dlogits, dense_cache)
        dh = np.zeros(h_shape, dtype=dh_last.dtype)
        dh[:, -1] = dh_last  # only the last step feeds the output
        dx, _, grads["Wx0"], grads["Wh0"], grads["b0"] = rnn_backward(dh, rnn_cache)
        grads["We"] = embedding_backward(dx, emb_cache)
        return loss, grads, None


class StatefulModel:
    """
    Embedding -> one tanh RNN or LSTM layer -> softmax at every step, with the state carried
    from one batch to the next (a CharRNN with one layer). Targets Y are (m, T_x).
    """

    stateful = True

    def __init__(self, vocab_size, n_embd=42, n_a=256, cell="rnn", seed=0, dtype=np.float32):
        self.net = CharRNN(vocab_size, n_a=n_a, n_layers=1, cell=cell, n_embd=n_embd, seed=seed, dtype=dtype)
        self.params = self.net.params

    def predict(self, X, state=None):
        """Logits after every character, (vocab_size, T_x * m) in (step, window) order, and the state."""
        logits, _, state = self.net.forward(np.asarray(X), state=state)
        m, T_x, V = logits.shape
        return logits.transpose(2, 1, 0).reshape(V, T_x * m), state

    def loss(self, X, Y, state=None):
        _, loss, state = self.net.forward(np.asarray(X), np.asarray(Y), state=state)
        return loss, state

    def loss_and_grads(self, X, Y, state=None):
        _, loss, state = self.net.forward(np.asarray(X), np.asarray(Y), state=state, train=True)
        return loss, self.net.backward(), state


def keras_init(model, seed=0, hidden_identity=False):
    """
    Re-draw a model's parameters with the Keras defaults the original ran with, in place.

    Embeddings uniform(-0.05, 0.05); dense and input kernels Glorot uniform (limit
    sqrt(6 / (fan_in + fan_out)), fans of the whole matrix, so an LSTM's four gates share one
    limit); recurrent kernels orthogonal (an LSTM's (4 n_a, n_a) matrix has orthonormal
    columns, as Keras' (n_a, 4 n_a) kernel has orthonormal rows); zero biases, except the LSTM
    forget gate's, which Keras starts at 1 (its LSTM default unit_forget_bias=True).

    Arguments:
    model -- an UnrolledModel, LastStepRNN or StatefulModel
    seed -- seed of the draws
    hidden_identity -- UnrolledModel only: start Wh at the identity instead of Glorot uniform

    Returns:
    model -- the same object, its params replaced in place (an optimizer made before still works)
    """
    rng = np.random.default_rng(seed)
    P = model.params

    def glorot(shape):
        s = np.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-s, s, shape)

    def orthogonal(shape):
        q, r = np.linalg.qr(rng.normal(0.0, 1.0, (max(shape), min(shape))))
        q *= np.sign(np.diag(r))  # a uniformly random orthogonal matrix, not one biased by the QR's signs
        return q if shape[0] >= shape[1] else q.T

    for name in sorted(P):
        shape = P[name].shape
        if name == "We":
            new = rng.uniform(-0.05, 0.05, shape)
        elif name.startswith("b"):
            new = np.zeros(shape)
            if name == "b0" and getattr(model, "net", None) is not None and model.net.config["cell"] == "lstm":
                n_a = shape[0] // 4
                new[n_a:2 * n_a] = 1.0  # forget gate (gate order i, f, o, g in lstm.py)
        elif name in ("Wh0",):
            new = orthogonal(shape)
        elif name == "Wh" and hidden_identity:
            new = np.eye(shape[0])
        else:  # Wc, Wh (unrolled), Wx0, Wy
            new = glorot(shape)
        P[name][...] = new
    return model


class StatefulWriter:
    """
    Text from a stateful model one character at a time, with the state carried from call to call.

    read(text) feeds characters through the model; write(n, temperature) draws n characters, each
    fed back as the next input. Both continue from the state the previous call left, so two calls
    of write(200) give the same 400 characters as one write(400). reset() returns to the zero
    state; the random generator is seeded once, when the writer is made.

    Arguments (constructor):
    model -- a StatefulModel (or a CharRNN)
    chars -- the model's vocabulary
    seed -- seed of the sampling generator
    """

    def __init__(self, model, chars, seed=0):
        self.net = getattr(model, "net", model)
        self.chars = list(chars)
        self.rng = np.random.default_rng(seed)
        self.reset()

    def reset(self):
        """Forget everything read and written: back to the zero state."""
        self.state, self.logits = None, None

    def _feed(self, idx):
        logits, _, state = self.net.forward(np.asarray(idx)[None, :], state=self.state)
        # copies: the model reuses its buffers, so its returned state lives for one call only
        self.state = [tuple(np.array(a) for a in layer) for layer in state]
        self.logits = np.array(logits[0, -1])  # (vocab_size,) scores of the next character

    def read(self, text):
        """Feed a text through the model (no output); returns the writer, so calls can chain."""
        idx = encode(text, self.chars)
        if len(idx):
            self._feed(idx)
        return self

    def write(self, n, temperature=1.0):
        """
        Draw n characters, each fed back as the next input.

        Arguments:
        n -- number of characters
        temperature -- sampling temperature; 0 means greedy (always the most likely character)

        Returns:
        text -- the n characters (if nothing was read since the last reset, the model starts
                from a newline)
        """
        if self.logits is None:
            self.read("\n")
        out = []
        for _ in range(n):
            ix = sample_index(self.logits, temperature, rng=self.rng)
            out.append(self.chars[ix])
            self._feed([ix])
        return "".join(out)


def n_params(model):
    """Number of trainable parameters of a model (its params dict)."""
    return int(sum(p.size for p in model.params.values()))


def last_logits(model, X, state=None):
    """Logits of the character after each window, (vocab_size, m), for any of the models above."""
    logits, _ = model.predict(X, state)
    m = np.asarray(X).shape[0]
    return logits[:, -m:]  # stateful models: the last step's columns


# -----------------------------------------------------------------------------
# training


def evaluate(model, X, Y, batch_size=512):
    """
    Mean cross-entropy (nats per predicted character) of a model on a data set.

    Stateful models walk the rows in order with the state carried (rows k and k + batch_size
    are consecutive pieces of one stream), starting from a zero state.

    Arguments:
    model -- one of the models above
    X -- (N, T_x) integer windows; Y -- (N,) or (N, T_x) targets
    batch_size -- rows per call; for stateful models the number of streams

    Returns:
    loss -- a float
    """
    total, count, state = 0.0, 0, None
    N = len(X)
    if model.stateful:
        N -= N % batch_size
    for start in range(0, N, batch_size):
        xb, yb = X[start:start + batch_size], Y[start:start + batch_size]
        loss, state = model.loss(xb, yb, state if model.stateful else None)
        total += loss * len(xb)
        count += len(xb)
    return total / count


def _progress(total, desc, progress):
    """A live progress bar (progress.py: none under nbval and the autograder), or None when disabled."""
    return progress_bar(total, desc) if progress else None


def fit(model, X, Y, epochs, lr, batch_size=512, X_val=None, Y_val=None, optimizer=None, seed=0,
        clip=None, max_batches=None, label="", progress=True, verbose=True, history=None):
    """
    Train a model with Adam and record the loss of every epoch.

    Non-stateful models see the rows in a new random order every epoch (seeded); stateful
    models see them in order, batch_size rows at a time, with the state reset at the start
    of every epoch and carried between batches.

    Arguments:
    model -- one of the models above
    X, Y -- training windows and targets, as the model expects them
    epochs -- number of passes over the data
    lr -- learning rate (also applied to a passed optimizer)
    batch_size -- rows per update (for stateful models: the number of parallel streams)
    X_val, Y_val -- held-out windows and targets, or None
    optimizer -- an Adam to continue with (its moments are kept), or None for a new one
    seed -- seed of the shuffling
    clip -- if given, clip the gradients to this global norm
    max_batches -- if given, stop each epoch after this many batches (quick runs)
    label -- name shown in the progress bar and the log
    progress, verbose -- show a progress bar / print one line per epoch
    history -- a history dict to extend (continued training), or None

    Returns:
    history -- dict with lists "train", "held_out", "seconds" (one entry per epoch) and the
               optimizer under "optimizer"
    """
    if optimizer is None:
        optimizer = Adam(model.params, lr=lr)
    optimizer.lr = lr
    if history is None:
        history = {"train": [], "held_out": [], "seconds": []}
    history["optimizer"] = optimizer
    rng = np.random.default_rng(seed)
    N = len(X)
    if model.stateful:
        N -= N % batch_size
    n_batches = -(-N // batch_size)
    if max_batches is not None:
        n_batches = min(n_batches, max_batches)
    for _ in range(epochs):
        start_time = time.perf_counter()
        order = None if model.stateful else rng.permutation(len(X))
        state, total, count = None, 0.0, 0
        bar = _progress(n_batches, f"{label} epoch {len(history['train']) + 1}", progress)
        for b in range(n_batches):
            rows = slice(b * batch_size, (b + 1) * batch_size)
            if order is None:
                xb, yb = X[rows], Y[rows]
            else:
                xb, yb = X[order[rows]], Y[order[rows]]
            loss, grads, state = model.loss_and_grads(xb, yb, state)
            if clip is not None:
                clip_grad_norm(grads, clip)
            optimizer.step(grads)
            total += loss * len(xb)
            count += len(xb)
            if bar is not None:
                bar.update(1, loss=total / count)
        if bar is not None:
            bar.close()
        history["train"].append(total / count)
        held = evaluate(model, X_val, Y_val, batch_size) if X_val is not None else float("nan")
        history["held_out"].append(held)
        history["seconds"].append(time.perf_counter() - start_time)
        if verbose:
            print(f"{label} epoch {len(history['train']):2d}: train loss {history['train'][-1]:.4f}, "
                  f"held-out loss {held:.4f}, lr {lr:g}, {history['seconds'][-1]:.1f} s")
    return history
