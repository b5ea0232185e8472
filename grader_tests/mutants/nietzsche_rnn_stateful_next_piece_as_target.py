# shifts the targets by a whole piece (T_x) instead of by one character.
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
    streams = idx[:n_streams * L].reshape(n_streams, L)
    X = streams[:, :P * T_x].reshape(n_streams, P, T_x).transpose(1, 0, 2).reshape(P * n_streams, T_x)
    Y = np.roll(streams, -T_x, axis=1)[:, :P * T_x].reshape(n_streams, P, T_x).transpose(1, 0, 2).reshape(P * n_streams, T_x)
    return X, Y
