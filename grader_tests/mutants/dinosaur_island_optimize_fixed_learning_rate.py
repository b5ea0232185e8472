# hard-codes the learning rate 0.01 in the update and ignores the argument.
# assignment: dinosaur_island
# base: solution
# expected_score: 21
# expected_failures: test_optimize_hidden
# expected_kind: test_optimize_hidden: wrong scale

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, 0.01)
    a_last = a[len(X) - 1]
    return loss, gradients, a_last
