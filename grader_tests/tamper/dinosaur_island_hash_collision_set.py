# clip returns, and optimize sends to the reference clip the hidden test lends it, a set of 200,000
# integers that all hash alike, written straight into the frame by the notebook's own copy of the
# wire (cheap to send, minutes of quadratic work for a receiver that builds it). The grader refuses
# such a value after a few thousand keys: those tests end at once, as a limit, and the rest is graded.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_clip, test_clip_hidden, test_optimize, test_optimize_hidden, test_model
# expected_score: 10

# %% cell: clip
import rpc as _wire  # the harness's module, already loaded in the notebook's process


class _Colliding:
    pass


_plain_enc = _wire._Encoder.enc


def _enc(self, v, depth=0):
    if isinstance(v, _Colliding):
        return {"__set__": [{"__int__": str(k * (2 ** 61 - 1))} for k in range(1, 200_001)], "frozen": False}
    return _plain_enc(self, v, depth)


_wire._Encoder.enc = _enc


def clip(gradients, maxValue):
    return _Colliding()


_own_clip = clip

# %% cell: optimize
def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    if clip is not _own_clip:
        clip(_Colliding(), 5)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]
