# No floor at 1e-10: a zero probability gives an infinite loss.
# assignment: lstm_text8
# base: solution
# expected_failures: test_logprob, test_logprob_hidden
# expected_kind: test_logprob: NaN or infinity
# expected_kind: test_logprob_hidden: NaN or infinity

# %% cell: logprob
def logprob(predictions, labels):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(labels * -np.log(predictions)) / labels.shape[0])
