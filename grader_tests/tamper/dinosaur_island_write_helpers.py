# Rewrites the helper module and the data file from inside the notebook. The sandbox keeps the
# folder read-only (the writes fail), and the intake zeroes and flags the attempt.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: opens a file for writing
# expected_absent: HELPERS REWRITTEN

# %% new-cell-after: setup
for name in ("rnn_utils.py", "dinos.txt", "grading.py"):
    try:
        with open(name, "w") as f:
            f.write("")
        print("HELPERS REWRITTEN", name)
    except OSError as err:
        print("could not write", name, type(err).__name__)
