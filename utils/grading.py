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

A failed check also names the kind of mistake, decided by comparing what came back with what was
expected (`Kind`, a fixed list): a wrong shape (or the transpose), a wrong type or dtype, NaN or
infinity, off by one (a sequence shifted by one step, one item too many or too few, every value one
more or less), a wrong sign or a constant factor, else different values with the first position where
they differ. The message ends with it in brackets ("... [transposed]"); the exception carries it as
`kind` for the autograder, which adds the kinds only it can see (an argument changed in place, a
different result on a second identical call, a time limit) and, for hidden tests, shows the kind
alone (grader/kinds.py).

This file is the single hand-maintained copy; the build copies it into each assignment
folder.
"""

import enum as _enum
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
_take = _np.take
_arange = _np.arange
_unique = _np.unique
_dot = _np.dot
_errstate = _np.errstate
_moveaxis = _np.moveaxis

__all__ = ["check_type", "check_shape", "check_close", "check_printed", "check_equal", "check_keys", "fail",
           "after_call", "show", "Kind"]

_after_call_hook = None  # set by the autograder's judge (grader/judge.py); None in a notebook


class Kind(_enum.Enum):
    """The kinds of mistake a failed test names: one fixed list for the checks and the autograder.

    The checks decide the first ones by comparing what came back with what was expected; the
    autograder (grader/kinds.py) decides the others from its records of every call and from the
    sandbox, and keeps each kind's description and hint.
    """

    SHAPE = "wrong shape"
    TRANSPOSED = "transposed"
    TYPE = "wrong type"
    NAN = "NaN or infinity"
    OFF_BY_ONE = "off by one"
    SIGN = "wrong sign"
    SCALE = "wrong scale"
    NO_ERROR = "no error raised"
    VALUES = "different values"
    # decided by the autograder
    IN_PLACE = "modified in place"
    NOT_IN_PLACE = "not updated in place"
    NOT_REPRODUCIBLE = "not reproducible"
    ERROR = "raised an error"
    NOT_WRITTEN = "not written yet"
    TIME_LIMIT = "time limit"
    LIMIT = "resource limit"
    ENDED = "process ended"
    NOT_RUN = "not run"


class CheckFailed(AssertionError):
    """The AssertionError every check raises: in a notebook it shows its message first, in one line.

    IPython draws an exception that has `_render_traceback_` with the lines that method returns, so a
    failing test shows "AssertionError: <what was expected and what came back>" followed by the
    lines of the learner's notebook that led there, without this module's frames.

    `text` is what the check says, `kind` the Kind's value (a string), `detail` what the kind found
    (for visible tests only: it may name positions or factors); `got` and `expected` are the objects
    compared, for the autograder's own look at them (never shown).
    """

    def __init__(self, text, kind=None, detail="", got=None, expected=None):
        kind = _kind(kind)
        self.text, self.kind, self.detail, self.got, self.expected = str(text), kind.value, str(detail), got, expected
        super().__init__(f"{self.text} [{kind.value}{': ' + self.detail if self.detail else ''}]")

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


def _kind(kind):
    """A Kind from a Kind or its value ("off by one"); None means different values."""
    if kind is None:
        return Kind.VALUES
    return kind if isinstance(kind, Kind) else Kind(kind)


def _cell_name(filename):
    """"Cell In[12]" for the code of a notebook cell (IPython's own naming), else None."""
    try:
        from IPython import get_ipython
        count = get_ipython().compile._filename_map.get(filename)
    except (ImportError, AttributeError):  # not inside IPython
        return None
    return None if count is None else f"Cell In[{count}]"


def fail(message, kind=None):
    """Raise the AssertionError every check uses; `kind` names the mistake (a Kind or its value, e.g.
    "no error raised"; different values when not given)."""
    raise CheckFailed(message, kind)


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


# ---------------------------------------------------------------------------------------------
# what kind of mistake: what came back against what was expected (only once a check has failed)

def _where(index):
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def _shape_kind(got, expected):
    """(Kind, detail) for two different shapes."""
    got, expected = tuple(got), tuple(expected)
    if len(got) == len(expected) >= 2 and sorted(got) == sorted(expected):
        return Kind.TRANSPOSED, ("its axes reversed" if got == expected[::-1] else "its axes in another order")
    if expected[:1] == (1,) and 0 in got:
        return Kind.OFF_BY_ONE, "nothing where one item was expected"  # (a loop that stops one step early)
    if len(got) == len(expected):
        off = [k for k in range(len(got)) if got[k] != expected[k]]
        if len(off) == 1 and abs(got[off[0]] - expected[off[0]]) == 1:
            k = off[0]
            return Kind.OFF_BY_ONE, f"one {'more' if got[k] > expected[k] else 'fewer'} along axis {k}"
    return Kind.SHAPE, ""


def _char_codes(a):
    """An array of strings of one character as their code points (else None)."""
    if a.dtype.kind != "U" or a.size == 0 or a.dtype.itemsize != 4:
        return None
    return a.view(_np.int32).reshape(a.shape).astype(_np.int64)


def _value_kind(got, expected, same):
    """(Kind, detail) for two arrays of one shape that differ; `same(a, b)` compares elementwise."""
    numeric = got.dtype.kind in "biuf" and expected.dtype.kind in "biuf"
    if got.dtype.kind in "fc" and not _all(_isfinite(got)):
        return Kind.NAN, ""
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and _all(same(got, expected.T)):
        return Kind.TRANSPOSED, "a square array: the transpose of the expected one"
    for axis in range(got.ndim):
        n = got.shape[axis]
        if n < 3:
            continue
        head, tail = _arange(n - 1), _arange(1, n)
        moves = ~same(_take(expected, tail, axis), _take(expected, head, axis))
        if _moveaxis(moves, axis, 0).reshape(n - 1, -1).any(axis=1).sum() < 2:
            continue  # the expected values hardly change along this axis: a shift would prove nothing
        if _all(same(_take(got, tail, axis), _take(got, head, axis))):
            continue  # nor would a constant result
        if _all(same(_take(got, tail, axis), _take(expected, head, axis))):
            return Kind.OFF_BY_ONE, f"shifted one step later along axis {axis}"
        if _all(same(_take(got, head, axis), _take(expected, tail, axis))):
            return Kind.OFF_BY_ONE, f"shifted one step earlier along axis {axis}"
    codes = (got.astype(_np.int64), expected.astype(_np.int64)) if got.dtype.kind in "biu" and \
        expected.dtype.kind in "biu" else (_char_codes(got), _char_codes(expected))
    if codes[0] is not None and codes[1] is not None:
        step = codes[0] - codes[1]
        steps = _unique(step[step != 0])
        if len(steps) == 1 and abs(int(steps[0])) == 1 and (step.size == 1 or (step != 0).sum() >= 2):
            more = "more" if steps[0] > 0 else "less"
            return Kind.OFF_BY_ONE, (f"one {more} than expected" if step.size == 1 else
                                     f"every differing value is one {more} than expected")
    if numeric:
        g, e = got.astype(float).ravel(), expected.astype(float).ravel()
        if not _all(_isfinite(e)):
            return Kind.VALUES, ""
        nonzero = _abs(e) > 1e-300
        if e.size == 1:
            if nonzero.all() and _all(same(got, -expected)):
                return Kind.SIGN, "the expected value times -1"
        elif nonzero.sum() >= 2 and len(_unique(e[nonzero])) >= 2:
            with _errstate(all="ignore"):
                c = float(_dot(g, e) / _dot(e, e))
            if c != 0 and _isfinite(c) and abs(c - 1) > 1e-9 and _all(
                    _abs(g - c * e) <= 1e-9 * _abs(c * e) + 1e-12 * _abs(c * e).max()):
                if abs(c + 1) <= 1e-9:
                    return Kind.SIGN, "the expected values times -1"
                return Kind.SCALE, f"the expected values times {c:.6g}"
    return Kind.VALUES, ""


def _compare(got, expected, same):
    """(Kind, detail) of two arrays that differ (in shape or in values)."""
    if got.shape != expected.shape:
        kind, detail = _shape_kind(got.shape, expected.shape)
        if kind is Kind.OFF_BY_ONE:
            axis = next(k for k in range(got.ndim) if got.shape[k] != expected.shape[k])
            short, long_ = (got, expected) if got.shape[axis] < expected.shape[axis] else (expected, got)
            n = short.shape[axis]
            if n >= 2:
                for part, where in ((_arange(n), "the last"), (_arange(1, n + 1), "the first")):
                    if _all(same(short, _take(long_, part, axis))):
                        side = "missing" if short is got else "extra"
                        return kind, f"{detail} ({where} is {side}, the others match)"
        return kind, detail
    return _value_kind(got, expected, same)


def _exactly(a, b):
    return a == b


def _as_array(value):
    """A rectangular array of numbers or characters for comparing (strings become their characters), or None."""
    def chars(v, depth=0):
        if isinstance(v, str):
            return list(v)
        if depth < 10 and isinstance(v, (list, tuple)):
            return [chars(x, depth + 1) for x in v]
        return v

    try:
        a = _asarray(chars(value))
    except (TypeError, ValueError, OverflowError, RecursionError):  # ragged, or not numbers
        return None
    return a if a.dtype.kind in "biufU" and a.size else None


def classify(got, expected):
    """(Kind, detail) of a value that is not equal to the expected one (for check_equal and the autograder)."""
    g, e = _plain(got), _plain(expected)
    if type(g) is not type(e) and not (isinstance(g, (int, float)) and isinstance(e, (int, float))
                                       and not isinstance(g, bool) and not isinstance(e, bool)):
        return Kind.TYPE, ""
    if isinstance(e, (list, tuple, str)) and abs(len(g) - len(e)) == 1:
        short, long_ = (g, e) if len(g) < len(e) else (e, g)
        side = "missing" if short is g else "extra"
        detail = f"one {'character' if isinstance(e, str) else 'item'} {'fewer' if short is g else 'more'}"
        if _same(short, long_[:-1]):
            return Kind.OFF_BY_ONE, f"{detail} (the last is {side}, the others match)"
        if _same(short, long_[1:]):
            return Kind.OFF_BY_ONE, f"{detail} (the first is {side}, the others match)"
        return Kind.OFF_BY_ONE, detail
    if isinstance(e, (list, tuple, str)) and len(g) != len(e):
        return Kind.SHAPE, ""
    ga, ea = _as_array(g), _as_array(e)
    if ga is None or ea is None or (ga.dtype.kind == "U") != (ea.dtype.kind == "U"):
        return Kind.VALUES, ""
    with _errstate(all="ignore"):
        return _compare(ga, ea, _exactly)


def _first_difference(got, expected, depth=0):
    """(path, got item, expected item) of the first place two nested lists (or strings) differ, else None."""
    if depth < 10 and type(got) is type(expected) and isinstance(got, (list, tuple, str)):
        for i, (g, e) in enumerate(zip(got, expected)):
            if not _same(g, e):
                inner = None if isinstance(got, str) else _first_difference(g, e, depth + 1)
                return ((i,) + inner[0], inner[1], inner[2]) if inner else ((i,), g, e)
    return None


# ---------------------------------------------------------------------------------------------
# the checks


def check_type(name, got, expected_type):
    """`got` must be an instance of `expected_type` (a type or tuple of types)."""
    if not isinstance(got, expected_type):
        if isinstance(expected_type, type):
            names = expected_type.__name__
        else:
            names = " or ".join(t.__name__ for t in expected_type)
        raise CheckFailed(f"{name}: expected a {names}, got {type(got).__name__}: {_short(got)}", Kind.TYPE,
                          got=got)


def check_keys(name, got, keys):
    """`got` must be a dict holding every key in `keys`."""
    check_type(name, got, dict)
    missing = [k for k in keys if k not in got]
    if missing:
        raise CheckFailed(f"{name}: expected keys {show(list(keys))}, missing {show(missing)}; got keys "
                          f"{show(list(got))}", Kind.TYPE, got=got)


def check_shape(name, got, shape):
    """`got` must be a numpy array of exactly this shape."""
    check_type(name, got, _ndarray)
    if got.shape != tuple(shape):
        kind, detail = _shape_kind(got.shape, shape)
        raise CheckFailed(f"{name}: expected shape {tuple(shape)}, got {got.shape}", kind, detail, got=got)


def check_close(name, got, expected, rtol=1e-7, atol=1e-10):
    """Numbers or arrays must agree: |got - expected| <= atol + rtol * |expected| everywhere."""
    given = expected
    expected = _asarray(expected, dtype=float)
    try:
        got_arr = _asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: expected a number or array like {_short(expected)}, got {_short(got)}",
                          Kind.TYPE, got=got, expected=given) from None

    def same(a, b):
        return _abs(a - b) <= atol + rtol * _abs(b)

    if got_arr.shape != expected.shape:
        with _errstate(all="ignore"):
            kind, detail = _compare(got_arr, expected, same)
        raise CheckFailed(f"{name}: expected shape {expected.shape}, got {got_arr.shape}: {_short(got)}", kind,
                          detail, got=got, expected=given)
    if not _all(_isfinite(got_arr)):
        bad = ~_isfinite(got_arr)
        first = _where(_unravel_index(_argmax(bad), bad.shape)) if got_arr.ndim else ""
        raise CheckFailed(f"{name}: expected finite values like {_short(expected)}, got {_short(got_arr)}",
                          Kind.NAN, f"the first at index {first}" if first else "", got=got, expected=given)
    err = _abs(got_arr - expected)
    bad = err > atol + rtol * _abs(expected)
    if bad.any():
        with _errstate(all="ignore"):
            kind, detail = _value_kind(got_arr, expected, same)
        if expected.ndim == 0:
            raise CheckFailed(f"{name}: expected {float(expected)!r}, got {float(got_arr)!r}", kind, detail,
                              got=got, expected=given)
        where = _unravel_index(_argmax(bad), bad.shape)  # the first in C order
        raise CheckFailed(
            f"{name}: {int(bad.sum())} of {bad.size} values differ; the first at index {_where(where)}: "
            f"expected {float(expected[where])!r}, got {float(got_arr[where])!r}", kind, detail,
            got=got, expected=given)


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
    given = got
    got, expected = _plain(got), _plain(expected)
    if _same(got, expected):  # (an array compared with a list, say, is not equal, and said so below)
        return
    where = ""
    if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
        first = _first_difference(got, expected) if type(got) is type(expected) else None
        if first is None:
            first = next((((i,), g, e) for i, (g, e) in enumerate(zip(got, expected)) if not _same(g, e)), None)
        if first is not None:
            path = str(first[0][0]) if len(first[0]) == 1 else "".join(f"[{i}]" for i in first[0])
            where = f"; first difference at index {path}: expected {first[2]!r}, got {first[1]!r}"
        else:
            where = (f"; the first {min(len(got), len(expected))} items agree, expected {len(expected)} items, "
                     f"got {len(got)}")
    elif isinstance(got, str) and isinstance(expected, str) and len(got) + len(expected) > 2:
        first = _first_difference(got, expected)
        if first is not None:
            where = f"; first difference at character {first[0][0]}: expected {first[2]!r}, got {first[1]!r}"
        else:
            where = (f"; the first {min(len(got), len(expected))} characters agree, expected {len(expected)}, "
                     f"got {len(got)}")
    try:
        kind, detail = classify(got, expected)
    except Exception:  # noqa: BLE001 (whatever came back, the check says what it can)
        kind, detail = Kind.VALUES, ""
    raise CheckFailed(f"{name}: expected {expected!r}, got {got!r}{where}", kind, detail, got=given,
                      expected=expected)
