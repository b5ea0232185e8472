# The untouched release plus one cell that wraps IPython's run_code (reached through an alias of
# get_ipython) so that no cell ever reports an error. Verdicts come from the judge, not from the
# cells' errors: the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: reaches into `run_code`

# %% new-cell-after: setup
from IPython import get_ipython as shell_of_this_kernel

_shell = shell_of_this_kernel()
_run_code = _shell.run_code


async def quiet_run_code(code_obj, result=None, *, async_=False):
    try:
        return await _run_code(code_obj, result, async_=async_)
    finally:
        if result is not None:
            result.error_in_exec = None
    return False


_shell.run_code = quiet_run_code
