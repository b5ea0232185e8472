# An lstm_cell stub that zeroes every weight and bias it is given, so that each gate is 0.5 and the
# candidate 0, and returns what those zeroed parameters give. It passed the hidden test when the
# expected values were computed from the parameters after the call; now they come from the test's
# own copies.
# assignment: lstm_text8
# base: solution
# expected_failures: test_lstm_cell, test_lstm_cell_hidden
# expected_score: 56

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    for value in params.values():
        value[...] = 0.0
    return 0.5 * np.tanh(0.5 * c_prev), 0.5 * c_prev
