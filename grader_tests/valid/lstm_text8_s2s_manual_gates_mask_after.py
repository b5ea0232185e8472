# The encoder writes the LSTM gates out by hand (a one-hot product is a column lookup); the decoder
# runs all dec_len steps, then blanks everything after the first END.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: encode_sentences
def encode_sentences(params, enc):
    m, T = enc.shape
    n_a = params["eWh"].shape[1]
    Wx, Wh, b = params["eWx"], params["eWh"], params["eb"]
    h = np.zeros((n_a, m), dtype=Wh.dtype)
    c = np.zeros((n_a, m), dtype=Wh.dtype)
    states = []
    for t in range(T):
        a = Wx[:, enc[:, t]] + Wh @ h + b  # (4 n_a, m)
        i, f, o = (1 / (1 + np.exp(-a[k * n_a:(k + 1) * n_a])) for k in range(3))
        g = np.tanh(a[3 * n_a:])
        c = f * c + i * g
        h = o * np.tanh(c)
        states.append(h)
    return np.stack(states, axis=1), (h, c)

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    m = h.shape[1]
    out = np.empty((m, dec_len), dtype=np.int64)
    token = np.full(m, GO)
    for t in range(dec_len):
        logits, h, c = decoder_step(params, token, h, c, enc_states)
        token = logits.argmax(axis=0)
        out[:, t] = token
    ended = np.cumsum(out == END, axis=1) > 0
    return np.where(ended, END, out)
