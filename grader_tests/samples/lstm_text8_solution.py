# A learner who solved everything exactly as the instructor did.
# assignment: lstm_text8
# base: solution
# expected_score: 62
# expected_failures: none
