# The decoder stops the whole batch as soon as one sentence has written END.
# assignment: lstm_text8
# base: solution
# expected_failures: test_greedy_decode, test_greedy_decode_hidden

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    m = h.shape[1]
    out = np.full((m, dec_len), END, dtype=np.int64)
    token = np.full(m, GO, dtype=np.int64)
    for t in range(dec_len):
        logits, h, c = decoder_step(params, token, h, c, enc_states)
        token = np.argmax(logits, axis=0)
        out[:, t] = token
        if (token == END).any():
            break
    return out
