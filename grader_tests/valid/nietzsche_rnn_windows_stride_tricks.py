# uses sliding_window_view and swapaxes, and integer index arithmetic for the streams.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 32
# expected_failures: none

# %% cell: overlapping_windows
def overlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    X = np.lib.stride_tricks.sliding_window_view(idx[:-1], T_x)
    Y = idx[T_x:]
    return X, Y

# %% cell: stateful_batches
def stateful_batches(idx, n_streams=64, T_x=8):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) // n_streams < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least n_streams * (T_x + 1) = {n_streams * (T_x + 1)} "
                                 f"indices, got shape {idx.shape}")
    L = len(idx) // n_streams
    P = (L - 1) // T_x
    rows = np.arange(P * n_streams)
    starts = (rows % n_streams) * L + (rows // n_streams) * T_x
    X = idx[starts[:, None] + np.arange(T_x)]
    Y = idx[starts[:, None] + np.arange(1, T_x + 1)]
    return X, Y

# %% cell: nonoverlapping_windows
def nonoverlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    starts = np.arange(0, len(idx) - T_x, T_x)
    X = idx[starts[:, None] + np.arange(T_x)]
    Y = idx[starts + T_x]
    return X, Y
