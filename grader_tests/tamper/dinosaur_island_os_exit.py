# Ends its process with os._exit() in the middle of the notebook, hoping to vanish from the gradebook.
# It stays in the gradebook: the tests before keep their points, the rest get none, with the reason.
# assignment: dinosaur_island
# base: solution
# expected_failures: test_optimize, test_optimize_hidden, test_model, test_model_hidden
# expected_score: 10
# expected_flag: calls `os._exit()`
# expected_flag: ended itself with exit status 0

# %% new-cell-after: optimize
import os

os._exit(0)
