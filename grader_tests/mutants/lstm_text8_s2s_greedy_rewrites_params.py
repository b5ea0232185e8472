# A greedy_decode stub that rewrites the output layer it is given so that END is certain at every
# step, and returns END everywhere. It passed the hidden test when the reference decoded from the
# parameters after the call; the reference now decodes the test's own parameters before it.
# assignment: lstm_text8
# base: solution
# expected_failures: test_greedy_decode, test_greedy_decode_hidden
# expected_score: 58

# %% cell: greedy_decode
def greedy_decode(params, enc_states, state, dec_len):
    params["Wy"][...] = 0.0
    params["by"][...] = -1e3
    params["by"][END] = 1e3
    return np.full((state[0].shape[1], dec_len), END, dtype=np.int64)
