# caps the gradients from above with np.minimum and forgets the lower bound -maxValue.
# assignment: dinosaur_island
# base: solution
# expected_score: 17
# expected_failures: test_clip, test_clip_hidden, test_optimize

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        gradients[name] = np.minimum(gradients[name], maxValue)
    return gradients
