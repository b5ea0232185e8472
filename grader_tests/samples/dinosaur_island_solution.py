# A learner who solved everything exactly as the instructor did.
# assignment: dinosaur_island
# base: solution
# expected_score: 24
# expected_failures: none
