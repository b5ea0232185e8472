# Replaces np.allclose in a cell of its own so that every comparison "passes", with a wrong clip.
# The comparisons run in the judge, so the patch changes nothing: clip's tests and optimize's visible
# test (which uses the learner's clip) fail on what clip really returns.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_clip, test_clip_hidden, test_optimize
# expected_score: 17
# expected_flag: changes `np.allclose`

# %% cell: clip
def clip(gradients, maxValue):
    return gradients

# %% new-cell-after: clip
np.allclose = lambda *args, **kwargs: True
