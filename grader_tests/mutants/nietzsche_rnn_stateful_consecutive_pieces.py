# cuts the text into consecutive pieces with no streams, so row k + n_streams does not continue row k.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 26
# expected_failures: test_stateful_batches, test_stateful_batches_hidden

# %% cell: stateful_batches
def stateful_batches(idx, n_streams=64, T_x=8):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) // n_streams < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least n_streams * (T_x + 1) = {n_streams * (T_x + 1)} "
                                 f"indices, got shape {idx.shape}")
    L = len(idx) // n_streams
    P = (L - 1) // T_x
    m = P * n_streams
    X = idx[:m * T_x].reshape(m, T_x)
    Y = idx[1:m * T_x + 1].reshape(m, T_x)
    return X, Y
