# A sample stub that rewrites the parameters it is given (no weights, a bias that makes one
# character certain) and returns the indices those rewritten parameters dictate. When arguments were
# copied back into the test's objects and the replay read them after the call, the hidden test passed
# it; the replay now reads the test's own parameters.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_sample, test_sample_hidden, test_model
# expected_score: 14

# %% cell: sample
def sample(parameters, char_to_ix, seed):
    newline = char_to_ix["\n"]
    if parameters["by"][newline, 0] > 40:
        return [newline]
    parameters["Wya"][...] = 0.0
    parameters["by"][...] = -1e3
    parameters["by"][1] = 1e3
    return [1] * 50 + [newline]
