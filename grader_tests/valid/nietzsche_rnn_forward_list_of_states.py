# keeps the hidden states in a Python list and stacks them at the end; greedy via max().
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
    hs = [np.zeros((n_a, m), dtype=Wh.dtype)]
    for t in range(T_x):
        c[t] = np.clip(Wc.dot(We[:, X[:, t]]) + bc, 0, None)
        hs.append(np.tanh(Wh.dot(c[t] + hs[-1]) + bh))
    h[:] = np.stack(hs[1:])
    logits = Wy.dot(hs[-1]) + by
    return logits, (X, c, h)
