# writes the update by hand with += : every parameter climbs its gradient instead of descending it.
# assignment: dinosaur_island
# base: solution
# expected_kind: test_optimize_hidden: wrong sign
# expected_score: 17
# expected_failures: test_optimize_hidden, test_model

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    for name in ("Wax", "Waa", "Wya", "b", "by"):
        parameters[name] += learning_rate * gradients["d" + name]
    a_last = a[len(X) - 1]
    return loss, gradients, a_last
