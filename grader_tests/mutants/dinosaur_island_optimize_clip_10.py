# clips to [-10, 10] instead of [-5, 5].
# assignment: dinosaur_island
# base: solution
# expected_score: 18
# expected_failures: test_optimize, test_optimize_hidden

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 10)
    parameters = update_parameters(parameters, gradients, learning_rate)
    a_last = a[len(X) - 1]
    return loss, gradients, a_last
