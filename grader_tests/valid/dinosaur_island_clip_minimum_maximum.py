# clip with np.minimum/np.maximum into a new dict holding only the five gradients.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: clip
def clip(gradients, maxValue):
    clipped = {}
    for name in ["dWax", "dWaa", "dWya", "db", "dby"]:
        clipped[name] = np.maximum(np.minimum(gradients[name], maxValue), -maxValue)
    return clipped
