# The untouched release plus one cell that prints, writes to stderr and raises text holding lone surrogates.
# The class is still written in full (the grader escapes them wherever text leaves it); the stubs earn nothing.
# assignment: lstm_text8
# base: release
# expected_failures: all
# expected_score: 0

# %% new-cell-after: setup
import sys

odd = "na\udcefve \ud83d"
print("stdout:", odd)
print("stderr:", odd, file=sys.stderr)
raise RuntimeError(odd)
