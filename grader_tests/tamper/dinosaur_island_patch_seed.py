# Disables np.random.seed so that the seeded draws in the tests stop meaning anything.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: changes `np.random.seed`

# %% new-cell-after: sample
np.random.seed = lambda seed=None: None
