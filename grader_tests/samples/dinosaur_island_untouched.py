# A learner who submitted the release without writing any code.
# assignment: dinosaur_island
# base: release
# expected_score: 0
# expected_kind: test_clip: not written yet
# expected_kind: test_clip_hidden: not written yet
