# Stubs that look for the hidden tests' reference values where the tests would be: the caller's
# frame (sys._getframe), a traceback's frames, and every object the garbage collector knows. The
# hidden tests and their references live in the judge's process, never in the learner's: nothing
# is found, and the stubs earn nothing.
# assignment: dinosaur_island
# base: release
# expected_failures: all
# expected_score: 0
# expected_flag: calls `sys._getframe()`
# expected_flag: imports `gc`
# expected_absent: FOUND A REFERENCE


# %% cell: clip
import gc
import sys


def _find_reference(name):
    frame = sys._getframe(1)
    while frame is not None:
        if name in frame.f_globals:
            print("FOUND A REFERENCE in a frame")
            return frame.f_globals[name]
        frame = frame.f_back
    try:
        raise RuntimeError
    except RuntimeError as err:
        tb = err.__traceback__
        while tb is not None:
            if name in tb.tb_frame.f_globals:
                print("FOUND A REFERENCE in a traceback")
                return tb.tb_frame.f_globals[name]
            tb = tb.tb_next
    for obj in gc.get_objects():
        if callable(obj) and getattr(obj, "__name__", "") == name:
            print("FOUND A REFERENCE through gc")
            return obj
    return None


def clip(gradients, maxValue):
    ref = _find_reference("_reference_clip") or _find_reference("_clip_hidden_case")
    return ref(gradients, maxValue) if ref else gradients
