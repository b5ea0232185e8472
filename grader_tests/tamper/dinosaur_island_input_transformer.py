# The untouched release plus one cell that installs an input transformer turning every later cell
# into `pass`, so that no test can fail in the notebook. The tests do not run in the notebook: the
# stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: reaches into `input_transformers_post`

# %% new-cell-after: setup
def _silence(lines):
    return ["pass\n"]


get_ipython().input_transformers_post.append(_silence)
