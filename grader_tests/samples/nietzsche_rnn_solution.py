# A learner who solved everything exactly as the instructor did.
# assignment: nietzsche_rnn
# base: solution
# expected_score: 32
# expected_failures: none
