# The untouched release plus one cell that edits the expected values in place (the dicts the visible
# tests read) so that a stub's output "matches". It edits its own copy: the judge's expected values
# are the course's, and the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: changes `SAMPLE_DOCUMENTED[:]`

# %% new-cell-after: setup
import dinosaur_expected

for key in list(dinosaur_expected.CLIP):
    dinosaur_expected.CLIP[key] = ((0, 0), "0")
dinosaur_expected.OPTIMIZE.clear()
SAMPLE_DOCUMENTED[:] = [0] * len(SAMPLE_DOCUMENTED)
