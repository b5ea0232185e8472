# The untouched release plus one cell that installs a tracer through os.sys.settrace, to rewrite the
# tests' local variables as they run. The tests run in the judge: the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: calls `os.sys.settrace()`

# %% new-cell-after: setup
import os


def _tracer(frame, event, arg):
    if "expected" in frame.f_locals:
        frame.f_locals["got"] = frame.f_locals["expected"]
    return _tracer


os.sys.settrace(_tracer)
