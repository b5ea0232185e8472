# optimize taking the last hidden state from the forward cache and passing arguments by keyword.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X=X, Y=Y, a0=a_prev, parameters=parameters)
    _, hidden, _ = cache
    gradients, _ = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients=gradients, maxValue=5)
    update_parameters(parameters, gradients, lr=learning_rate)
    return float(loss), gradients, hidden[max(k for k in hidden)]
