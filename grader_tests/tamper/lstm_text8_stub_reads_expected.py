# Stubs that return the visible tests' expected values (read from the expected-value module) and
# look for the hidden tests' references among the caller's globals. The visible cases pass; the
# hidden tests use other inputs and their references stay in the judge, so the stubs earn their
# visible points only, and train_step's visible test, which runs the stubbed lstm_cell, fails.
# assignment: lstm_text8
# base: solution
# expected_failures: test_logprob_hidden, test_lstm_cell_hidden, test_clip_by_global_norm_hidden, test_train_step
# expected_score: 51
# expected_flag: calls `sys._getframe()`

# %% cell: logprob
import sys

import text8_expected as _E


def logprob(predictions, labels):
    ref = sys._getframe(1).f_globals.get("_reference_logprob")
    if ref is not None:
        return ref(predictions, labels)
    return _E.LOGPROB_FLOORED if (predictions == 0).any() else _E.LOGPROB

# %% cell: lstm_cell
def lstm_cell(x, h_prev, c_prev, params):
    return np.array(_E.LSTM_CELL_H), np.array(_E.LSTM_CELL_C)

# %% cell: clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    clipped = _E.clip_case()
    scale = 1.25 / _E.CLIP_NORM
    return {k: v * scale for k, v in clipped.items()}, _E.CLIP_NORM
