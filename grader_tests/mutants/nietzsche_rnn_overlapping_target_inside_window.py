# uses the window's own last character as its target.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 28
# expected_failures: test_overlapping_windows, test_overlapping_windows_hidden

# %% cell: overlapping_windows
def overlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    m = len(idx) - T_x
    X = np.stack([idx[t:t + m] for t in range(T_x)], axis=1)
    Y = idx[T_x - 1:-1].copy()
    return X, Y
