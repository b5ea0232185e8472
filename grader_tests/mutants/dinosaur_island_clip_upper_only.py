# caps the gradients from above with np.minimum and forgets the lower bound -maxValue.
# assignment: dinosaur_island
# base: solution
# expected_score: 20
# expected_failures: test_clip, test_clip_hidden

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        gradients[name] = np.minimum(gradients[name], maxValue)
    return gradients
