# A realistic in-place bug: logprob smooths the caller's labels in place (0.9 one-hot + 0.1 / 27)
# before taking the cross-entropy. The expected value comes from the test's own labels, before the call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_logprob, test_logprob_hidden
# expected_score: 58

# %% cell: logprob
def logprob(predictions, labels):
    labels *= 0.9
    labels += 0.1 / labels.shape[1]
    return float(np.sum(labels * -np.log(np.maximum(predictions, 1e-10))) / labels.shape[0])
