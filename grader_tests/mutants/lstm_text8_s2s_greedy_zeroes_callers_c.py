# A realistic in-place bug: greedy_decode "starts the decoder's memory afresh" by zeroing the cell
# state it was given, in place, instead of starting from the encoder's. The reference decodes the
# test's own state (before the call), and the state must come back unchanged.
# assignment: lstm_text8
# base: solution
# expected_failures: test_greedy_decode, test_greedy_decode_hidden
# expected_score: 58

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    c *= 0.0
    m = h.shape[1]
    out = np.full((m, dec_len), END, dtype=np.int64)
    token = np.full(m, GO, dtype=np.int64)
    done = np.zeros(m, dtype=bool)
    for t in range(dec_len):
        logits, h, c = decoder_step(params, token, h, c, enc_states)
        token = np.argmax(logits, axis=0)
        out[:, t] = np.where(done, END, token)
        done |= token == END
    return out
