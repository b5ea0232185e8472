# A correct notebook plus one cell that prints, writes to stderr and raises text holding lone surrogates.
# The class is still written in full (the grader escapes them wherever text leaves it); full marks.
# assignment: nietzsche_rnn
# base: solution
# expected_failures: none
# expected_score: 32

# %% new-cell-after: setup
import sys

odd = "\udcdcber \udfff"
print("stdout:", odd)
print("stderr:", odd, file=sys.stderr)
raise RuntimeError(odd)
