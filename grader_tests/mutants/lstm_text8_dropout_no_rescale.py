# Drops entries but does not divide the survivors by keep_prob.
# assignment: lstm_text8
# base: solution
# expected_failures: test_dropout, test_dropout_hidden

# %% cell: dropout
def dropout(x, keep_prob, rng):
    mask = (rng.random(x.shape) < keep_prob).astype(x.dtype)
    return x * mask, mask
