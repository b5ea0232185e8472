# The untouched release plus one cell that registers a post_run_cell event clearing every cell's
# error, with get_ipython imported under another name. The stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: reaches into `events`

# %% new-cell-after: setup
from IPython.core.getipython import get_ipython as _gi


def _forget(result):
    result.error_in_exec = None
    result.error_before_exec = None


_gi().events.register("post_run_cell", _forget)
