# A learner who submitted the release without writing any code.
# assignment: dinosaur_island
# base: release
# expected_score: 0
