# computes the step with one column per example (W.T @ x.T, as in a course that stores examples as columns):
# h and c come back (n_a, m), the transpose of the documented (m, n_a).
# assignment: lstm_text8
# base: solution
# expected_kind: test_lstm_cell_hidden: transposed
# expected_score: 56
# expected_failures: test_lstm_cell, test_lstm_cell_hidden
# expected_kind: test_lstm_cell: transposed

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    p = params
    xt, ht = x.T, h_prev.T
    input_gate = sigmoid(p["ix"].T @ xt + p["im"].T @ ht + p["ib"].T)
    forget_gate = sigmoid(p["fx"].T @ xt + p["fm"].T @ ht + p["fb"].T)
    update = p["cx"].T @ xt + p["cm"].T @ ht + p["cb"].T
    c = forget_gate * c_prev.T + input_gate * np.tanh(update)
    output_gate = sigmoid(p["ox"].T @ xt + p["om"].T @ ht + p["ob"].T)
    h = output_gate * np.tanh(c)
    return h, c
