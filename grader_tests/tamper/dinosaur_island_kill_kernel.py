# Kills its own process with a signal from inside model. The judge sees the process end: the tests
# that had already run keep their points, model's tests get none (the process ended itself), flagged.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_model, test_model_hidden
# expected_score: 16
# expected_flag: calls `os.kill()`
# expected_flag: (SIGKILL)

# %% cell: model
def model(data_x, ix_to_char, char_to_ix, num_iterations=35000, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    import os
    os.kill(os.getpid(), 9)
