# A learner who submitted the release without writing any code.
# assignment: nietzsche_rnn
# base: release
# expected_score: 0
# expected_failures: test_nonoverlapping_windows, test_nonoverlapping_windows_hidden, test_unrolled_forward, test_unrolled_forward_hidden, test_get_next_char, test_get_next_char_hidden, test_overlapping_windows, test_overlapping_windows_hidden, test_get_next_n_chars, test_get_next_n_chars_hidden, test_stateful_batches, test_stateful_batches_hidden
