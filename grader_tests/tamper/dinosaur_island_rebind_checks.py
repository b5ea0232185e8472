# Rebinds the test helpers the graded cells call so that they never fail.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: rebinds `check_close`
# expected_flag: rebinds `fail`

# %% new-cell-after: setup
def _accept(*args, **kwargs):
    return None

check_close = check_equal = check_printed = check_shape = check_keys = check_type = _accept
fail = _accept
