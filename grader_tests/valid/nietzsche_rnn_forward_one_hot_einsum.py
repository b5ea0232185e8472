# embeds with a one-hot matrix product, uses einsum and np.dot, and a boolean mask for the ReLU.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 32
# expected_failures: none

# %% cell: unrolled_forward
def unrolled_forward(X, params):
    We, Wc, bc, Wh, bh, Wy, by = (params[k] for k in ("We", "Wc", "bc", "Wh", "bh", "Wy", "by"))
    X = np.asarray(X)
    m, T_x = X.shape
    n_a = Wh.shape[0]
    c = np.zeros((T_x, n_a, m), dtype=Wh.dtype)
    h = np.zeros((T_x, n_a, m), dtype=Wh.dtype)
    V = We.shape[1]
    state = np.zeros((n_a, m))
    for t in range(T_x):
        onehot = np.eye(V)[:, X[:, t]]
        pre = np.einsum("ij,jk->ik", Wc, np.dot(We, onehot)) + bc
        c[t] = pre * (pre > 0)
        h[t] = np.tanh(np.dot(Wh, c[t]) + np.dot(Wh, state) + bh)
        state = h[t]
    logits = np.einsum("ij,jk->ik", Wy, h[T_x - 1]) + by
    return logits, (X, c, h)
