# The untouched release plus one cell that rebinds the checks in ways a scan of assignments misses:
# `global` inside a class body, a `match` capture pattern, and exec reached through getattr. The
# checks that judge run in the judge's own process: the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: rebinds `check_close`
# expected_flag: rebinds `check_equal` by a match pattern
# expected_flag: reaches into `__self__`


# %% new-cell-after: setup
class _Rebind:
    global check_close
    check_close = print

match print:
    case check_equal:
        pass

getattr(print.__self__, "ex" + "ec")("check_printed = check_shape = fail = print")
