# A correct notebook with scratch cells of its own (inspect, copy, prints, a helper that shadows a
# provided name in the learner's own process). Full marks and nothing to flag.
# assignment: nietzsche_rnn
# base: solution
# expected_failures: none
# expected_score: 32

# %% new-cell-after: data_code
import copy
import inspect

print(inspect.signature(nonoverlapping_windows))
backup = copy.copy(chars)
print(len(backup), "characters in the vocabulary")

# %% new-cell-after: overlapping_demo
def show_windows(X, Y, chars, n=3):
    for row, target in zip(X[:n], Y[:n]):
        print(repr("".join(chars[i] for i in row)), "->", repr(chars[target]))


show_windows(*overlapping_windows(encode("the will to power", chars), 8), chars)
