# clips to [0, maxValue] instead of [-maxValue, maxValue]: every negative gradient becomes 0.
# assignment: dinosaur_island
# base: solution
# expected_score: 13
# expected_failures: test_clip, test_clip_hidden, test_optimize, test_model

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya", "db", "dby"):
        np.clip(gradients[name], 0, maxValue, out=gradients[name])
    return gradients
