# np.clip without out=: the clipped copy is thrown away and the gradients come back unclipped.
# assignment: dinosaur_island
# base: solution
# expected_score: 17
# expected_failures: test_clip, test_clip_hidden, test_optimize

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -maxValue, maxValue)
    return gradients
