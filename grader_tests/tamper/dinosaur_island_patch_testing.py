# Silences numpy.testing's assertions from inside the optimize cell, with an optimize that does not
# clip. The assertions run in the judge: optimize fails on its unclipped gradients (and model with it).
# assignment: dinosaur_island
# base: solution
# expected_failures: test_optimize, test_optimize_hidden, test_model
# expected_score: 14
# expected_flag: changes `np.testing.assert_allclose`

# %% cell: optimize
np.testing.assert_allclose = lambda *args, **kwargs: None

def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    return loss, gradients, a[len(X) - 1]
