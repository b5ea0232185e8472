# Averages over every entry (N * 27) instead of over the N rows.
# assignment: lstm_text8
# base: solution
# expected_failures: test_logprob, test_logprob_hidden

# %% cell: logprob
def logprob(predictions, labels):
    return float(np.mean(labels * -np.log(np.maximum(predictions, 1e-10))))
