# The forget gate is computed with the input gate's weights (a copy-paste slip).
# assignment: lstm_text8
# base: solution
# expected_failures: test_lstm_cell, test_lstm_cell_hidden

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    p = params
    input_gate = sigmoid(x @ p["ix"] + h_prev @ p["im"] + p["ib"])
    forget_gate = sigmoid(x @ p["ix"] + h_prev @ p["im"] + p["ib"])
    update = x @ p["cx"] + h_prev @ p["cm"] + p["cb"]
    c = forget_gate * c_prev + input_gate * np.tanh(update)
    output_gate = sigmoid(x @ p["ox"] + h_prev @ p["om"] + p["ob"])
    h = output_gate * np.tanh(c)
    return h, c
