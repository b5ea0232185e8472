# Replaces np.allclose in a cell of its own so that every comparison "passes", with a wrong clip.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: changes `np.allclose`

# %% cell: clip
def clip(gradients, maxValue):
    return gradients

# %% new-cell-after: clip
np.allclose = lambda *args, **kwargs: True
