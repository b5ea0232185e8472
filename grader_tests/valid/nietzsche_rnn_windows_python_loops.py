# builds all three data sets with plain Python loops and np.array.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 32
# expected_failures: none

# %% cell: nonoverlapping_windows
def nonoverlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    rows, targets = [], []
    for start in range(0, len(idx) - T_x, T_x):
        rows.append(idx[start:start + T_x])
        targets.append(idx[start + T_x])
    X, Y = np.array(rows), np.array(targets)
    return X, Y

# %% cell: overlapping_windows
def overlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    X = np.array([idx[i:i + T_x] for i in range(len(idx) - T_x)])
    Y = np.array([idx[i + T_x] for i in range(len(idx) - T_x)])
    return X, Y

# %% cell: stateful_batches
def stateful_batches(idx, n_streams=64, T_x=8):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) // n_streams < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least n_streams * (T_x + 1) = {n_streams * (T_x + 1)} "
                                 f"indices, got shape {idx.shape}")
    L = len(idx) // n_streams
    P = (L - 1) // T_x
    xs, ys = [], []
    for p in range(P):
        for s in range(n_streams):
            start = s * L + p * T_x
            xs.append(idx[start:start + T_x])
            ys.append(idx[start + 1:start + 1 + T_x])
    X, Y = np.array(xs), np.array(ys)
    return X, Y
