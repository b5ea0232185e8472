# Patches numpy.random through an alias the static check does not follow. It changes only the
# learner's own process: sample draws index 0 every time, and sample's and model's visible tests fail.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_sample, test_sample_hidden, test_model
# expected_score: 14

# %% new-cell-after: clip
import numpy.random as rnd

rnd.choice = lambda a, size=None, replace=True, p=None: 0
