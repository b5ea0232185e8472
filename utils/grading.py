"""Assertions used by the graded test cells of every assignment.

Each check raises AssertionError (the subclass CheckFailed, which IPython shows compactly: the
message first, then the notebook lines that led there) with a message that says what was expected
and what came back, so a failing test doubles as feedback.

In the learner's notebook these checks are a self-check. The autograder (grader/judge.py) runs the
same test code and these same checks in its own process, outside the learner's, so nothing a
notebook changes in its own process (numpy's functions, these checks, the expected values) can
change a verdict.

Arguments cross to the learner's function as copies there, so a test that checks what a call did to
its argument (a function that must update `params` in place, or must leave `predictions` as it was)
reads it through `after_call(argument)`: in a notebook that is the argument itself; in the
autograder it is the state the learner's last call left its copy in. Tests compute their expected
values from their own copies made before the call, never from an argument after it.

This file is the single hand-maintained copy; the build copies it into each assignment
folder.
"""

import linecache as _linecache

import numpy as _np

_asarray = _np.asarray
_abs = _np.abs
_isfinite = _np.isfinite
_all = _np.all
_argmax = _np.argmax
_unravel_index = _np.unravel_index
_ndarray = _np.ndarray
_array2string = _np.array2string

__all__ = ["check_type", "check_shape", "check_close", "check_printed", "check_equal", "check_keys", "fail",
           "after_call", "show"]

_after_call_hook = None  # set by the autograder's judge (grader/judge.py); None in a notebook


class CheckFailed(AssertionError):
    """The AssertionError every check raises: in a notebook it shows its message first, in one line.

    IPython draws an exception that has `_render_traceback_` with the lines that method returns, so a
    failing test shows "AssertionError: <what was expected and what came back>" followed by the
    lines of the learner's notebook that led there, without this module's frames.
    """

    def _render_traceback_(self):
        red, cyan, green, reset = "\x1b[31m", "\x1b[36m", "\x1b[32m", "\x1b[0m"
        lines = [f"{red}AssertionError{reset}: {self}"]
        tb = self.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename != __file__ and "IPython" not in code.co_filename:  # skip IPython's exec frame
                where = _cell_name(code.co_filename) or f"File {code.co_filename}"
                text = _linecache.getline(code.co_filename, tb.tb_lineno).strip()
                lines.append(f"{cyan}{where}, line {tb.tb_lineno}{reset}: {green}{text}{reset}")
            tb = tb.tb_next
        return lines


# Shown as "AssertionError" in tracebacks and error outputs (ename), like the plain one it extends.
CheckFailed.__name__ = CheckFailed.__qualname__ = "AssertionError"


def _cell_name(filename):
    """"Cell In[12]" for the code of a notebook cell (IPython's own naming), else None."""
    try:
        from IPython import get_ipython
        count = get_ipython().compile._filename_map.get(filename)
    except (ImportError, AttributeError):  # not inside IPython
        return None
    return None if count is None else f"Cell In[{count}]"


def fail(message):
    """Raise the AssertionError every check uses."""
    raise CheckFailed(message)


def after_call(argument):
    """The state the last call of a tested function left `argument` in (for in-place contracts).

    In a notebook the argument is the very object the call changed, so this returns it. In the
    autograder the learner's function changed its own copy; this returns that copy's state as it came
    back, a new object (a later call can be given it, as the notebook's loop would give the original).
    """
    hook = _after_call_hook
    return argument if hook is None else hook(argument)


# ---------------------------------------------------------------------------------------------
# Hidden inputs of the learner's own: the one helper hidden tests draw their inputs from.

import hashlib as _hashlib  # noqa: E402 (this block is self-contained)

DEFAULT_SEED = "notebook"  # the seed of a plain run of the notebook (no autograder): always the same inputs
_hidden_seed = None  # the learner's seed, set by the autograder's judge for each submission (grader/judge.py)


def hidden_rng(tag):
    """The random generator a hidden test draws its inputs from (sizes, values, seeds it passes on).

    numpy's `default_rng`, seeded from the learner's seed and `tag` (a name of the test's own, so that two
    tests never draw the same numbers and one test's draws do not depend on another's). When the autograder
    grades a submission, its judge sets the learner's seed: derived from the course's secret, the student and
    the assignment (grader/seeds.py), so each learner gets inputs of their own, the same at every regrade and in
    the learner's self-check with their seed token. In a plain run of the notebook (the instructor's, under
    nbval or tools.validate) there is no judge and the seed is DEFAULT_SEED: those runs draw the same inputs
    every time.
    """
    seed = DEFAULT_SEED if _hidden_seed is None else str(_hidden_seed)
    digest = _hashlib.sha256(f"charlm-hidden-inputs\0{seed}\0{tag}".encode()).digest()
    return _np.random.default_rng(int.from_bytes(digest[:16], "big"))


def _plain(value, depth=0):
    """`value` with numpy scalars as Python numbers (so messages say 12, not np.int64(12))."""
    if isinstance(value, _np.generic):
        return value.item()
    if depth < 10 and type(value) in (list, tuple):
        return type(value)(_plain(v, depth + 1) for v in value)
    if depth < 10 and type(value) is dict:
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in value.items()}
    return value


def show(value):
    """A value as failure messages print it: numpy scalars as plain numbers, arrays shortened."""
    if isinstance(value, _ndarray):
        return _array2string(value, precision=10, threshold=12, edgeitems=3)
    try:
        return repr(_plain(value))
    except Exception:  # noqa: BLE001 (a value whose repr fails still gets a message)
        return f"<a {type(value).__name__}>"


_short = show


def check_type(name, got, expected_type):
    """`got` must be an instance of `expected_type` (a type or tuple of types)."""
    if not isinstance(got, expected_type):
        if isinstance(expected_type, type):
            names = expected_type.__name__
        else:
            names = " or ".join(t.__name__ for t in expected_type)
        fail(f"{name}: expected a {names}, got {type(got).__name__}: {_short(got)}")


def check_keys(name, got, keys):
    """`got` must be a dict holding every key in `keys`."""
    check_type(name, got, dict)
    missing = [k for k in keys if k not in got]
    if missing:
        fail(f"{name}: expected keys {show(list(keys))}, missing {show(missing)}; got keys {show(list(got))}")


def check_shape(name, got, shape):
    """`got` must be a numpy array of exactly this shape."""
    check_type(name, got, _ndarray)
    if got.shape != tuple(shape):
        fail(f"{name}: expected shape {tuple(shape)}, got {got.shape}")


def check_close(name, got, expected, rtol=1e-7, atol=1e-10):
    """Numbers or arrays must agree: |got - expected| <= atol + rtol * |expected| everywhere."""
    expected = _asarray(expected, dtype=float)
    try:
        got_arr = _asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{name}: expected a number or array like {_short(expected)}, got {_short(got)}")
    if got_arr.shape != expected.shape:
        fail(f"{name}: expected shape {expected.shape}, got {got_arr.shape}: {_short(got)}")
    if not _all(_isfinite(got_arr)):
        fail(f"{name}: expected finite values like {_short(expected)}, got {_short(got_arr)}")
    err = _abs(got_arr - expected)
    bad = err > atol + rtol * _abs(expected)
    if bad.any():
        if expected.ndim == 0:
            fail(f"{name}: expected {float(expected)!r}, got {float(got_arr)!r}")
        where = _unravel_index(_argmax(err), err.shape)
        fail(
            f"{name}: {int(bad.sum())} of {bad.size} values differ; at index {tuple(int(i) for i in where)} "
            f"expected {float(expected[where])!r}, got {float(got_arr[where])!r}"
        )


def check_printed(name, got, printed):
    """`got` must round to `printed`, a number written as decimal text such as "0.01538192".

    The tolerance is half a unit in the last printed digit, so a value documented with 8 decimals
    is checked to exactly those 8 decimals. `printed` may be a list of such texts (one per entry).
    """
    texts = printed if isinstance(printed, (list, tuple)) else [printed]
    decimals = max(len(t.split(".")[1]) if "." in t else 0 for t in texts)
    expected = [float(t) for t in texts] if isinstance(printed, (list, tuple)) else float(printed)
    check_close(name, got, expected, rtol=0, atol=0.5 * 10.0 ** -decimals)


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def check_equal(name, got, expected):
    """Exact equality, for integers, strings and lists of them; lists say where they first differ."""
    got, expected = _plain(got), _plain(expected)
    if _same(got, expected):  # (an array compared with a list, say, is not equal, and said so below)
        return
    where = ""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        first = next((i for i, (g, e) in enumerate(zip(got, expected)) if not _same(g, e)), None)
        if first is not None:
            where = f"; first difference at index {first}: expected {expected[first]!r}, got {got[first]!r}"
        else:
            where = (f"; the first {min(len(got), len(expected))} items agree, expected {len(expected)} items, "
                     f"got {len(got)}")
    fail(f"{name}: expected {expected!r}, got {got!r}{where}")


