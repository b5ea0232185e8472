# clip as a dict comprehension over every key, returning new arrays.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none

# %% cell: clip
def clip(gradients, maxValue):
    return {name: np.clip(g, -maxValue, maxValue) for name, g in gradients.items()}
