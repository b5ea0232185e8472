# A correct notebook whose nbgrader metadata was stripped (as some editors do when copying cells).
# The intake recognises the cells and restores the metadata: full marks, and a note (no flag).
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_note: cells had lost their nbgrader metadata: restored

# %% strip-metadata
