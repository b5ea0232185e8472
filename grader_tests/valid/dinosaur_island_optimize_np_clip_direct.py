# optimize clipping with np.clip directly (not calling clip) and updating the parameters itself.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    for name in ("Wax", "Waa", "Wya", "b", "by"):
        g = np.clip(gradients["d" + name], -5, 5)
        gradients["d" + name] = g
        parameters[name] = parameters[name] - learning_rate * g
    return loss, gradients, a[len(X) - 1]
