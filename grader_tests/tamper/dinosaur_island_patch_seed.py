# Disables np.random.seed so that the seeded draws in the tests stop meaning anything. It only
# changes the learner's own process: sample and model then draw other characters and fail.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_sample, test_sample_hidden, test_model, test_model_hidden
# expected_score: 10
# expected_flag: changes `np.random.seed`

# %% new-cell-after: sample
np.random.seed = lambda seed=None: None
