# The untouched release plus a cell that claims to be a graded test of its own (an invented
# grade_id worth 100 points) and prints success. Unknown grade_ids lose their metadata: the cell
# runs as the learner's own, and counts for nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: carried nbgrader metadata the assignment does not have

# %% new-graded-cell-after: setup test_bonus 100
print("bonus: all tests passed")
