"""What a failed test did wrong, in words that teach without revealing: the kind of mistake and a hint.

The kinds are one fixed list (`Kind`, in utils/grading.py). The checks decide the kinds that a comparison of
what came back with what was expected shows (a shape or its transpose, a type, NaN, off by one, a sign or a
constant factor, different values); the judge decides the others here, from its records of the test's calls
(grader/judge.py `Call`) and from the sandbox, and only once a test has failed (`explain`):

1. a limit or a lost process, from the outcome: a time limit, another resource limit (memory), a process that
   ended during the test, a test that could not run;
2. an error: the learner's function raised (which builtin exception; NotImplementedError: not written yet), or
   the test could not use what it returned (a wrong type or structure);
3. an argument: the failed check looked at the state a call left an argument in (`after_call`): unchanged
   where the call must update it (not updated in place), changed where it must stay as it was (modified in
   place), or changed by the expected change times a constant factor (a wrong sign or scale);
4. two calls of one function with identical arguments and random state that returned different values (not
   reproducible);
5. else the check's own kind.

Messages (`message`): a visible test keeps the check's words (expected and got, the first position where they
differ) and adds the kind, what it found, and the hint; a hidden test says only the function, a description of
the kind, the kind and the hint, each from a closed set (`HIDDEN`, `hidden_parts`): never its inputs, its expected
values, what the learner's code returned, or a label the test wrote (labels carry parameters). Each hint points
to the notebook's section that teaches the function: a table per assignment, `SECTIONS` in
utils/<assignment>_expected.py beside the expected values (tests/grader/test_kinds.py checks every title is a
heading of the notebook). grader/check_feedback.py refuses any hidden-test message that is not one of these.
"""

import ast
import builtins
import dataclasses
import hashlib
import os
import re

import numpy as np

from course.assignments import ASSIGNMENTS, ROOT
from utils.grading import Kind

METHOD = "a method of the learner's object"  # the target the judge records for a call of a learner's object

# kind -> (what the function did, in the words a hidden test may say; the hint: what to look at)
KINDS = {
    Kind.SHAPE: ("returned an array of the wrong shape or a sequence of the wrong length",
                 "compare each shape the docstring gives with the one your code builds"),
    Kind.TRANSPOSED: ("returned the transpose of the expected array (its axes in the wrong order)",
                      "check which axis holds what (the docstring's shapes, e.g. one column per example) and on "
                      "which side of each product a matrix goes"),
    Kind.TYPE: ("returned the wrong type or dtype (a list for an array, floats for integers, a missing key)",
                "return exactly what the docstring names: the container, the dtype and every key"),
    Kind.NAN: ("returned NaN or infinite values",
               "look for a log of zero, a division by zero, or an exp that overflows (subtract the maximum first)"),
    Kind.OFF_BY_ONE: ("is off by one (shifted by one step, one item too many or too few, or values one too "
                      "high or low)",
                      "check where each loop and slice starts and stops, and whether an index counts from zero or one"),
    Kind.SIGN: ("returned the expected values with the opposite sign",
                "check the sign of each term (a gradient step subtracts; a log-likelihood loss is negated)"),
    Kind.SCALE: ("returned the expected values times a constant factor",
                 "check each constant factor: an average divides by the count; a learning rate or a keep "
                 "probability scales"),
    Kind.NO_ERROR: ("did not raise the error or warning it must give for an unexpected input",
                    "the docstring says which inputs must raise an error or warn"),
    Kind.VALUES: ("returned values that differ from the expected ones",
                  "work through the section's example by hand and compare each step with what your code computes"),
    Kind.IN_PLACE: ("changed an argument in place that it must leave as it was",
                    "work on copies (x = x.copy(), or operations that return new arrays) instead of writing into "
                    "what you were given"),
    Kind.NOT_IN_PLACE: ("left an argument unchanged that it must update in place",
                        "update the caller's own arrays (params[k] -= ...), not a new dictionary or a local copy"),
    Kind.NOT_REPRODUCIBLE: ("returned a different result on a second call with the same inputs and seed",
                            "draw every random number from the seed or generator you are given, never from an "
                            "unseeded global one"),
    Kind.ERROR: ("raised an error",
                 "call it yourself on inputs of other sizes and edge cases, and read the error where it is "
                 "raised"),
    Kind.NOT_WRITTEN: ("is not written yet (it raises NotImplementedError)",
                       "replace the raise NotImplementedError() line with your code, then run the cell"),
    Kind.TIME_LIMIT: ("ran past its time limit",
                      "look for a loop that never ends, or work repeated inside a loop that could be done once"),
    Kind.LIMIT: ("hit a memory or other resource limit",
                 "look for arrays far larger than the data (an outer product, a one-hot of everything at once)"),
    Kind.ENDED: ("ended the notebook's process (it exited, crashed or was stopped)",
                 "the review notes say why; code that exits or stops its own process ends the whole run"),
    Kind.NOT_RUN: ("could not be run", "the review notes say why; the tests before it show where it stopped"),
}

# the other descriptions a kind may use (all of them fixed texts or builtin exception names)
EXCEPTIONS = sorted(n for n in dir(builtins) if isinstance(getattr(builtins, n), type)
                    and issubclass(getattr(builtins, n), BaseException))
VARIANTS = {
    Kind.TYPE: [f"returned a value the test could not use (using it raised {n})" for n in EXCEPTIONS],
    Kind.SIGN: ["changed an argument by the expected change with the opposite sign"],
    Kind.SCALE: ["changed an argument by the expected change times a constant factor"],
    Kind.ERROR: [f"raised {n}" for n in EXCEPTIONS] + ["raised an exception of its own class"],
    Kind.TIME_LIMIT: ["was not run: the notebook had used up its time budget"],
    Kind.NOT_RUN: ["was not run: the notebook's process had ended before this test",
                   "was not run: the notebook could not be read", "was not run"],
}
HIDDEN = {kind: {what} | set(VARIANTS.get(kind, [])) for kind, (what, _) in KINDS.items()}
MESSAGE = re.compile(r"^(?P<function>[^:\n]+): (?P<what>[^\n]+) \[(?P<kind>[^\]\n]+)\]\. Hint: (?P<hint>[^\n]+?)"
                     r"(?:; see “(?P<section>[^”\n]+)”)?\.$")
SUBJECT = re.compile(r"\s*(?:#|\"\"\"|''')\s*([\w /,]+?):")  # the 'clip' of '"""clip: the example'


@dataclasses.dataclass
class Failure:
    """Why one test did not pass: decided once (`explain`), shown two ways (`message`).

    `kind` and `what` (a description from HIDDEN[kind]) and `function` (one of the assignment's learner names,
    or the test's subject) are all a hidden test shows; `text` (the check's own words) and `detail` (what the
    kind found: positions, factors) are for visible tests only.
    """

    kind: Kind
    function: str
    what: str
    text: str = ""
    detail: str = ""
    raised: bool = False  # the learner's own code raised the exception (an error, not a wrong value)


# ---------------------------------------------------------------------------------------------------------------
# the assignment's table: function -> the section that teaches it

_SECTIONS = {}


def expected_module(assignment):
    """The path of the assignment's expected-values file (utils/<name>_expected.py), or None."""
    for rel in ASSIGNMENTS[assignment][1]:
        if rel.endswith("_expected.py"):
            return os.path.join(ROOT, rel)
    return None


def sections(assignment):
    """{function: the title of the notebook section that teaches it}, the SECTIONS table of the expected-values
    file (read as data, never run)."""
    if assignment not in _SECTIONS:
        table = {}
        path = expected_module(assignment) if assignment in ASSIGNMENTS else None
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in tree.body:
                if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SECTIONS" for t in node.targets):
                    table = ast.literal_eval(node.value)
        _SECTIONS[assignment] = {str(k): str(v) for k, v in table.items()}
    return _SECTIONS[assignment]


def section_title(assignment, function):
    """The section's title as a message shows it (no Markdown backticks), or '' when the table has none."""
    table = sections(assignment)
    title = table.get(function) or table.get(function.split(" / ")[0].strip(), "")
    return title.replace("`", "")


def subject(test_code):
    """The functions a test's first line names ('clip', 'fuse_params / fused_lstm_cell'), or ''."""
    found = SUBJECT.match(test_code)
    return found.group(1).strip() if found else ""


# ---------------------------------------------------------------------------------------------------------------
# messages


def message(failure, hidden, assignment):
    """The one-line message of a failed test: visible tests keep the check's words, hidden tests never do."""
    what, hint = KINDS[failure.kind]
    title = section_title(assignment, failure.function)
    see = f"; see “{title}”" if title else ""
    if hidden:
        return f"{failure.function}: {failure.what} [{failure.kind.value}]. Hint: {hint}{see}."
    text = (failure.text or f"{failure.function}: {failure.what}")[:500]
    found = f": {failure.detail}" if failure.detail else ""
    return f"{text} [{failure.kind.value}{found}]. Hint: {hint}{see}."


def hidden_parts(text, assignment, functions):
    """The parts of a hidden-test message ({function, what, kind, hint, section}) when it is one of the fixed
    messages for this assignment (`functions`: its learner names and test subjects), else None."""
    found = MESSAGE.match(str(text))
    if not found:
        return None
    parts = found.groupdict()
    try:
        kind = Kind(parts["kind"])
    except ValueError:
        return None
    if kind not in KINDS or parts["function"] not in functions or parts["what"] not in HIDDEN[kind]:
        return None
    if parts["hint"] != KINDS[kind][1]:
        return None
    if (parts["section"] or "") != section_title(assignment, parts["function"]):
        return None
    return parts


# ---------------------------------------------------------------------------------------------------------------
# the judge's side: what only its records show


def _exception_name(err):
    name = type(err).__name__
    return name if name in EXCEPTIONS and getattr(builtins, name) is type(err) else None


def _equal(a, b, depth=0):
    """True or False when two values are (not) exactly equal, None when that cannot be told (objects)."""
    if depth > 50:
        return None
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
        except (TypeError, ValueError):
            return None
    if type(a) is not type(b):
        return False if isinstance(a, (int, float, str, list, tuple, dict, bool)) and \
            isinstance(b, (int, float, str, list, tuple, dict, bool)) else None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return False
        unknown = False
        for x, y in zip(a, b):
            same = _equal(x, y, depth + 1)
            if same is False:
                return False
            unknown |= same is None
        return None if unknown else True
    if isinstance(a, dict):
        if set(a) != set(b):
            return False
        return _equal([a[k] for k in a], [b[k] for k in a], depth + 1)
    if isinstance(a, (int, float, str, bytes, bool, type(None), np.generic)):
        return bool(a == b) or (isinstance(a, float) and a != a and b != b)
    return None


def _path(root, obj, budget=100_000):
    """The keys and indices that lead from `root` to the very object `obj` (by identity), or None."""
    stack = [(root, ())]
    while stack and budget > 0:
        node, path = stack.pop()
        budget -= 1
        if node is obj:
            return path
        if type(node) is dict:
            stack.extend((v, path + (k,)) for k, v in node.items())
        elif type(node) in (list, tuple):
            stack.extend((v, path + (i,)) for i, v in enumerate(node))
    return None


def _arrays(root, budget=10_000):
    """(path, array) of every array within `root`."""
    stack, out = [(root, ())], []
    while stack and budget > 0:
        node, path = stack.pop()
        budget -= 1
        if isinstance(node, np.ndarray):
            out.append((path, node))
        elif type(node) is dict:
            stack.extend((v, path + (k,)) for k, v in node.items())
        elif type(node) in (list, tuple):
            stack.extend((v, path + (i,)) for i, v in enumerate(node))
    return out


def _follow(root, path):
    for step in path:
        try:
            root = root[step]
        except (KeyError, IndexError, TypeError):
            return None
    return root


def _argument(calls, got):
    """(call, the argument's state before the call, its state after, exact) when the failed check looked at the
    state a call left one of its arguments in (or an array within it: exact False for a slice or view of it)."""
    if got is None:
        return None
    for record in reversed(calls):
        for orig, new in record.after:
            path = _path(new, got)
            if path is not None:
                return record, _follow(orig, path), got, True
    if isinstance(got, np.ndarray):
        for record in reversed(calls):
            for orig, new in record.after:
                for path, array in _arrays(new):
                    if np.may_share_memory(array, got):
                        return record, _follow(orig, path), array, False
    return None


def _factor(change, expected_change):
    """-1 or another constant c when change == c * expected_change (to rounding), else None."""
    try:
        g = np.asarray(change, dtype=float).ravel()
        e = np.asarray(expected_change, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    if g.shape != e.shape or g.size < 2 or not (np.all(np.isfinite(g)) and np.all(np.isfinite(e))):
        return None
    if (np.abs(e) > 0).sum() < 2 or len(np.unique(e[np.abs(e) > 0])) < 2:
        return None
    c = float(np.dot(g, e) / np.dot(e, e))
    if c == 0 or abs(c - 1) < 1e-6 or np.linalg.norm(g - c * e) > 1e-6 * np.linalg.norm(c * e):
        return None
    return c


def _owner(calls, record):
    """The learner's name a call is about: its function, or for a method, the class that made the object."""
    if record.target != METHOD:
        return record.target
    from grader import rpc

    position = next((i for i, r in enumerate(calls) if r is record), len(calls))
    for earlier in reversed(calls[:position]):
        if earlier.target != METHOD and isinstance(earlier.value, rpc.Remote):
            return earlier.target
    return ""


def _reproducible(calls):
    """(first, second) calls with one fingerprint (same function, arguments and random state) whose values
    differ, or None."""
    seen = {}
    for record in calls:
        if record.key is None or record.error is not None:
            continue
        first = seen.setdefault(record.key, record)
        if first is not record and _equal(first.value, record.value) is False:
            return first, record
    return None


def explain(outcome, err, calls, text, fallback=""):
    """The Failure of a test that did not pass.

    outcome: the judge's ('failed', 'error', 'timeout', 'limit', 'no-result'); err: the exception that ended the
    test (None when it did not run); calls: its Call records; text: the judge's own words for it (for the outcomes
    that are not a check's); fallback: the test's subject, named when no call says which function it is about.
    """
    raised_by = next((r for r in reversed(calls) if err is not None and r.error is err), None)
    about = raised_by
    got = getattr(err, "got", None)
    if not isinstance(got, (np.ndarray, list, dict, tuple)):
        got = None  # (a number or a string may be the very object found elsewhere: small ones are shared)
    if about is None and got is not None:
        about = next((r for r in reversed(calls) if _path(r.value, got, 10_000) is not None), None)
    if about is None and calls:
        about = calls[-1]
    function = (_owner(calls, about) if about is not None else "") or fallback or "the test"

    def failure(kind, what=None, detail="", words=None, raised=False):
        return Failure(kind, function, what or KINDS[kind][0], text=words if words is not None else text,
                       detail=detail, raised=raised)

    if outcome == "timeout":
        return failure(Kind.TIME_LIMIT)
    if outcome in ("limit", "no-result"):
        said = str(text)
        if "budget" in said:
            return failure(Kind.TIME_LIMIT, VARIANTS[Kind.TIME_LIMIT][0] if said.startswith("not run") else None)
        if "CPU time" in said:
            return failure(Kind.TIME_LIMIT)
        if outcome == "limit" or "past the size limit" in said:
            return failure(Kind.LIMIT)
        if said.startswith("not run"):
            return failure(Kind.NOT_RUN, "was not run: the notebook's process had ended before this test")
        if err is None:
            return failure(Kind.NOT_RUN, "was not run")
        return failure(Kind.ENDED)
    first_line = (str(err).strip().split("\n") or [""])[0] if err is not None else str(text)
    if outcome == "error" or (raised_by is not None and not hasattr(err, "kind")):
        words = f"{type(err).__name__}: {first_line}" if first_line else type(err).__name__
        name = _exception_name(err)
        if raised_by is None:
            return failure(Kind.TYPE, f"returned a value the test could not use (using it raised {name})" if name
                           else None, words=words)
        if isinstance(err, MemoryError):
            return failure(Kind.LIMIT, words=words, raised=True)
        if isinstance(err, NotImplementedError):
            what = KINDS[Kind.NOT_WRITTEN][0]
            return failure(Kind.NOT_WRITTEN, words=f"{function}: {what}" if not first_line else words, raised=True)
        return failure(Kind.ERROR, f"raised {name}" if name else "raised an exception of its own class",
                       words=words, raised=True)
    words = getattr(err, "text", None) or first_line
    argument = _argument(calls, got)
    if argument is not None:
        record, before, after, exact = argument
        function = _owner(calls, record) or function
        expected = getattr(err, "expected", None)
        if _equal(before, after) is True:
            return failure(Kind.NOT_IN_PLACE, words=words)
        if exact and expected is not None:
            try:
                unchanged = bool(np.array_equal(np.asarray(before, dtype=float), np.asarray(expected, dtype=float)))
            except (TypeError, ValueError):
                unchanged = _equal(before, expected) is True
            if unchanged:
                return failure(Kind.IN_PLACE, words=words)
            try:
                c = _factor(np.asarray(after, dtype=float) - np.asarray(before, dtype=float),
                            np.asarray(expected, dtype=float) - np.asarray(before, dtype=float))
            except (TypeError, ValueError):
                c = None
            if c is not None:
                kind = Kind.SIGN if abs(c + 1) < 1e-6 else Kind.SCALE
                return failure(kind, VARIANTS[kind][0], f"the argument changed by the expected change times {c:.6g}",
                               words=words)
    pair = _reproducible(calls)
    if pair is not None:
        function = _owner(calls, pair[1]) or function
        first, second = (next(i for i, r in enumerate(calls) if r is p) + 1 for p in pair)
        return failure(Kind.NOT_REPRODUCIBLE, words=words, detail=f"calls {first} and {second} of this test")
    try:
        kind = Kind(getattr(err, "kind", Kind.VALUES.value))
    except ValueError:
        kind = Kind.VALUES
    return failure(kind, detail=getattr(err, "detail", ""), words=words)



# ---------------------------------------------------------------------------------------------------------------
# fingerprints of a call's inputs (taken as each call is made, compared only once a test fails)


def _feed(h, value, budget):
    stack = [value]
    while stack:
        budget[0] -= 1
        if budget[0] < 0:
            raise OverflowError("too large to fingerprint")
        v = stack.pop()
        t = type(v)
        h.update(t.__name__.encode() + b"\0")
        if v is None or t in (bool, int, float, complex):
            h.update(repr(v).encode())
        elif t is str:
            h.update(v.encode("utf-8", "surrogatepass"))
        elif t is bytes:
            h.update(v)
        elif isinstance(v, np.ndarray):
            h.update(f"{v.dtype.str}{v.shape}".encode())
            h.update(np.ascontiguousarray(v).tobytes() if v.dtype.kind in "biufcUS" else repr(id(v)).encode())
        elif isinstance(v, np.generic):
            h.update(repr(v.item()).encode())
        elif t in (list, tuple):
            h.update(str(len(v)).encode())
            stack.extend(reversed(v))
        elif t is dict:
            h.update(str(len(v)).encode())
            for k, x in v.items():
                stack.extend((x, k))
        elif isinstance(v, (np.random.Generator, np.random.RandomState)):
            from grader import rpc

            stack.append(rpc.rng_state(v))
        else:  # a function or an object: the same one, or not
            h.update(str(id(v)).encode())
        h.update(b"\1")


def fingerprint(target, args, kwargs):
    """A digest of a call of a learner's function: its name, its arguments' values and its random generators'
    states at the time of the call (numpy's global generator left out: the functions are given their seed); None
    for a method of an object (its state is the object's) or inputs too large to digest."""
    if not isinstance(target, dict) or not isinstance(target.get("global"), str):
        return None
    h = hashlib.blake2b(target["global"].encode(), digest_size=16)
    try:
        _feed(h, (tuple(args), dict(kwargs)), [200_000])
    except (OverflowError, RecursionError, TypeError, ValueError):
        return None
    return h.hexdigest()
