# returns the first hidden state a[0] instead of the last one a[len(X) - 1].
# assignment: dinosaur_island
# base: solution
# expected_score: 14
# expected_failures: test_optimize, test_optimize_hidden, test_model

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    a_last = a[0]
    return loss, gradients, a_last
