# A learner who handed in the release without writing anything.
# assignment: lstm_text8
# base: release
# expected_score: 0
