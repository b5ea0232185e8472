# A correct notebook in which two test cells, a read-only code cell and a read-only Markdown cell were
# turned into cells of another type by accident (a key press in command mode). nbgrader restores them as
# released, so does the intake: the tests run and pass, full marks, and a note (no flag).
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
# expected_note: 4 cells had changed type: restored as released

# %% cell-type: test_clip markdown

# %% cell-type: test_sample_hidden raw

# %% cell-type: clip_demo markdown

# %% cell-type: sample_md code
