# A logprob stub that zeroes the labels it is given and returns 0: when arguments were copied back
# into the test's objects and the hidden test computed its expected value from them after the call,
# it passed. Expected values now come from the test's own copies, made before the call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_logprob, test_logprob_hidden
# expected_score: 58

# %% cell: logprob
def logprob(predictions, labels):
    labels[...] = 0.0
    return 0.0
