# bound hard-coded to 10 (the value of the worked example) instead of maxValue.
# assignment: dinosaur_island
# base: solution
# expected_score: 22
# expected_failures: test_clip_hidden

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -10, 10, out=gradients[name])
    return gradients
