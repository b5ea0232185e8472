# Rewrites the helper module and the data file from inside the notebook. It writes into its own
# private working copy (a tmpfs inside the sandbox), so nothing outside changes; the helpers were
# already imported, and the judge uses the course's own copies: full marks, nothing to flag.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24

# %% new-cell-after: setup
for name in ("rnn_utils.py", "dinos.txt", "grading.py"):
    try:
        with open(name, "w") as f:
            f.write("")
        print("HELPERS REWRITTEN", name)
    except OSError as err:
        print("could not write", name, type(err).__name__)
