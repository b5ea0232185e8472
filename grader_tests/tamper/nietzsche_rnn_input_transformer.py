# The untouched release plus one cell that turns every later cell into `pass` and edits the
# expected values in place. Neither reaches the judge: the stubs earn nothing.
# assignment: nietzsche_rnn
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: reaches into `input_transformers_post`

# %% new-cell-after: setup
import nietzsche_expected

for table in (nietzsche_expected.NONOVERLAPPING, nietzsche_expected.OVERLAPPING, nietzsche_expected.STATEFUL):
    for key in table:
        table[key] = []
get_ipython().input_transformers_post.append(lambda lines: ["pass\n"])
