# stops one window early (range(len(idx) - 1 - T_x), the original's loop bound), losing the last window.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 28
# expected_failures: test_overlapping_windows, test_overlapping_windows_hidden
# expected_kind: test_overlapping_windows: off by one
# expected_kind: test_overlapping_windows_hidden: off by one

# %% cell: overlapping_windows
def overlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    X = np.array([idx[i:i + T_x] for i in range(len(idx) - 1 - T_x)])
    Y = np.array([idx[i + T_x] for i in range(len(idx) - 1 - T_x)])
    return X, Y
