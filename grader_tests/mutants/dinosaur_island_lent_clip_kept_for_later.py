# A one-line clip stub that calls the reference clip the hidden optimize test lends to optimize:
# optimize keeps it in a global, and the clip test cells are moved below that test. A lent
# function answers only while the call it was lent for runs, so every later call of it is refused:
# the stub loses the clip tests, and the visible optimize and model tests, which run it too.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_clip, test_clip_hidden, test_optimize, test_model
# expected_score: 13

# %% cell: clip
_kept = []


def clip(gradients, maxValue):
    return _kept[-1](gradients, maxValue) if _kept else gradients


_own_clip = clip

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    if clip is not _own_clip:  # the grader's reference, swapped in by the hidden test
        _kept.append(clip)
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]

# %% move-after: test_optimize_hidden test_clip
# %% move-after: test_clip test_clip_hidden
