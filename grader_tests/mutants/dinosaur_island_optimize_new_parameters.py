# builds a new dictionary of updated parameters: the caller's arrays are never updated.
# assignment: dinosaur_island
# base: solution
# expected_kind: test_optimize_hidden: not updated in place
# expected_score: 17
# expected_failures: test_optimize_hidden, test_model

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = {name: parameters[name] - learning_rate * gradients["d" + name]
                  for name in ("Wax", "Waa", "Wya", "b", "by")}
    a_last = a[len(X) - 1]
    return loss, gradients, a_last
