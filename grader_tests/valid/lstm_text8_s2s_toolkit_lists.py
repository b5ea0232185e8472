# The encoder runs the vectorised toolkit LSTM over the whole sentence; the decoder keeps python
# lists and a while loop, and masks the symbols after END at the end.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: encode_sentences
def encode_sentences(params, enc):
    n_a = params["eWh"].shape[1]
    zero = np.zeros((n_a, enc.shape[0]), dtype=params["eWh"].dtype)
    x = one_hot(enc.T, S_SYMBOLS, zero.dtype)  # (S_SYMBOLS, T, m)
    states, (h, c), _ = lstm_forward(x, zero, zero, params["eWx"], params["eWh"], params["eb"])
    return np.array(states), (np.array(h), np.array(c))

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    m = h.shape[1]
    columns = []
    token = [GO] * m
    while len(columns) < dec_len:
        logits, h, c = decoder_step(params, np.array(token), h, c, enc_states)
        token = [int(i) for i in logits.argmax(axis=0)]
        columns.append(token)
        if all(END in [col[i] for col in columns] for i in range(m)):
            break
    rows = []
    for i in range(m):
        row = [col[i] for col in columns]
        if END in row:
            row = row[:row.index(END)] + [END] * (dec_len - row.index(END))
        rows.append(row + [END] * (dec_len - len(row)))
    return np.array(rows, dtype=np.int64).reshape(m, dec_len)
