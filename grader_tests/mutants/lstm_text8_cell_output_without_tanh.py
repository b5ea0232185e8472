# The output is o * c: the tanh of the cell state is missing.
# assignment: lstm_text8
# base: solution
# expected_failures: test_lstm_cell, test_lstm_cell_hidden

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    p = params
    input_gate = sigmoid(x @ p["ix"] + h_prev @ p["im"] + p["ib"])
    forget_gate = sigmoid(x @ p["fx"] + h_prev @ p["fm"] + p["fb"])
    update = x @ p["cx"] + h_prev @ p["cm"] + p["cb"]
    c = forget_gate * c_prev + input_gate * np.tanh(update)
    output_gate = sigmoid(x @ p["ox"] + h_prev @ p["om"] + p["ob"])
    return output_gate * c, c
