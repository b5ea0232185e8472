# The encoder uses the decoder's weights.
# assignment: lstm_text8
# base: solution
# expected_failures: test_encode_sentences, test_encode_sentences_hidden

# %% cell: encode_sentences
def encode_sentences(params, enc):
    m, T = enc.shape
    n_a = params["eWh"].shape[1]
    dtype = params["eWh"].dtype
    states = np.zeros((n_a, T, m), dtype=dtype)
    h = np.zeros((n_a, m), dtype=dtype)
    c = np.zeros((n_a, m), dtype=dtype)
    for t in range(T):
        x = one_hot(enc[:, t], S_SYMBOLS, dtype)
        h, c, _ = lstm_step_forward(x, h, c, params["dWx"], params["dWh"], params["db"])
        states[:, t] = h
    return states, (h, c)
