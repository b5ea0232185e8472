"""
A small, fast numpy toolkit for character-level recurrent language models.

What is here, top to bottom:
  1. layers as forward/backward pairs: LSTM step and sequence (carried state, usable for
     truncated BPTT; optional reusable `Workspace` buffers), a plain tanh RNN step and
     sequence, embedding, dense, softmax cross-entropy, dropout;
  2. a stacked recurrent language model (`CharRNN`) with one `forward`/`backward` signature;
  3. optimizers over dicts of parameters (SGD with momentum, Adam) and clipping by global norm;
  4. vocabulary helpers and sampling (temperature, top-k, greedy, seeded, prime text of any
     length, length cap, optional stop character);
  5. checkpoints: parameters + vocabulary + config in one `.npz`, with clear errors.

What it deliberately leaves out: autograd, GPUs, attention, bidirectional layers, masking of
padded sequences. The module imports nothing but numpy and the standard library, so it can be
copied verbatim into a self-contained assignment folder.

Conventions
-----------
Dimension names: n_x input size, n_a hidden size, n_y output size, m batch size,
T_x time steps, vocab_size number of distinct characters.

Layout: FEATURES FIRST, one column per example (as in the course's earlier notebooks).
A batch at one time step is (n_x, m); a sequence is (n_x, T_x, m), so the input of step t is
x[:, t] and the columns of x.reshape(n_x, T_x * m) are all (step, example) pairs. That lets
every weight gradient and every input projection be ONE matmul over T_x*m columns, with no
transposes. The `CharRNN` model takes integer windows as they come from the data, (m, T_x).

LSTM weights are two fused matrices plus a bias (separate Wx and Wh, not one stacked W):
    Wx : (4 n_a, n_x)   input-to-gates
    Wh : (4 n_a, n_a)   hidden-to-gates
    b  : (4 n_a, 1)
Gate order along the first axis is [i | f | o | g]:
    i = sigmoid(a[0:n_a])          input gate
    f = sigmoid(a[n_a:2 n_a])      forget gate
    o = sigmoid(a[2 n_a:3 n_a])    output gate
    g = tanh(a[3 n_a:4 n_a])       candidate cell value
with a = Wx @ x_t + Wh @ h_prev + b,  c_t = f * c_prev + i * g,  h_t = o * tanh(c_t).
The tanh RNN uses Wx (n_a, n_x), Wh (n_a, n_a), b (n_a, 1); dense layers W (n_out, n_in),
b (n_out, 1); embeddings W (n_x, vocab_size).

Every backward returns gradients in the order of its forward's inputs, named `d` + input.
The step functions are the readable reference; the sequence functions are the same
mathematics with the input projections of all time steps done in one call before the loop,
the four gate nonlinearities done by one tanh call, per-step blocks kept contiguous (BLAS
and the element-wise passes are both faster on them), in-place updates into reused buffers,
the weight gradients done after the loop as one matmul each over T_x*m columns, and no
work spent on a zero initial state (no Wh @ h0, no dWh term) or on initial-state gradients
nobody asked for (the tests check that both paths give the same numbers).
"""

import json
import os
import zipfile

import numpy as np

# -----------------------------------------------------------------------------
# small helpers


def sigmoid(x):
    """
    Numerically stable logistic function, 1 / (1 + exp(-x)), computed as 0.5 (1 + tanh(x / 2)).

    Arguments:
    x -- array of any shape

    Returns:
    s -- array of the same shape and dtype as x
    """
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _sigmoid_inplace(a):
    """Overwrite a with sigmoid(a) without temporaries (4 in-place passes)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class Workspace:
    """
    Reusable buffers for one layer's forward and backward passes.

    Allocating fresh multi-megabyte arrays on every call makes the operating system hand out
    (and zero) new memory pages each time; passing the same Workspace to successive calls
    reuses the arrays instead. The price: everything a call returns (outputs, state, cache,
    gradients) lives in these buffers and is overwritten by the next call with the same
    workspace, so use one workspace per layer and consume gradients before the next backward.
    """

    def __init__(self):
        self._buffers = {}

    def get(self, name, shape, dtype):
        """
        An uninitialised array for `name`, reused when shape and dtype match the last request.

        Arguments:
        name -- buffer name, unique within the workspace
        shape -- tuple
        dtype -- numpy dtype

        Returns:
        array -- of the requested shape and dtype (contents undefined)
        """
        a = self._buffers.get(name)
        if a is None or a.shape != tuple(shape) or a.dtype != dtype:
            a = np.empty(shape, dtype=dtype)
            self._buffers[name] = a
        return a


def _buffer(ws, name, shape, dtype):
    """np.empty, or a reused buffer from the workspace ws if one is given."""
    return np.empty(shape, dtype=dtype) if ws is None else ws.get(name, shape, dtype)


# -----------------------------------------------------------------------------
# LSTM: one step (reference implementation)


def lstm_step_forward(xt, h_prev, c_prev, Wx, Wh, b):
    """
    One time step of an LSTM over a batch.

    Arguments:
    xt -- input at this step, (n_x, m)
    h_prev -- previous hidden state, (n_a, m)
    c_prev -- previous cell state, (n_a, m)
    Wx -- input-to-gates weights, (4 n_a, n_x), gate order [i | f | o | g]
    Wh -- hidden-to-gates weights, (4 n_a, n_a)
    b -- gate biases, (4 n_a, 1)

    Returns:
    h_next -- next hidden state, (n_a, m)
    c_next -- next cell state, (n_a, m)
    cache -- (xt, h_prev, c_prev, i, f, o, g, tanh_c, Wx, Wh) for lstm_step_backward
    """
    n_a = Wh.shape[1]
    a = Wx @ xt + Wh @ h_prev + b  # (4 n_a, m)
    i = sigmoid(a[:n_a])  # (n_a, m)
    f = sigmoid(a[n_a:2 * n_a])
    o = sigmoid(a[2 * n_a:3 * n_a])
    g = np.tanh(a[3 * n_a:])
    c_next = f * c_prev + i * g  # (n_a, m)
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c  # (n_a, m)
    cache = (xt, h_prev, c_prev, i, f, o, g, tanh_c, Wx, Wh)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    """
    Backward pass of one LSTM step.

    Arguments:
    dh_next -- gradient of the loss w.r.t. h_next, (n_a, m)
    dc_next -- gradient of the loss w.r.t. c_next, (n_a, m)
    cache -- from lstm_step_forward

    Returns:
    dxt -- (n_x, m)
    dh_prev -- (n_a, m)
    dc_prev -- (n_a, m)
    dWx -- (4 n_a, n_x)
    dWh -- (4 n_a, n_a)
    db -- (4 n_a, 1)
    """
    xt, h_prev, c_prev, i, f, o, g, tanh_c, Wx, Wh = cache
    do = dh_next * tanh_c
    dc = dc_next + dh_next * o * (1.0 - tanh_c ** 2)  # everything reaching c_next
    di = dc * g
    df = dc * c_prev
    dg = dc * i
    dc_prev = dc * f
    da = np.concatenate([di * i * (1.0 - i),
                         df * f * (1.0 - f),
                         do * o * (1.0 - o),
                         dg * (1.0 - g ** 2)], axis=0)  # (4 n_a, m)
    dxt = Wx.T @ da
    dh_prev = Wh.T @ da
    dWx = da @ xt.T
    dWh = da @ h_prev.T
    db = da.sum(axis=1, keepdims=True)
    return dxt, dh_prev, dc_prev, dWx, dWh, db


# -----------------------------------------------------------------------------
# LSTM: a whole sequence (fast path)


def _lstm_core_forward(ax, h, c0, Wh, ws=None, zero_h0=False):
    """
    The LSTM recurrence, given the input projections of all steps.

    ax -- (T_x, 4 n_a, m), Wx @ x_t + b for every step (read only)
    h -- (n_a, T_x + 1, m) buffer with h[:, 0] = h0; h[:, 1:] is filled in
    c0 -- (n_a, m)
    zero_h0 -- h0 is all zeros, so step 0 needs no Wh @ h0 (the result is identical)
    Returns (gates, c, tanh_c): the activated gates [i | f | o | g] (T_x, 4 n_a, m), the cell
    states (T_x + 1, n_a, m) with c0 at index 0, and tanh(c_t) (T_x, n_a, m). Each step's
    arrays are contiguous so that the element-wise work runs on whole blocks.
    """
    T_x, n4, m = ax.shape
    n_a = n4 // 4
    dtype = ax.dtype
    gates = _buffer(ws, "gates", (T_x, n4, m), dtype)
    c = _buffer(ws, "c", (T_x + 1, n_a, m), dtype)
    tanh_c = _buffer(ws, "tanh_c", (T_x, n_a, m), dtype)
    ig = _buffer(ws, "ig", (n_a, m), dtype)  # i * g, reused every step
    c[0] = c0
    for t in range(T_x):
        a = gates[t]  # (4 n_a, m)
        if t == 0 and zero_h0:
            a[...] = ax[0]
        else:
            np.matmul(Wh, h[:, t], out=a)
            a += ax[t]
        # sigmoid(z) = 0.5 tanh(z / 2) + 0.5 for i, f, o; tanh for g: one tanh call for all four
        s = a[:3 * n_a]
        s *= 0.5
        np.tanh(a, out=a)
        s *= 0.5
        s += 0.5
        i, f, o, g = a[:n_a], a[n_a:2 * n_a], a[2 * n_a:3 * n_a], a[3 * n_a:]
        np.multiply(f, c[t], out=c[t + 1])
        np.multiply(i, g, out=ig)
        c[t + 1] += ig
        np.tanh(c[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[:, t + 1])
    return gates, c, tanh_c


def _lstm_core_backward(dh, gates, c, tanh_c, h, Wh, dh_last=None, dc_last=None, ws=None, state_grad=True):
    """
    Backward of _lstm_core_forward.

    dh -- (n_a, T_x, m) gradient w.r.t. the hidden state of every step
    h -- the forward's (n_a, T_x + 1, m) hidden states
    dh_last, dc_last -- optional extra gradients w.r.t. the final state, (n_a, m)
    state_grad -- if False, the last Wh.T @ da (for dh0) is skipped and dh0 is None
    Returns (dax, dh0, dc0): dax (4 n_a, T_x, m) is the gradient w.r.t. the pre-activation
    gates (= w.r.t. the input projections); dh0 and dc0 are (n_a, m).
    """
    n_a, T_x, m = dh.shape
    dtype = gates.dtype
    dax = _buffer(ws, "dax", (4 * n_a, T_x, m), dtype)
    dh_prev = _buffer(ws, "dh_prev", (n_a, m), dtype)
    dc = _buffer(ws, "dc", (n_a, m), dtype)
    dh_prev[...] = 0.0 if dh_last is None else dh_last
    dc[...] = 0.0 if dc_last is None else dc_last
    # this step's gate gradients: a contiguous block (BLAS reads it faster than the strided
    # dax[:, t]), copied into dax after the step
    da = _buffer(ws, "da", (4 * n_a, m), dtype)
    di, df, do, dg = da[:n_a], da[n_a:2 * n_a], da[2 * n_a:3 * n_a], da[3 * n_a:]
    dht = _buffer(ws, "dht", (n_a, m), dtype)
    tmp = _buffer(ws, "tmp", (n_a, m), dtype)
    tmp3 = _buffer(ws, "tmp3", (3 * n_a, m), dtype)
    for t in range(T_x - 1, -1, -1):
        gt = gates[t]
        i, f, o, g = gt[:n_a], gt[n_a:2 * n_a], gt[2 * n_a:3 * n_a], gt[3 * n_a:]
        np.add(dh[:, t], dh_prev, out=dht)  # everything reaching h_t
        np.multiply(dht, tanh_c[t], out=do)
        # dc += dht * o * (1 - tanh_c^2), with o * tanh_c^2 = h_t * tanh_c
        np.multiply(h[:, t + 1], tanh_c[t], out=tmp)
        np.subtract(o, tmp, out=tmp)
        tmp *= dht
        dc += tmp
        np.multiply(dc, g, out=di)
        np.multiply(dc, c[t], out=df)
        np.multiply(dc, i, out=dg)
        dc *= f  # now the gradient w.r.t. c_prev
        s = gt[:3 * n_a]  # through the nonlinearities: s (1 - s) and 1 - g^2
        np.subtract(1.0, s, out=tmp3)
        tmp3 *= s
        da[:3 * n_a] *= tmp3
        np.multiply(g, g, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        dg *= tmp
        if t > 0 or state_grad:
            np.matmul(Wh.T, da, out=dh_prev)  # (n_a, 4 n_a) @ (4 n_a, m)
        dax[:, t] = da
    return dax, (dh_prev if state_grad else None), (dc if state_grad else None)


def lstm_forward(x, h0, c0, Wx, Wh, b, ws=None):
    """
    LSTM over a whole sequence, starting from a given (carried) state.

    Arguments:
    x -- inputs, (n_x, T_x, m)
    h0 -- initial hidden state, (n_a, m)
    c0 -- initial cell state, (n_a, m)
    Wx -- (4 n_a, n_x), Wh -- (4 n_a, n_a), b -- (4 n_a, 1), gate order [i | f | o | g]
    ws -- optional Workspace whose buffers are reused (see Workspace for the aliasing rule)

    Returns:
    h -- hidden states of every step, (n_a, T_x, m) (a view into the cached buffer)
    state -- final state (h_T, c_T), each (n_a, m): pass it as (h0, c0) to the next chunk
             for truncated backpropagation through time
    cache -- for lstm_backward
    """
    n_x, T_x, m = x.shape
    n_a = Wh.shape[1]
    dtype = np.result_type(x.dtype, Wx.dtype)
    # input projections of all steps at once, one contiguous (4 n_a, m) block per step
    ax = _buffer(ws, "ax", (T_x, 4 * n_a, m), dtype)
    np.matmul(Wx, x.transpose(1, 0, 2), out=ax)
    ax += b
    h = _buffer(ws, "h", (n_a, T_x + 1, m), dtype)  # h[:, 0] = h0, then every step
    h[:, 0] = h0
    zero_h0 = not h[:, 0].any()  # a fresh (zero) state: step 0 skips its Wh matmul
    gates, c, tanh_c = _lstm_core_forward(ax, h, c0, Wh, ws, zero_h0)
    cache = (x, gates, h, c, tanh_c, Wx, Wh, ws, zero_h0)
    return h[:, 1:], (h[:, -1], c[-1]), cache


def lstm_backward(dh, cache, dstate=None, input_grad=True, state_grad=True):
    """
    Backward pass of lstm_forward.

    Arguments:
    dh -- gradient w.r.t. the hidden states of every step, (n_a, T_x, m)
    cache -- from lstm_forward
    dstate -- optional gradients (dh_T, dc_T) w.r.t. the returned final state; None means the
              final state is not used by the loss (the usual case in truncated BPTT)
    input_grad -- if False, dx is not computed and None is returned (x is data, e.g. one-hot)
    state_grad -- if False, dh0 and dc0 are not computed and None is returned (the initial
                  state is a constant, e.g. zeros or a state carried from the previous chunk)

    Returns:
    dx -- (n_x, T_x, m), or None when input_grad is False
    dh0 -- (n_a, m), or None when state_grad is False
    dc0 -- (n_a, m), or None when state_grad is False
    dWx -- (4 n_a, n_x)
    dWh -- (4 n_a, n_a)
    db -- (4 n_a, 1)
    """
    x, gates, h, c, tanh_c, Wx, Wh, ws, zero_h0 = cache
    n_x, T_x, m = x.shape
    n_a = Wh.shape[1]
    dtype = gates.dtype
    dh_last, dc_last = (None, None) if dstate is None else dstate
    dax, dh0, dc0 = _lstm_core_backward(dh, gates, c, tanh_c, h, Wh, dh_last, dc_last, ws, state_grad)
    da = dax.reshape(4 * n_a, T_x * m)
    # weight gradients: one matmul each over all T_x*m columns
    dWh = _buffer(ws, "dWh", Wh.shape, dtype)
    t0 = 1 if zero_h0 else 0  # a zero h0 adds nothing to dWh: leave its columns out
    if t0 < T_x:
        np.matmul(da[:, t0 * m:], h[:, t0:T_x].reshape(n_a, (T_x - t0) * m).T, out=dWh)  # every h_prev
    else:
        dWh.fill(0.0)
    dWx = _buffer(ws, "dWx", Wx.shape, dtype)
    np.matmul(da, x.reshape(n_x, T_x * m).T, out=dWx)
    ones = _buffer(ws, "ones", (T_x * m, 1), dtype)
    ones.fill(1.0)
    db = _buffer(ws, "db", (4 * n_a, 1), dtype)
    np.matmul(da, ones, out=db)  # row sums as a matrix-vector product
    dx = None
    if input_grad:
        dx = _buffer(ws, "dx", (n_x, T_x * m), dtype)
        np.matmul(Wx.T, da, out=dx)
        dx = dx.reshape(n_x, T_x, m)
    return dx, dh0, dc0, dWx, dWh, db


# -----------------------------------------------------------------------------
# plain tanh RNN ("SimpleRNN")


def rnn_step_forward(xt, h_prev, Wx, Wh, b):
    """
    One step of a vanilla tanh RNN: h_next = tanh(Wx @ xt + Wh @ h_prev + b).

    Arguments:
    xt -- (n_x, m), h_prev -- (n_a, m), Wx -- (n_a, n_x), Wh -- (n_a, n_a), b -- (n_a, 1)

    Returns:
    h_next -- (n_a, m)
    cache -- (xt, h_prev, h_next, Wx, Wh) for rnn_step_backward
    """
    h_next = np.tanh(Wx @ xt + Wh @ h_prev + b)  # (n_a, m)
    return h_next, (xt, h_prev, h_next, Wx, Wh)


def rnn_step_backward(dh_next, cache):
    """
    Backward pass of one tanh RNN step.

    Arguments:
    dh_next -- (n_a, m)
    cache -- from rnn_step_forward

    Returns:
    dxt -- (n_x, m), dh_prev -- (n_a, m), dWx -- (n_a, n_x), dWh -- (n_a, n_a), db -- (n_a, 1)
    """
    xt, h_prev, h_next, Wx, Wh = cache
    da = dh_next * (1.0 - h_next ** 2)  # (n_a, m)
    return Wx.T @ da, Wh.T @ da, da @ xt.T, da @ h_prev.T, da.sum(axis=1, keepdims=True)


def rnn_forward(x, h0, Wx, Wh, b):
    """
    Vanilla tanh RNN over a sequence, starting from a given (carried) hidden state.

    Arguments:
    x -- (n_x, T_x, m), h0 -- (n_a, m), Wx -- (n_a, n_x), Wh -- (n_a, n_a), b -- (n_a, 1)

    Returns:
    h -- hidden states of every step, (n_a, T_x, m); the final state is h[:, -1]
    cache -- list of step caches for rnn_backward
    """
    _, T_x, m = x.shape
    h = np.empty((Wh.shape[0], T_x, m), dtype=np.result_type(x.dtype, Wx.dtype))
    caches = []
    h_prev = h0
    for t in range(T_x):
        h_prev, step_cache = rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev
        caches.append(step_cache)
    return h, caches


def rnn_backward(dh, cache, dh_last=None):
    """
    Backward pass of rnn_forward.

    Arguments:
    dh -- gradient w.r.t. every hidden state, (n_a, T_x, m)
    cache -- from rnn_forward
    dh_last -- optional extra gradient w.r.t. the final state h[:, -1], (n_a, m)

    Returns:
    dx -- (n_x, T_x, m), dh0 -- (n_a, m), dWx -- (n_a, n_x), dWh -- (n_a, n_a), db -- (n_a, 1)
    """
    n_a, T_x, m = dh.shape
    xt0, _, _, Wx, Wh = cache[0]
    dx = np.empty((xt0.shape[0], T_x, m), dtype=dh.dtype)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros((n_a, 1), dtype=dh.dtype)
    dh_prev = np.zeros((n_a, m), dtype=dh.dtype) if dh_last is None else dh_last
    for t in range(T_x - 1, -1, -1):
        dx[:, t], dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_prev, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_prev, dWx, dWh, db


# -----------------------------------------------------------------------------
# embedding, dense, softmax cross-entropy, dropout


def one_hot(idx, vocab_size, dtype=np.float32):
    """
    One-hot encode integer indices, features first.

    Arguments:
    idx -- integer array of any shape S
    vocab_size -- number of classes

    Returns:
    x -- (vocab_size, *S) with a single 1 in every column
    """
    idx = np.asarray(idx)
    x = np.zeros((vocab_size, idx.size), dtype=dtype)
    x[idx.reshape(-1), np.arange(idx.size)] = 1
    return x.reshape((vocab_size,) + idx.shape)


def embedding_forward(idx, W):
    """
    Look up columns of an embedding table (the same as W @ one_hot(idx), without the zeros).

    Arguments:
    idx -- integer array of any shape S, values in [0, vocab_size)
    W -- table, (n_x, vocab_size)

    Returns:
    out -- (n_x, *S)
    cache -- (idx, vocab_size)
    """
    return W[:, idx], (idx, W.shape[1])


def embedding_backward(dout, cache):
    """
    Backward pass of embedding_forward (only the table has a gradient).

    Arguments:
    dout -- (n_x, *S)
    cache -- from embedding_forward

    Returns:
    dW -- (n_x, vocab_size); columns of repeated indices are summed
    """
    idx, vocab_size = cache
    n_x = dout.shape[0]
    dW = np.zeros((vocab_size, n_x), dtype=dout.dtype)
    np.add.at(dW, idx.reshape(-1), dout.reshape(n_x, -1).T)
    return np.ascontiguousarray(dW.T)


def dense_forward(x, W, b):
    """
    Affine layer on the first axis: out = W @ x + b, for x of shape (n_in, ...).

    Arguments:
    x -- (n_in, ...), W -- (n_out, n_in), b -- (n_out, 1)

    Returns:
    out -- (n_out, ...)
    cache -- (x, W)
    """
    x2 = x.reshape(x.shape[0], -1)
    out = W @ x2  # (n_out, N)
    out += b
    return out.reshape((W.shape[0],) + x.shape[1:]), (x, W)


def dense_backward(dout, cache):
    """
    Backward pass of dense_forward.

    Arguments:
    dout -- (n_out, ...)
    cache -- from dense_forward

    Returns:
    dx -- (n_in, ...), dW -- (n_out, n_in), db -- (n_out, 1)
    """
    x, W = cache
    d2 = dout.reshape(dout.shape[0], -1)  # (n_out, N)
    dx = (W.T @ d2).reshape(x.shape)
    dW = d2 @ x.reshape(x.shape[0], -1).T
    db = d2.sum(axis=1, keepdims=True)
    return dx, dW, db


def softmax(z, axis=0):
    """
    Softmax along an axis (default: the first, the class axis), shifted by the max for stability.

    Arguments:
    z -- array of scores, any shape

    Returns:
    p -- same shape, non-negative, summing to 1 along axis
    """
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(logits, y):
    """
    Mean softmax cross-entropy over examples (columns), and its gradient.

    Arguments:
    logits -- unnormalised scores, (n_y, N), one column per example
    y -- integer targets, (N,)

    Returns:
    loss -- scalar, mean over the N examples of -log softmax(logits)[y], in nats
    dlogits -- gradient of loss w.r.t. logits, (n_y, N)
    """
    N = logits.shape[1]
    target = np.asarray(y) * N + np.arange(N)  # flat index of (y[j], j)
    # a fresh C-ordered array whatever the layout of logits (a transposed view would otherwise give an
    # F-ordered result, and the flat view below would silently be a copy)
    p = np.subtract(logits, logits.max(axis=0, keepdims=True), order="C")  # (n_y, N)
    np.exp(p, out=p)
    p *= 1.0 / p.sum(axis=0, keepdims=True)
    flat = p.reshape(-1)  # a view
    loss = float(-np.mean(np.log(flat[target])))
    flat[target] -= 1.0
    p *= 1.0 / N
    return loss, p


def dropout_forward(x, p, rng, train=True):
    """
    Inverted dropout: zero each entry with probability p and scale the rest by 1 / (1 - p).

    Arguments:
    x -- array of any shape
    p -- drop probability in [0, 1)
    rng -- numpy Generator (seed it where it is created)
    train -- if False (or p == 0) the layer is the identity

    Returns:
    out -- same shape as x
    cache -- the scaled mask, or None for the identity
    """
    if not train or p == 0.0:
        return x, None
    mask = (rng.random(x.shape) >= p).astype(x.dtype) / x.dtype.type(1.0 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    """
    Backward pass of dropout_forward.

    Arguments:
    dout -- gradient w.r.t. out, any shape
    cache -- from dropout_forward

    Returns:
    dx -- same shape as dout
    """
    return dout if cache is None else dout * cache


# -----------------------------------------------------------------------------
# optimizers and clipping (in place, over dicts of parameters)


class SGD:
    """Stochastic gradient descent with optional momentum, updating a dict of arrays in place."""

    def __init__(self, params, lr=0.1, momentum=0.0):
        """
        Arguments:
        params -- dict name -> array (updated in place by step)
        lr -- learning rate
        momentum -- momentum coefficient, 0 for plain SGD
        """
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()} if momentum else None
        self._buf = {k: np.empty_like(v) for k, v in params.items()}

    def step(self, grads):
        """
        Apply one update. Arguments: grads -- dict name -> gradient, same shapes as params.
        """
        for k, p in self.params.items():
            g = grads[k]
            if self.momentum:
                v = self.velocity[k]
                v *= self.momentum
                v += g
                g = v
            buf = self._buf[k]
            np.multiply(g, self.lr, out=buf)
            p -= buf


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction, updating a dict of arrays in place."""

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        """
        Arguments:
        params -- dict name -> array (updated in place by step)
        lr, beta1, beta2, eps -- the usual Adam hyperparameters
        """
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self._buf = {k: np.empty_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        """
        Apply one update. Arguments: grads -- dict name -> gradient, same shapes as params.
        """
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step = self.lr * np.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        eps_hat = self.eps * np.sqrt(1.0 - b2 ** self.t)
        for k, p in self.params.items():
            g, m, v, buf = grads[k], self.m[k], self.v[k], self._buf[k]
            m *= b1
            np.multiply(g, 1.0 - b1, out=buf)
            m += buf
            v *= b2
            np.multiply(g, g, out=buf)
            buf *= 1.0 - b2
            v += buf
            np.sqrt(v, out=buf)
            buf += eps_hat
            np.divide(m, buf, out=buf)
            buf *= step
            p -= buf


def clip_grad_norm(grads, max_norm):
    """
    Scale all gradients in place so that their global L2 norm is at most max_norm.

    Arguments:
    grads -- dict name -> gradient array (modified in place)
    max_norm -- threshold on the norm of all gradients taken together

    Returns:
    norm -- the global norm BEFORE clipping (a float)
    """
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for g in grads.values():
            g *= scale
    return norm


# -----------------------------------------------------------------------------
# stacked recurrent language model


class CharRNN:
    """
    Stacked LSTM (or tanh RNN) character model: one-hot or embedded input -> n_layers recurrent
    layers (dropout between them) -> dense -> softmax.

    Every model exposes the same two calls, so one training loop serves all:
        logits, loss, state = model.forward(X, Y, state, train)
        grads = model.backward()            # dict with the keys of model.params

    Parameters (dict model.params): for layer l, 'Wx{l}' (k n_a, n_in), 'Wh{l}' (k n_a, n_a),
    'b{l}' (k n_a, 1) with k = 4 for LSTM and 1 for RNN; 'Wy' (vocab_size, n_a),
    'by' (vocab_size, 1); 'We' (n_embd, vocab_size) when an embedding is used, else the
    input is one-hot.
    """

    def __init__(self, vocab_size, n_a=128, n_layers=2, cell="lstm", n_embd=0, dropout=0.0,
                 seed=0, dtype=np.float32):
        """
        Arguments:
        vocab_size -- number of characters (input and output size)
        n_a -- hidden units per layer
        n_layers -- number of stacked recurrent layers
        cell -- "lstm" or "rnn"
        n_embd -- embedding size; 0 means one-hot input
        dropout -- drop probability applied to each recurrent layer's output when training
        seed -- seed of the weight initialisation and of the dropout masks
        dtype -- parameter dtype (float32 for training, float64 for gradient checks)
        """
        if cell not in ("lstm", "rnn"):
            raise ValueError(f"cell must be 'lstm' or 'rnn', got {cell!r}")
        self.config = {"vocab_size": int(vocab_size), "n_a": int(n_a), "n_layers": int(n_layers),
                       "cell": cell, "n_embd": int(n_embd), "dropout": float(dropout)}
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed + 1)  # dropout masks
        self.params = self.init_params(self.config, seed, self.dtype)
        self._cache = None
        self._ws = [Workspace() for _ in range(self.config["n_layers"])]  # buffers per layer

    @staticmethod
    def init_params(config, seed=0, dtype=np.float32):
        """
        Fresh parameters for a config: uniform(-1/sqrt(n_a), 1/sqrt(n_a)) weights, zero biases
        except an LSTM forget-gate bias of 1.

        Arguments:
        config -- dict as in CharRNN.config
        seed -- integer seed

        Returns:
        params -- dict name -> array of the given dtype
        """
        rng = np.random.default_rng(seed)
        V, n_a, L = config["vocab_size"], config["n_a"], config["n_layers"]
        k = 4 if config["cell"] == "lstm" else 1
        s = 1.0 / np.sqrt(n_a)
        params = {}
        if config["n_embd"]:
            params["We"] = rng.normal(0.0, 1.0, (config["n_embd"], V))
        n_in = config["n_embd"] or V
        for layer in range(L):
            params[f"Wx{layer}"] = rng.uniform(-s, s, (k * n_a, n_in))
            params[f"Wh{layer}"] = rng.uniform(-s, s, (k * n_a, n_a))
            b = np.zeros((k * n_a, 1))
            if k == 4:
                b[n_a:2 * n_a] = 1.0  # remember by default
            params[f"b{layer}"] = b
            n_in = n_a
        params["Wy"] = rng.uniform(-s, s, (V, n_a))
        params["by"] = np.zeros((V, 1))
        return {name: p.astype(dtype) for name, p in params.items()}

    def initial_state(self, m):
        """
        Zero state for a batch of m sequences.

        Arguments:
        m -- batch size

        Returns:
        state -- list over layers of (h, c) for LSTM or (h,) for RNN, each (n_a, m)
        """
        n_a, L = self.config["n_a"], self.config["n_layers"]
        k = 2 if self.config["cell"] == "lstm" else 1
        return [tuple(np.zeros((n_a, m), self.dtype) for _ in range(k)) for _ in range(L)]

    def forward(self, X, Y=None, state=None, train=False):
        """
        Run the model over a batch of character windows.

        Arguments:
        X -- integer inputs, batch-first, (m, T_x)
        Y -- integer targets, (m, T_x), or None (then loss is None)
        state -- carried state from a previous call (truncated BPTT / sampling), or None for zeros
        train -- apply dropout

        Returns:
        logits -- (m, T_x, vocab_size), a view of features-first storage
        loss -- mean cross-entropy per character in nats, or None
        state -- final state, to carry into the next call (like the hidden states, it lives in
                 the model's reused buffers: it stays valid for exactly one more forward call)
        """
        P, cfg = self.params, self.config
        X = np.asarray(X)
        m, T_x = X.shape
        idx = np.ascontiguousarray(X.T)  # (T_x, m)
        if state is None:
            state = self.initial_state(m)
        lstm = cfg["cell"] == "lstm"
        caches, new_state = [], []
        emb_cache = None
        if cfg["n_embd"]:
            x, emb_cache = embedding_forward(idx, P["We"])  # (n_embd, T_x, m)
        else:
            x = one_hot(idx, cfg["vocab_size"], self.dtype)  # (vocab_size, T_x, m)
        for layer in range(cfg["n_layers"]):
            Wx, Wh, b = P[f"Wx{layer}"], P[f"Wh{layer}"], P[f"b{layer}"]
            if lstm:
                h, st, cache = lstm_forward(x, state[layer][0], state[layer][1], Wx, Wh, b,
                                            self._ws[layer])
            else:
                h, cache = rnn_forward(x, state[layer][0], Wx, Wh, b)
                st = (h[:, -1],)
            new_state.append(st)
            x, drop_cache = dropout_forward(h, cfg["dropout"], self.rng, train)
            caches.append((cache, drop_cache))
        hy = x.reshape(x.shape[0], T_x * m)  # (n_a, T_x*m)
        logits, dense_cache = dense_forward(hy, P["Wy"], P["by"])  # (vocab_size, T_x*m)
        loss, dlogits = None, None
        if Y is not None:
            y = np.asarray(Y).T.reshape(T_x * m)  # same (step, example) order as the columns
            loss, dlogits = softmax_cross_entropy(logits, y)
        self._cache = (caches, emb_cache, dense_cache, dlogits, T_x, m)
        logits = logits.reshape(-1, T_x, m).transpose(2, 1, 0)  # (m, T_x, vocab_size) view
        return logits, loss, new_state

    def backward(self):
        """
        Gradients of the loss of the last forward call (which must have had targets).

        Returns:
        grads -- dict with the same keys and shapes as self.params
        """
        if self._cache is None or self._cache[3] is None:
            raise RuntimeError("call forward(X, Y) with targets before backward()")
        caches, emb_cache, dense_cache, dlogits, T_x, m = self._cache
        cfg = self.config
        grads = {}
        dh, grads["Wy"], grads["by"] = dense_backward(dlogits, dense_cache)
        dx = dh.reshape(-1, T_x, m)
        for layer in range(cfg["n_layers"] - 1, -1, -1):
            cache, drop_cache = caches[layer]
            dh = dropout_backward(dx, drop_cache)
            need_dx = layer > 0 or bool(cfg["n_embd"])  # no gradient for one-hot data
            if cfg["cell"] == "lstm":
                dx, _, _, dWx, dWh, db = lstm_backward(dh, cache, input_grad=need_dx, state_grad=False)
            else:
                dx, _, dWx, dWh, db = rnn_backward(dh, cache)
            grads[f"Wx{layer}"], grads[f"Wh{layer}"], grads[f"b{layer}"] = dWx, dWh, db
        if cfg["n_embd"]:
            grads["We"] = embedding_backward(dx, emb_cache)
        return grads

    def save(self, path, chars, extra=None):
        """
        Save parameters, vocabulary and config to one .npz (see save_checkpoint).

        Arguments:
        path -- file name
        chars -- the vocabulary, a string or list of single characters
        extra -- optional dict of JSON-serialisable facts to store with the config
        """
        config = dict(self.config, **(extra or {}))
        save_checkpoint(path, self.params, chars, config)

    @classmethod
    def load(cls, path):
        """
        Rebuild a model from a checkpoint written by save / save_checkpoint.

        Arguments:
        path -- file name

        Returns:
        model -- a CharRNN with the stored parameters (bit-exact)
        chars -- the vocabulary, a list of characters
        config -- the stored config dict (including any extra entries)
        """
        params, chars, config = load_checkpoint(path)
        try:
            keys = ("vocab_size", "n_a", "n_layers", "cell", "n_embd", "dropout")
            arch = {k: config[k] for k in keys}
        except KeyError as e:
            raise CheckpointError(f"{path}: config has no entry {e} needed to build a CharRNN") from e
        if arch["vocab_size"] != len(chars):
            raise CheckpointError(f"{path}: config says vocab_size={arch['vocab_size']} but "
                                  f"the stored vocabulary has {len(chars)} characters")
        dtype = next(iter(params.values())).dtype
        model = cls(**arch, dtype=dtype)
        expected = cls.init_params(arch, 0, dtype)
        if set(expected) != set(params):
            raise CheckpointError(f"{path}: parameter names {sorted(params)} do not match "
                                  f"the architecture, which needs {sorted(expected)}")
        for name, p in expected.items():
            if params[name].shape != p.shape:
                raise CheckpointError(f"{path}: parameter {name} has shape {params[name].shape}"
                                      f", expected {p.shape} for config {arch}")
        model.params = params
        return model, chars, config


# -----------------------------------------------------------------------------
# vocabulary and sampling


def last_char_loss(logits, Y):
    """Mean cross-entropy (nats) of the last position's prediction: logits (m, T_x, V), Y (m, T_x)."""
    z = logits[:, -1].astype(np.float64)  # (m, vocab_size)
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(Y)), Y[:, -1]].mean())


def window_losses(model, X, Y, batch_size=512):
    """Mean loss per character of a CharRNN over windows X, Y (m, T_x): over all positions, and on the last position
    only (the 41st character of a 40-character window, as a model predicting one character per window is scored);
    nats, dropout off."""
    total, last, n = 0.0, 0.0, 0
    for i in range(0, len(X), batch_size):
        xb, yb = X[i:i + batch_size], Y[i:i + batch_size]
        logits, loss, _ = model.forward(xb, yb)
        last += last_char_loss(logits, yb) * len(xb)
        total += loss * len(xb)
        n += len(xb)
    return total / n, last / n


def build_vocab(text):
    """
    Sorted list of the distinct characters of a text.

    Arguments:
    text -- a string

    Returns:
    chars -- list of single characters; index = position in this list
    """
    return sorted(set(text))


def encode(text, chars):
    """
    Characters to indices, with a readable error for characters outside the vocabulary.

    Arguments:
    text -- a string
    chars -- vocabulary (list of characters)

    Returns:
    idx -- int64 array, (len(text),)

    Raises:
    ValueError naming every character of text that is not in chars
    """
    char_to_ix = {ch: i for i, ch in enumerate(chars)}
    unknown = sorted({ch for ch in text if ch not in char_to_ix})
    if unknown:
        shown = ", ".join(repr(ch) for ch in unknown)
        raise ValueError(f"characters not in the vocabulary: {shown}. "
                         f"Allowed characters: {''.join(chars)!r}")
    return np.array([char_to_ix[ch] for ch in text], dtype=np.int64)


def decode(idx, chars):
    """
    Indices to a string.

    Arguments:
    idx -- iterable of integers
    chars -- vocabulary

    Returns:
    text -- a string
    """
    return "".join(chars[int(i)] for i in idx)


def sample_index(logits, temperature=1.0, top_k=None, rng=None):
    """
    Draw one index from unnormalised scores.

    Arguments:
    logits -- (vocab_size,) scores of one example
    temperature -- > 0 sharpens (< 1) or flattens (> 1) the distribution; 0 means greedy (argmax)
    top_k -- if given, sample only among the top_k most likely indices
    rng -- numpy Generator (needed unless greedy)

    Returns:
    ix -- an int
    """
    logits = np.asarray(logits, dtype=np.float64)
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0 or top_k == 1:
        return int(np.argmax(logits))
    z = logits / temperature
    if top_k is not None and top_k < z.size:
        kth = np.partition(z, -top_k)[-top_k]
        z = np.where(z < kth, -np.inf, z)
    p = softmax(z)
    return int(rng.choice(p.size, p=p))


def generate(model, chars, prompt, length=400, temperature=1.0, top_k=None, seed=None,
             context=None, stop_char=None, start_char="\n"):
    """
    Continue a prompt with characters sampled from a model.

    The prompt may have any length: only its last `context` characters (all if None) are fed
    to the model, and each new character is predicted from a state carried through them.

    Arguments:
    model -- an object with forward(X, Y=None, state=None) -> (logits, loss, state), e.g. CharRNN
    chars -- vocabulary of the model
    prompt -- opening text; an empty prompt starts from start_char
    length -- maximum number of characters to generate (the length cap)
    temperature -- sampling temperature; 0 means greedy
    top_k -- restrict sampling to the top_k most likely characters (None: no restriction)
    seed -- seed of the sampling generator (same seed, same text)
    context -- number of trailing prompt characters used as context (None: the whole prompt)
    stop_char -- stop after generating this character (included in the output), e.g. "\\n"
    start_char -- character fed to the model when the prompt is empty

    Returns:
    text -- the generated continuation (without the prompt), at most `length` characters

    Raises:
    ValueError naming the prompt's characters that are not in the vocabulary
    """
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    idx = encode(prompt, chars)
    if context is not None and len(idx) > context:
        idx = idx[len(idx) - context:]
    if len(idx) == 0:
        idx = encode(start_char, chars)
    rng = np.random.default_rng(seed)
    logits, _, state = model.forward(idx[None, :])  # prime on the whole context at once
    out = []
    for _ in range(length):
        ix = sample_index(logits[0, -1], temperature, top_k, rng)
        out.append(chars[ix])
        if stop_char is not None and chars[ix] == stop_char:
            break
        logits, _, state = model.forward(np.array([[ix]]), state=state)
    return "".join(out)


# -----------------------------------------------------------------------------
# checkpoints

CHECKPOINT_FORMAT = "utils.lstm/1"


class CheckpointError(ValueError):
    """A checkpoint file exists but is truncated, corrupt, or does not match what is asked."""


def save_checkpoint(path, params, chars, config):
    """
    Save parameters, vocabulary and config to a single .npz file (no pickles).

    Arguments:
    path -- file name (".npz" is appended by numpy if missing)
    params -- dict name -> array; saved bit for bit
    chars -- vocabulary, a string or list of single characters
    config -- dict of JSON-serialisable values (sizes, training facts)
    """
    arrays = {f"param.{k}": np.asarray(v) for k, v in params.items()}
    arrays["vocab"] = np.array(list(chars), dtype="<U1")
    arrays["config"] = np.array(json.dumps(config, sort_keys=True))
    arrays["format"] = np.array(CHECKPOINT_FORMAT)
    np.savez(path, **arrays)


def load_checkpoint(path, expect=None):
    """
    Load a checkpoint written by save_checkpoint.

    Arguments:
    path -- file name
    expect -- optional dict of config entries that must match (e.g. {"n_a": 256})

    Returns:
    params -- dict name -> array, bit-exact copies of what was saved
    chars -- vocabulary, list of characters
    config -- dict

    Raises:
    FileNotFoundError if there is no file; CheckpointError (a ValueError) if it is truncated,
    corrupt, not a checkpoint, or its config differs from `expect`
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path!r} (was it created? e.g. `make pretrain`)")
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}  # read everything now: truncation shows up here
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise CheckpointError(f"{path!r} is not a readable checkpoint (truncated or corrupt?): "
                              f"{type(e).__name__}: {e}") from e
    fmt = str(data.get("format", ""))
    if fmt != CHECKPOINT_FORMAT or "vocab" not in data or "config" not in data:
        raise CheckpointError(f"{path!r} is an .npz file but not a {CHECKPOINT_FORMAT} checkpoint "
                              f"(found arrays {sorted(data)})")
    try:
        config = json.loads(str(data["config"]))
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path!r}: stored config is not valid JSON: {e}") from e
    chars = [str(ch) for ch in data["vocab"]]
    params = {k[len("param."):]: v for k, v in data.items() if k.startswith("param.")}
    if expect:
        diff = {k: (v, config.get(k, "<missing>")) for k, v in expect.items() if config.get(k) != v}
        if diff:
            shown = ", ".join(f"{k}: expected {a!r}, file has {b!r}" for k, (a, b) in diff.items())
            raise CheckpointError(f"{path!r} does not match the requested config ({shown})")
    return params, chars, config
