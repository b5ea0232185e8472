# Prints 100 MB in a cell of its own. Graded as usual; the autograded notebook keeps 20,000
# characters of that output, so it stays small.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_max_bytes: 2000000

# %% new-cell-after: setup
print("x" * 100_000_000)
