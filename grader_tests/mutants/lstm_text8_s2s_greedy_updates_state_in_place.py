# decodes right, but writes each step's state into the arrays it was given (h[...] = ..., c[...] = ...),
# so the caller's encoder state is overwritten with the decoder's last one.
# assignment: lstm_text8
# base: solution
# expected_kind: test_greedy_decode_hidden: modified in place
# expected_score: 60
# expected_failures: test_greedy_decode_hidden

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    m = h.shape[1]
    out = np.full((m, dec_len), END, dtype=np.int64)
    token = np.full(m, GO, dtype=np.int64)
    done = np.zeros(m, dtype=bool)
    for t in range(dec_len):
        logits, h_new, c_new = decoder_step(params, token, h, c, enc_states)
        h[...], c[...] = h_new, c_new
        token = np.argmax(logits, axis=0)
        out[:, t] = np.where(done, END, token)
        done |= token == END
    return out
