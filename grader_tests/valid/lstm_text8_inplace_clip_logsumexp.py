# Clipping in place with np.linalg.norm, and a train_step with a log-sum-exp loss that rebinds the parameters.
# assignment: lstm_text8
# base: solution
# expected_failures: none

# %% cell: clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in grads.values()])))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads, norm

# %% cell: train_step
def train_step(params, batches, state, learning_rate, max_norm=1.25):
    logits, new_state, cache = lstm_model_forward(params, batches[:-1], state)
    targets = np.vstack(batches[1:])
    top = logits.max(axis=1, keepdims=True)
    log_z = top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True))
    predictions = np.exp(logits - log_z)
    loss = float(np.mean(np.sum(targets * (log_z - logits), axis=1)))
    grads = lstm_model_backward((predictions - targets) / len(targets), cache)
    grads, _ = clip_by_global_norm(grads, max_norm)
    for name in list(params):
        params[name] = params[name] - learning_rate * grads[name]
    return loss, predictions, new_state
