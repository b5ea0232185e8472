# Ends the kernel with os._exit() in the middle of the notebook, hoping to vanish from the gradebook.
# assignment: dinosaur_island
# base: solution
# expected_failures: all
# expected_score: 0
# expected_flag: calls `os._exit()`
# expected_flag: its kernel died

# %% new-cell-after: optimize
import os

os._exit(0)
