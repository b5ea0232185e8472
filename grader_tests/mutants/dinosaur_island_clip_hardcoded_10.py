# bound hard-coded to 10 (the value of the worked example) instead of maxValue; optimize then clips to 10 too.
# assignment: dinosaur_island
# base: solution
# expected_score: 19
# expected_failures: test_clip_hidden, test_optimize

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], -10, 10, out=gradients[name])
    return gradients
