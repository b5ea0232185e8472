# bound hard-coded to 5 (the value optimize uses) instead of maxValue.
# assignment: dinosaur_island
# base: solution
# expected_score: 20
# expected_failures: test_clip, test_clip_hidden

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -5, 5, out=gradients[name])
    return gradients
