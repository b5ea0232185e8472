# The untouched release plus one cell that wraps IPython's run_code so that no cell ever reports an
# error (get_ipython reached under another name). Verdicts come from the judge: the stubs earn nothing.
# assignment: lstm_text8
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: reaches into `run_code`

# %% new-cell-after: setup
from IPython import get_ipython as _kernel

_original = _kernel().run_code


async def _never_fails(code_obj, result=None, *, async_=False):
    try:
        await _original(code_obj, result, async_=async_)
    finally:
        if result is not None:
            result.error_in_exec = None
    return False


_kernel().run_code = _never_fails
