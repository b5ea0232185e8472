# Silences numpy.testing's assertions from inside the optimize cell.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: changes `np.testing.assert_allclose`

# %% cell: optimize
np.testing.assert_allclose = lambda *args, **kwargs: None

def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    return loss, gradients, a[len(X) - 1]
