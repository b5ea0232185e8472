# A learner with the windows and the forward pass right, sampling from numpy's global generator instead of
# the rng passed in, and stateful streams left in stream order (no transpose): 18 of 32 points.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 18
# expected_failures: test_get_next_char, test_get_next_char_hidden, test_get_next_n_chars, test_stateful_batches, test_stateful_batches_hidden

# %% cell: get_next_char
def get_next_char(predict, text, chars, T_x, temperature=0.0, rng=None):
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if len(text) < T_x:
        raise NietzscheDataError(f"the text must have at least T_x = {T_x} characters, got {len(text)}: {text!r}")
    if rng is None:
        rng = np.random.default_rng()
    X = encode(text[len(text) - T_x:], chars)[None, :]
    logits = np.asarray(predict(X), dtype=np.float64)[:, 0]
    if temperature == 0:
        ix = int(np.argmax(logits))
    else:
        z = logits / temperature
        p = np.exp(z - z.max())
        p /= p.sum()
        ix = int(np.random.choice(len(chars), p=p))
    ch = chars[ix]
    return ch

# %% cell: stateful_batches
def stateful_batches(idx, n_streams=64, T_x=8):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) // n_streams < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least n_streams * (T_x + 1) = {n_streams * (T_x + 1)} "
                                 f"indices, got shape {idx.shape}")
    L = len(idx) // n_streams
    P = (L - 1) // T_x
    streams = idx[:n_streams * L].reshape(n_streams, L)
    X = streams[:, :P * T_x].reshape(n_streams * P, T_x)
    Y = streams[:, 1:P * T_x + 1].reshape(n_streams * P, T_x)
    return X, Y
