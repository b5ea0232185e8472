# The decoder never feeds its output back: every step reads GO.
# assignment: lstm_text8
# base: solution
# expected_failures: test_greedy_decode, test_greedy_decode_hidden

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    h, c = state
    m = h.shape[1]
    out = np.full((m, dec_len), END, dtype=np.int64)
    token = np.full(m, GO, dtype=np.int64)
    done = np.zeros(m, dtype=bool)
    for t in range(dec_len):
        logits, h, c = decoder_step(params, token, h, c, enc_states)
        written = np.argmax(logits, axis=0)
        out[:, t] = np.where(done, END, written)
        done |= written == END
        if done.all():
            break
    return out
