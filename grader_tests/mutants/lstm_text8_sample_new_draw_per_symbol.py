# Draws a fresh random number for every symbol instead of one per call.
# assignment: lstm_text8
# base: solution
# expected_failures: test_sample_distribution, test_sample_distribution_hidden

# %% cell: sample_distribution
def sample_distribution(distribution, rng):
    for i in range(len(distribution)):
        if rng.random() < distribution[i]:
            return i
    return len(distribution) - 1
