# Stacks the gates as i, f, c, o (the order of the equations) instead of the required i, f, o, c.
# assignment: lstm_text8
# base: solution
# expected_failures: test_fused_cell, test_fused_cell_hidden

# %% cell: fused_cell
def fuse_params(params):
    order = ("i", "f", "c", "o")
    return {"Wx": np.concatenate([params[g + "x"] for g in order], axis=1),
            "Wm": np.concatenate([params[g + "m"] for g in order], axis=1),
            "b": np.concatenate([params[g + "b"] for g in order], axis=1)}


def fused_lstm_cell(x, h_prev, c_prev, fused):
    a = x @ fused["Wx"] + h_prev @ fused["Wm"] + fused["b"]
    n_a = a.shape[1] // 4
    i, f, u, o = a[:, :n_a], a[:, n_a:2 * n_a], a[:, 2 * n_a:3 * n_a], a[:, 3 * n_a:]
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(u)
    return sigmoid(o) * np.tanh(c), c
