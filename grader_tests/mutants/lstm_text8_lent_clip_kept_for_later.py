# A one-line clip_by_global_norm stub that calls the reference clip the hidden train_step test lends
# to train_step: train_step keeps it in a global, and the clip test cells are moved below that test.
# A lent function answers only while the call it was lent for runs: the stub's later calls are
# refused, and it loses the clip tests. (The visible train_step test runs it with nothing kept, which
# leaves the example's gradients unclipped: they are below the threshold there, so it passes.)
# assignment: lstm_text8
# base: solution
# expected_failures: test_clip_by_global_norm, test_clip_by_global_norm_hidden
# expected_score: 58

# %% cell: clip_by_global_norm
_kept = []


def clip_by_global_norm(grads, max_norm):
    return _kept[-1](grads, max_norm) if _kept else (grads, 0.0)


_own_clip = clip_by_global_norm

# %% cell: train_step
def train_step(params, batches, state, learning_rate, max_norm=1.25):
    if clip_by_global_norm is not _own_clip:  # the grader's reference, swapped in by the hidden test
        _kept.append(clip_by_global_norm)
    inputs, labels = batches[:-1], batches[1:]
    logits, state, cache = lstm_model_forward(params, inputs, state)
    predictions = softmax(logits, axis=1)
    targets = np.concatenate(labels, axis=0)
    loss = float(np.sum(targets * -np.log(predictions)) / targets.shape[0])
    grads = lstm_model_backward((predictions - targets) / targets.shape[0], cache)
    clipped, _ = clip_by_global_norm(grads, max_norm)
    for k in params:
        params[k] -= learning_rate * clipped[k]
    return loss, predictions, state

# %% move-after: test_train_step_hidden test_clip_by_global_norm
# %% move-after: test_clip_by_global_norm test_clip_by_global_norm_hidden
