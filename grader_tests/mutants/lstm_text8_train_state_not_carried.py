# Hands back the state it was given, so every window starts from the same state.
# assignment: lstm_text8
# base: solution
# expected_failures: test_train_step, test_train_step_hidden

# %% cell: train_step
def train_step(params, batches, state, learning_rate, max_norm=1.25):
    inputs, labels = batches[:-1], batches[1:]
    logits, new_state, cache = lstm_model_forward(params, inputs, state)
    predictions = softmax(logits, axis=1)
    targets = np.concatenate(labels, axis=0)
    n_rows = targets.shape[0]
    loss = float(np.sum(targets * -np.log(predictions)) / n_rows)
    grads = lstm_model_backward((predictions - targets) / n_rows, cache)
    clipped, _ = clip_by_global_norm(grads, max_norm)
    for k in params:
        params[k] -= learning_rate * clipped[k]
    return loss, predictions, state
