# The untouched release plus one cell that replaces grading's private helpers and clears the
# guard's table of originals, and rebinds np to a proxy that answers True to every comparison.
# Only the learner's own copies change: the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: changes `grading._verify_environment`
# expected_flag: rebinds `np`

# %% new-cell-after: setup
import grading
import numpy


grading._ORIGINALS.clear()
grading._verify_environment = lambda: None
grading._abs = lambda x: 0 * x


class _Everything:
    def __getattr__(self, name):
        return getattr(numpy, name) if name != "allclose" else (lambda *a, **k: True)


np = _Everything()
