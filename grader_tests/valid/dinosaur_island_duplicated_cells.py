# Cells copied and pasted (the copies keep their nbgrader metadata): a first, wrong clip kept above the
# right one, and the visible clip test pasted twice. Both clip cells run in order, the last definition
# counts (as in the learner's own run), and each grade_id keeps one cell: full marks, a note.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
# expected_note: 2 cells appeared more than once ('clip', 'test_clip')

# %% duplicate: clip

# %% cell: clip
def clip(gradients, maxValue):
    return gradients  # first try, replaced by the cell below

# %% duplicate: test_clip
