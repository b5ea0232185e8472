# Kills its own kernel with a signal from inside model.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: calls `os.kill()`

# %% cell: model
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    import os
    os.kill(os.getpid(), 9)
