# A learner who took the most likely character in sample_distribution instead of drawing one, and
# whose train_step hands back the state it was given instead of the new one; the rest is right.
# assignment: lstm_text8
# base: solution
# expected_score: 50
# expected_failures: test_sample_distribution, test_sample_distribution_hidden, test_train_step, test_train_step_hidden

# %% cell: sample_distribution
def sample_distribution(distribution, rng):
    return int(np.argmax(distribution))

# %% cell: train_step
def train_step(params, batches, state, learning_rate, max_norm=1.25):
    inputs, labels = batches[:-1], batches[1:]
    logits, new_state, cache = lstm_model_forward(params, inputs, state)
    predictions = softmax(logits, axis=1)
    targets = np.concatenate(labels, axis=0)
    loss = float(np.sum(targets * -np.log(predictions)) / targets.shape[0])
    grads = lstm_model_backward((predictions - targets) / targets.shape[0], cache)
    clipped, _ = clip_by_global_norm(grads, max_norm)
    for k in params:
        params[k] -= learning_rate * clipped[k]
    return loss, predictions, state
