# forgets the ReLU of the per-character dense layer.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 24
# expected_failures: test_unrolled_forward, test_unrolled_forward_hidden

# %% cell: unrolled_forward
def unrolled_forward(X, params):
    We, Wc, bc, Wh, bh, Wy, by = (params[k] for k in ("We", "Wc", "bc", "Wh", "bh", "Wy", "by"))
    X = np.asarray(X)
    m, T_x = X.shape
    n_a = Wh.shape[0]
    c = np.zeros((T_x, n_a, m), dtype=Wh.dtype)
    h = np.zeros((T_x, n_a, m), dtype=Wh.dtype)
    h_prev = np.zeros((n_a, m), dtype=Wh.dtype)
    for t in range(T_x):
        c[t] = Wc @ We[:, X[:, t]] + bc
        h[t] = np.tanh(Wh @ (c[t] + h_prev) + bh)
        h_prev = h[t]
    logits = Wy @ h_prev + by
    return logits, (X, c, h)
