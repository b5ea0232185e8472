# clip in place with boolean masks, one loop over the values of the dict.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: clip
def clip(gradients, maxValue):
    for g in (gradients["dWax"], gradients["dWaa"], gradients["dWya"], gradients["db"], gradients["dby"]):
        g[g > maxValue] = maxValue
        g[g < -maxValue] = -maxValue
    return gradients
