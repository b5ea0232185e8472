# The Nietzsche notebook, solved, handed in as Dinosaur Island: not a learner who did nothing. It earns
# nothing here, and one reason says which notebook it looks like.
# assignment: dinosaur_island
# notebook: nietzsche_rnn
# base: solution
# expected_score: 0
# expected_failures: all
# expected_flag: this looks like the nietzsche_rnn notebook, not dinosaur_island
