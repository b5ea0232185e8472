# takes the last character of each window as its target instead of the next one.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 28
# expected_failures: test_nonoverlapping_windows, test_nonoverlapping_windows_hidden

# %% cell: nonoverlapping_windows
def nonoverlapping_windows(idx, T_x):
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) < T_x + 1:
        raise NietzscheDataError(f"need a 1-D sequence of at least T_x + 1 = {T_x + 1} indices, got shape {idx.shape}")
    m = (len(idx) - 1) // T_x
    X = idx[:m * T_x].reshape(m, T_x)
    Y = idx[T_x - 1:m * T_x:T_x]
    return X, Y
