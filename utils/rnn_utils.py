"""Helpers for the Dinosaur Island assignment: a character-level vanilla RNN in numpy.

The model reads one character at a time and predicts the next one:

    a<t+1> = tanh(Wax x<t> + Waa a<t> + b)        # (n_a, 1)
    y<t+1> = softmax(Wya a<t+1> + by)             # (n_y, 1)

Dimension names used throughout: n_x input size (= vocab_size, one-hot characters),
n_a hidden size, n_y output size (= vocab_size), T_x number of time steps.
Vectors are columns of shape (n, 1), as in the assignment.

What is here: the numerics the learner is given (softmax, the forward and backward
passes, the parameter update, loss smoothing) and the data loader. What is deliberately
not here: clip, sample, optimize and model -- the learner writes those.

This file is the single hand-maintained copy. The build copies it, unchanged, into each
assignment folder that needs it so that a released folder runs on its own.
"""

import os

import numpy as np

__all__ = [
    "DataError",
    "load_dinos",
    "softmax",
    "smooth",
    "print_sample",
    "get_sample",
    "get_initial_loss",
    "initialize_parameters",
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "update_parameters",
]

NEWLINE = "\n"
VOCABULARY = NEWLINE + "abcdefghijklmnopqrstuvwxyz"  # the 27 symbols, in sorted order


# -----------------------------------------------------------------------------
# data


class DataError(ValueError):
    """A data file is missing, empty or holds characters the model cannot represent.

    In a notebook the error shows as one line (no numpy traceback), because the
    message alone says what is wrong and how to fix it.
    """

    def _render_traceback_(self):  # used by IPython instead of the full traceback
        return [f"DataError: {self}"]


def load_dinos(path="dinos.txt"):
    """Read the dinosaur names and build the character vocabulary.

    Arguments:
    path -- text file with one name per line

    Returns:
    data -- the whole file lower-cased, a str
    char_to_ix -- dict mapping each of the 27 symbols ('\\n', 'a'..'z') to 0..26
    ix_to_char -- the inverse dict, 0..26 -> symbol

    Raises DataError when the file is missing, empty, or holds a character other than
    a-z (either case) and newlines.
    """
    if not os.path.isfile(path):
        raise DataError(
            f"cannot find the names file {path!r}: it should hold the 1,536 dinosaur names, "
            "one per line (run `make` to restore the course's copy)"
        )
    with open(path, encoding="utf-8", errors="replace") as f:
        data = f.read().lower()
    if not data.strip():
        raise DataError(f"the names file {path!r} is empty: it should hold one dinosaur name per line")
    unknown = sorted(set(data) - set(VOCABULARY))
    if unknown:
        line_no = next(i for i, line in enumerate(data.split(NEWLINE), 1) if set(line) & set(unknown))
        shown = ", ".join(repr(c) for c in unknown[:10])
        raise DataError(
            f"the names file {path!r} holds characters outside the vocabulary ('\\n' and a-z): "
            f"{shown} (first on line {line_no})"
        )
    char_to_ix = {ch: i for i, ch in enumerate(VOCABULARY)}
    ix_to_char = {i: ch for i, ch in enumerate(VOCABULARY)}
    return data, char_to_ix, ix_to_char


# -----------------------------------------------------------------------------
# small helpers


def softmax(x):
    """Softmax over axis 0, shifted by the maximum for stability.

    Arguments:
    x -- scores, shape (n_y, m)

    Returns:
    probabilities of the same shape, each column summing to 1
    """
    e_x = np.exp(x - x.max())
    return e_x / e_x.sum(axis=0)


def smooth(loss, cur_loss):
    """Exponential moving average used to report a readable training loss."""
    return loss * 0.999 + cur_loss * 0.001


def get_initial_loss(vocab_size, seq_length):
    """Loss of a model that guesses uniformly: -log(1/vocab_size) per character, seq_length characters."""
    return -np.log(1.0 / vocab_size) * seq_length


def get_sample(sample_ix, ix_to_char):
    """Turn a list of indices into a name with a capital first letter (the newline is kept)."""
    txt = "".join(ix_to_char[ix] for ix in sample_ix)
    return txt[0].upper() + txt[1:]


def print_sample(sample_ix, ix_to_char):
    """Print the name given by a list of indices, capitalised, without its newline."""
    print(get_sample(sample_ix, ix_to_char).rstrip(NEWLINE), end=NEWLINE)


# -----------------------------------------------------------------------------
# parameters


def initialize_parameters(n_a, n_x, n_y):
    """Small random weights and zero biases, drawn with seed 1.

    Arguments:
    n_a -- number of hidden units
    n_x -- input size (vocab_size)
    n_y -- output size (vocab_size)

    Returns:
    parameters -- dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), b (n_a, 1), by (n_y, 1)
    """
    np.random.seed(1)
    Wax = np.random.randn(n_a, n_x) * 0.01  # input to hidden
    Waa = np.random.randn(n_a, n_a) * 0.01  # hidden to hidden
    Wya = np.random.randn(n_y, n_a) * 0.01  # hidden to output
    b = np.zeros((n_a, 1))
    by = np.zeros((n_y, 1))
    return {"Wax": Wax, "Waa": Waa, "Wya": Wya, "b": b, "by": by}


def update_parameters(parameters, gradients, lr):
    """One step of gradient descent, in place: W -= lr * dW for every parameter.

    Arguments:
    parameters -- dict of arrays, changed in place
    gradients -- dict with the same keys prefixed by 'd'
    lr -- learning rate

    Returns:
    parameters -- the same dict
    """
    for name in ("Wax", "Waa", "Wya", "b", "by"):
        parameters[name] += -lr * gradients["d" + name]
    return parameters


# -----------------------------------------------------------------------------
# forward and backward passes


def rnn_step_forward(parameters, a_prev, x):
    """One time step of the RNN.

    Arguments:
    parameters -- dict with Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), b (n_a, 1), by (n_y, 1)
    a_prev -- hidden state, shape (n_a, 1)
    x -- one-hot input, shape (n_x, 1)

    Returns:
    a_next -- new hidden state, shape (n_a, 1)
    p_t -- probabilities of the next character, shape (n_y, 1)
    """
    a_next = np.tanh(np.dot(parameters["Wax"], x) + np.dot(parameters["Waa"], a_prev) + parameters["b"])  # (n_a, 1)
    p_t = softmax(np.dot(parameters["Wya"], a_next) + parameters["by"])  # (n_y, 1)
    return a_next, p_t


def rnn_step_backward(dy, gradients, parameters, x, a, a_prev):
    """Backward through one time step, accumulating into `gradients`.

    Arguments:
    dy -- gradient of the loss with respect to the output scores, shape (n_y, 1)
    gradients -- dict dWax, dWaa, dWya, db, dby (accumulated with +=) and da_next,
                 the gradient flowing into this step's hidden state from the step after it
    parameters -- dict of weights as in rnn_step_forward
    x -- this step's input, shape (n_x, 1)
    a -- this step's hidden state, shape (n_a, 1)
    a_prev -- the previous hidden state, shape (n_a, 1)

    Returns:
    gradients -- the same dict; da_next now holds the gradient for the previous step
    """
    gradients["dWya"] += np.dot(dy, a.T)
    gradients["dby"] += dy
    da = np.dot(parameters["Wya"].T, dy) + gradients["da_next"]  # (n_a, 1)
    daraw = (1 - a * a) * da  # through tanh
    gradients["db"] += daraw
    gradients["dWax"] += np.dot(daraw, x.T)
    gradients["dWaa"] += np.dot(daraw, a_prev.T)
    gradients["da_next"] = np.dot(parameters["Waa"].T, daraw)
    return gradients


def rnn_forward(X, Y, a0, parameters, vocab_size=27):
    """Run the RNN over one example and sum the cross-entropy loss.

    Arguments:
    X -- list of T_x input indices; X[0] may be None, meaning a zero input vector
    Y -- list of T_x target indices
    a0 -- initial hidden state, shape (n_a, 1)
    parameters -- dict of weights as in rnn_step_forward
    vocab_size -- n_x = n_y

    Returns:
    loss -- summed cross-entropy over the T_x steps, a float
    cache -- (y_hat, a, x): dicts keyed by time step; a[-1] is a copy of a0
    """
    if len(X) != len(Y):
        raise ValueError(f"X and Y must have the same length, got {len(X)} and {len(Y)}")
    x, a, y_hat = {}, {}, {}
    a[-1] = np.copy(a0)
    loss = 0
    for t in range(len(X)):
        x[t] = np.zeros((vocab_size, 1))
        if X[t] is not None:
            x[t][X[t]] = 1
        a[t], y_hat[t] = rnn_step_forward(parameters, a[t - 1], x[t])
        loss -= np.log(y_hat[t][Y[t], 0])
    return loss, (y_hat, a, x)


def rnn_backward(X, Y, parameters, cache):
    """Backpropagation through time for one example.

    Arguments:
    X, Y -- the lists given to rnn_forward
    parameters -- dict of weights
    cache -- from rnn_forward

    Returns:
    gradients -- dict dWax, dWaa, dWya, db, dby with the parameters' shapes (and da_next)
    a -- the hidden states from the cache, a dict keyed by time step
    """
    y_hat, a, x = cache
    gradients = {
        "dWax": np.zeros_like(parameters["Wax"]),
        "dWaa": np.zeros_like(parameters["Waa"]),
        "dWya": np.zeros_like(parameters["Wya"]),
        "db": np.zeros_like(parameters["b"]),
        "dby": np.zeros_like(parameters["by"]),
        "da_next": np.zeros_like(a[0]),
    }
    for t in reversed(range(len(X))):
        dy = np.copy(y_hat[t])
        dy[Y[t]] -= 1  # softmax + cross-entropy
        gradients = rnn_step_backward(dy, gradients, parameters, x[t], a[t], a[t - 1])
    return gradients, a
