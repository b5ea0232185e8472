# clip loops over the three weight gradients and forgets db and dby.
# assignment: dinosaur_island
# base: solution
# expected_score: 17
# expected_failures: test_clip, test_clip_hidden, test_optimize

# %% cell: clip
def clip(gradients, maxValue):
    for name in ("dWax", "dWaa", "dWya"):
        np.clip(gradients[name], -maxValue, maxValue, out=gradients[name])
    return gradients
