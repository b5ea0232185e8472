"""The wire between the grader and the sandboxed learner process: plain data in frames, never pickles.

Both sides import this file: the trusted judge (grader/judge.py) and the harness inside the sandbox
(grader/harness.py, which has nothing else of the grader). A frame is

    b"CLM1" | uint32 header length | uint32 blob count | header (JSON) | for each blob: uint64 length | bytes

and the header's JSON tree refers to its blobs by index. A message (request or reply) is a header that
lists its fields as [name, value] pairs; each field is decoded on its own, so one refused value (below)
costs only that message, never the channel.

What crosses, by value: None, bool, int, float (NaN and infinities included), complex, str (long ones as
UTF-8 blobs), bytes, list, tuple, dict (any data keys), set, slice, Ellipsis, numpy arrays of
bool/int/uint/float/complex/str dtypes (raw C-order bytes), numpy scalars, dtypes, numpy scalar types and
builtin types, and numpy random generators: a `np.random.Generator` or `RandomState` crosses as its
state and is re-created on the other side as a real object of the same class (with the same bit
generator); the callee's final state of every generator it received comes back with the reply and is
set on the caller's generator (drawing is a generator's contract). The decoder never builds an object
dtype or runs code; a malformed frame raises WireError.

What does not cross:
- From the grader ("host") to the learner's process ("sandbox"): nothing but data. A function the
  grader passes (a `predict` argument, a reference function a test swaps in) is *lent*: the sandbox gets
  a `Lent` proxy that answers calls only (never attribute, item, len or iteration reads), and only until
  the host calls `Endpoint.revoke()`, which the judge does when the learner call it lent it for returns.
  A later call of it, or one passed back to the grader, is refused with a clear error. Any other object
  of the grader refuses to cross (Unsendable).
- From the sandbox to the host: objects of the learner's process (an instance of a learner's class)
  stay there and cross as references; the host gets a `Remote` proxy whose calls, attribute and item
  reads go back over the wire. They may stay for the life of the submission.

Calls carry back the final state of their mutable arguments (lists, dicts, sets, arrays, tuples holding
them). The sandbox writes the grader's (trusted) after-states into its own objects, so a learner's code
that relies on a lent function updating a dict in place works; the host never writes what the sandbox
sends into its own objects: it keeps the after-states in `Endpoint.last_after` for the judge (see
`after_call` in utils/grading.py). Calls also carry numpy's global random state both ways (np.random.seed
on one side is seen by a draw on the other).

Bounds on what a frame may make the receiver do: a frame is at most MAX_FRAME bytes, its JSON header at
most MAX_HEADER, and the set items and dict keys of one frame that are not strings or bytes (the ones a
sender can make hash alike, which costs the receiver quadratic time) hold at most MAX_HASHED values: a
value over that is refused (ValueRefused), its message answered or settled with that error.
"""

import json
import math
import os
import select
import struct
import time
import warnings

import numpy as np

MAGIC = b"CLM1"
MAX_FRAME = 256 * 1024 * 1024  # bytes; a larger frame is an error, never an allocation
MAX_HEADER = 32 * 1024 * 1024  # bytes of JSON (at most ~16M values to decode; long strings travel as blobs)
MAX_HASHED = 4096  # non-string values hashed into the sets and dict keys of one frame (all alike: ~0.5 s)
MAX_DEPTH = 200
LONG_STR = 4096  # characters from which a string travels as a blob
ARRAY_KINDS = set("biufcUS")
NUMPY_TYPES = {name: getattr(np, name) for name in (
    "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
    "float64", "longdouble", "complex64", "complex128", "str_", "bytes_", "integer", "floating", "number",
    "generic", "signedinteger", "unsignedinteger", "complexfloating", "ndarray")}
BUILTIN_TYPES = {t.__name__: t for t in (int, float, complex, str, bytes, bool, list, tuple, dict, set,
                                         frozenset, object, type(None), slice)}
BIT_GENERATORS = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937,
                                                np.random.Philox, np.random.SFC64)}
STALE = ("a function the grader lent to an earlier call can no longer be used: a function passed to your "
         "code may be called only while the call it was passed to runs")


class WireError(Exception):
    """A frame that is not what the protocol allows (truncated, oversized, malformed)."""


class ChannelClosed(WireError):
    """The other side closed its end (it exited, crashed or was killed)."""


class WireTimeout(WireError):
    """No complete frame arrived before the deadline."""


class Unsendable(WireError):
    """A value this side may not send (an object of the grader that is neither data nor a function)."""


class ValueRefused(ValueError):
    """A value the receiver will not build (over a bound); the channel itself is fine."""


# ---------------------------------------------------------------------------------------------
# random generators, by value


def rng_state(g):
    """The state of a Generator or RandomState, as plain data."""
    if type(g) is np.random.RandomState:
        return g.get_state(legacy=False)
    return g.bit_generator.state


def set_rng_state(g, state):
    """Give the caller's generator `g` the state the other side left its copy in (ValueError if malformed)."""
    if type(state) is not dict or state.get("bit_generator") != rng_state(g).get("bit_generator"):
        raise ValueError("the random generator's state sent back after the call is malformed")
    try:
        if type(g) is np.random.RandomState:
            g.set_state(state)
        else:
            g.bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise ValueError(f"the random generator's state sent back after the call is malformed ({err})") from None


def _make_rng(kind, state):
    if kind not in ("Generator", "RandomState") or type(state) is not dict:
        raise WireError(f"bad random generator {kind!r}")
    cls = BIT_GENERATORS.get(state.get("bit_generator"))
    if cls is None:
        raise WireError(f"unknown bit generator {state.get('bit_generator')!r}")
    try:
        if kind == "Generator":
            bits = cls(0)
            bits.state = state
            return np.random.Generator(bits)
        g = np.random.RandomState(cls(0))
        g.set_state(state)
        return g
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise WireError(f"bad random generator state: {err}") from None


# ---------------------------------------------------------------------------------------------
# encoding


class _Encoder:
    def __init__(self, export):
        self.export, self.blobs = export, []
        self.rngs, self._rng_index = [], {}  # generators in the order they first appear

    def blob(self, data):
        self.blobs.append(bytes(data))
        return len(self.blobs) - 1

    def array(self, a):
        a = np.asarray(a)
        if type(a) is not np.ndarray:
            a = a.view(np.ndarray)
        if a.dtype.kind not in ARRAY_KINDS or a.dtype.fields is not None:
            return None
        if not a.flags.c_contiguous:
            a = a.copy(order="C")  # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
        return {"__nd__": self.blob(a.tobytes()), "dtype": a.dtype.str, "shape": list(a.shape)}

    def rng(self, g):
        index = self._rng_index.get(id(g))
        if index is not None:
            return {"__rng__": index}
        self._rng_index[id(g)] = len(self.rngs)
        self.rngs.append(g)
        return {"__rng__": len(self.rngs) - 1, "kind": type(g).__name__, "state": self.enc(rng_state(g))}

    def enc(self, v, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        t = type(v)
        if v is None or t is bool:
            return v
        if t is str:
            return v if len(v) < LONG_STR else {"__str__": self.blob(v.encode("utf-8", "surrogatepass"))}
        if t is int:
            return v if abs(v) < 2 ** 53 else {"__int__": str(v)}
        if t is float:
            return v if math.isfinite(v) else {"__float__": repr(v)}
        if t is complex:
            return {"__complex__": [self.enc(v.real), self.enc(v.imag)]}
        if t is bytes:
            return {"__bytes__": self.blob(v)}
        if t is list:
            return [self.enc(x, depth + 1) for x in v]
        if t is tuple:
            return {"__tuple__": [self.enc(x, depth + 1) for x in v]}
        if t is dict:
            return {"__dict__": [[self.enc(k, depth + 1), self.enc(x, depth + 1)] for k, x in v.items()]}
        if t is set or t is frozenset:
            return {"__set__": [self.enc(x, depth + 1) for x in v], "frozen": t is frozenset}
        if t is slice:
            return {"__slice__": [self.enc(v.start), self.enc(v.stop), self.enc(v.step)]}
        if v is Ellipsis:
            return {"__ellipsis__": True}
        if t is np.random.Generator and type(v.bit_generator).__name__ in BIT_GENERATORS:
            return self.rng(v)
        if t is np.random.RandomState and type(v._bit_generator).__name__ in BIT_GENERATORS:
            return self.rng(v)
        # subclasses of the builtin containers and numbers (a namedtuple, an OrderedDict, an IntEnum)
        # travel as their builtin base, as isinstance() sees them
        for base in (bool, int, float, complex, str, bytes, tuple, list, dict, frozenset, set):
            if isinstance(v, base) and not isinstance(v, np.generic):
                return self.enc(base(v), depth)
        if isinstance(v, np.ndarray):
            out = self.array(v)
            if out is not None:
                return out
        elif isinstance(v, np.generic):
            out = self.array(np.asarray(v))
            if out is not None:
                out["scalar"] = True
                return out
        elif isinstance(v, np.dtype):
            if v.kind in ARRAY_KINDS and v.fields is None:
                return {"__dtype__": v.str}
        elif isinstance(v, type):
            for name, known in NUMPY_TYPES.items():
                if v is known:
                    return {"__nptype__": name}
            for name, known in BUILTIN_TYPES.items():
                if v is known:
                    return {"__type__": name}
        return {"__ref__": self.export(v)}


def _dumps(tree):
    return json.dumps(tree, separators=(",", ":"), allow_nan=False).encode()


def encode(value, export):
    """(header bytes, blobs) for a value; `export(obj)` returns the reference tag of a non-data object."""
    enc = _Encoder(export)
    tree = enc.enc(value)
    return _dumps(tree), enc.blobs


def encode_message(message, export):
    """(header bytes, blobs, generators sent) for a message: a dict of named fields."""
    enc = _Encoder(export)
    tree = [[str(k), enc.enc(v)] for k, v in message.items()]
    return _dumps(tree), enc.blobs, enc.rngs


class _Decoder:
    def __init__(self, blobs, resolve):
        self.blobs, self.resolve = blobs, resolve
        self.rngs, self.hashed = [], 0

    def blob(self, i):
        if type(i) is not int or not 0 <= i < len(self.blobs):
            raise WireError(f"reference to a missing blob {i!r}")
        return self.blobs[i]

    def charge(self, key):
        """Count a value about to be hashed into a set or dict: strings are free, others have a budget."""
        stack = [key]
        while stack:
            x = stack.pop()
            if type(x) in (str, bytes):
                continue
            self.hashed += 1
            if self.hashed > MAX_HASHED:
                raise ValueRefused(f"a set or dict with more than {MAX_HASHED:,} keys that are not strings "
                                   "(a limit of the grader)")
            if type(x) in (tuple, frozenset):
                stack.extend(x)

    def dec(self, v, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        if v is None or type(v) in (bool, str, int, float):
            return v
        if type(v) is list:
            return [self.dec(x, depth + 1) for x in v]
        if type(v) is not dict or len(v) == 0:
            raise WireError(f"unexpected JSON value of type {type(v).__name__}")
        key = next(iter(v))
        if key == "__str__":
            try:
                return self.blob(v[key]).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError as err:
                raise WireError(f"a string that is not UTF-8: {err}") from None
        if key == "__int__":
            text = v[key]
            if type(text) is not str or len(text) > 5000:
                raise WireError("bad integer")
            try:
                return int(text)
            except ValueError:
                raise WireError(f"bad integer {text[:40]!r}") from None
        if key == "__float__":
            if v[key] not in ("nan", "inf", "-inf"):
                raise WireError(f"bad float {v[key]!r}")
            return float(v[key])
        if key == "__complex__":
            re_, im_ = (self.dec(x, depth + 1) for x in v[key])
            return complex(float(re_), float(im_))
        if key == "__bytes__":
            return self.blob(v[key])
        if key == "__tuple__":
            return tuple(self.dec(x, depth + 1) for x in self.items(v[key]))
        if key == "__dict__":
            out = {}
            for pair in self.items(v[key]):
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("a dict entry that is not a pair")
                k = self.dec(pair[0], depth + 1)
                self.charge(k)
                out[k] = self.dec(pair[1], depth + 1)
            return out
        if key == "__set__":
            items = [self.dec(x, depth + 1) for x in self.items(v[key])]
            for x in items:
                self.charge(x)
            return frozenset(items) if v.get("frozen") else set(items)
        if key == "__slice__":
            return slice(*(self.dec(x, depth + 1) for x in self.items(v[key])))
        if key == "__ellipsis__":
            return Ellipsis
        if key == "__nd__":
            return self.array(v)
        if key == "__rng__":
            return self.rng(v, depth)
        if key == "__dtype__":
            return self.dtype(v[key])
        if key == "__nptype__":
            if v[key] not in NUMPY_TYPES:
                raise WireError(f"unknown numpy type {v[key]!r}")
            return NUMPY_TYPES[v[key]]
        if key == "__type__":
            if v[key] not in BUILTIN_TYPES:
                raise WireError(f"unknown type {v[key]!r}")
            return BUILTIN_TYPES[v[key]]
        if key == "__ref__":
            return self.resolve(v[key])
        raise WireError(f"unknown tag {key!r}")

    @staticmethod
    def items(v):
        if type(v) is not list:
            raise WireError(f"expected a list in the frame, got {type(v).__name__}")
        return v

    def rng(self, v, depth):
        index = v["__rng__"]
        if type(index) is not int:
            raise WireError("bad random generator reference")
        if "kind" not in v:
            if not 0 <= index < len(self.rngs):
                raise WireError("reference to a random generator not in the frame")
            return self.rngs[index]
        if index != len(self.rngs):
            raise WireError("random generators out of order")
        g = _make_rng(v["kind"], self.dec(v.get("state"), depth + 1))
        self.rngs.append(g)
        return g

    @staticmethod
    def dtype(text):
        try:
            dt = np.dtype(str(text))
        except TypeError as err:
            raise WireError(f"bad dtype {text!r}") from err
        if dt.kind not in ARRAY_KINDS or dt.fields is not None:
            raise WireError(f"dtype {text!r} is not allowed")
        return dt

    def array(self, v):
        dt = self.dtype(v.get("dtype"))
        shape = v.get("shape")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            raise WireError(f"bad shape {shape!r}")
        data = self.blob(v["__nd__"])
        count = math.prod(shape)
        if count * dt.itemsize != len(data):
            raise WireError(f"array of shape {shape} and dtype {dt} does not match its {len(data)} bytes")
        a = np.frombuffer(data, dtype=dt).reshape(shape).copy() if count else np.zeros(shape, dtype=dt)
        return a[()] if v.get("scalar") and a.ndim == 0 else a


def _loads(header):
    try:
        return json.loads(header)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise WireError(f"header is not JSON: {err}") from None


def _dec(decoder, tree):
    try:
        return decoder.dec(tree)
    except (ValueRefused, WireError):
        raise
    except (TypeError, ValueError, OverflowError, KeyError) as err:  # an unhashable key, a bad number...
        raise WireError(f"a malformed value: {type(err).__name__}: {str(err)[:200]}") from None


def decode(header, blobs, resolve):
    """The value of a frame; `resolve(ref)` turns a reference tag into an object or a proxy."""
    return _dec(_Decoder(blobs, resolve), _loads(header))


def decode_message(header, blobs, resolve):
    """(message, generators received) of a frame; a field over a bound is left out and named in 'refused'."""
    tree = _loads(header)
    if type(tree) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in tree):
        raise WireError("a message that is not a list of named fields")
    decoder, message = _Decoder(blobs, resolve), {}
    for name, value in tree:
        try:
            message[name] = _dec(decoder, value)
        except ValueRefused as err:
            message["refused"] = str(err)
    return message, decoder.rngs


# ---------------------------------------------------------------------------------------------
# framing over a pair of file descriptors


def _read_exact(fd, n, deadline):
    parts, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout("timed out waiting for the other side")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise ChannelClosed("the other side closed the channel")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def write_frame(fd, header, blobs):
    sizes = len(header) + sum(len(b) for b in blobs)
    if sizes > MAX_FRAME or len(header) > MAX_HEADER:
        raise WireError(f"a message of {sizes:,} bytes ({len(header):,} of structure) is over the limit of "
                        f"{MAX_FRAME:,} bytes ({MAX_HEADER:,} of structure)")
    out = [MAGIC, struct.pack("<II", len(header), len(blobs)), header]
    for b in blobs:
        out += [struct.pack("<Q", len(b)), b]
    data = memoryview(b"".join(out))
    while data:
        n = os.write(fd, data)
        data = data[n:]


def read_frame(fd, deadline=None):
    head = _read_exact(fd, 12, deadline)
    if head[:4] != MAGIC:
        raise WireError("frame does not start with the protocol's magic bytes")
    hlen, nblobs = struct.unpack("<II", head[4:])
    if hlen > MAX_HEADER or nblobs > 1_000_000:
        raise WireError("frame header announces more than the limit")
    header = _read_exact(fd, hlen, deadline)
    blobs, total = [], hlen
    for _ in range(nblobs):
        (size,) = struct.unpack("<Q", _read_exact(fd, 8, deadline))
        total += size
        if total > MAX_FRAME:
            raise WireError(f"frame larger than {MAX_FRAME:,} bytes")
        blobs.append(_read_exact(fd, size, deadline))
    return header, blobs


# ---------------------------------------------------------------------------------------------
# proxies, exceptions and argument states


class RemoteError(Exception):
    """An exception raised on the other side that maps to no builtin exception class."""


def exception_info(exc):
    """What travels for an exception: its class names (most specific first) and message."""
    names = [c.__name__ for c in type(exc).__mro__ if c not in (object, BaseException)]
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 (a learner's exception whose __str__ fails)
        message = "(the exception's message could not be shown)"
    return {"types": names[:20], "message": message[:4000]}


def rebuild_exception(info):
    """A builtin exception of the most specific class the other side's exception derives from."""
    import builtins

    for name in info.get("types", []):
        cls = getattr(builtins, str(name), None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            if cls in (KeyboardInterrupt, SystemExit, GeneratorExit, StopIteration):
                break
            try:
                return cls(str(info.get("message", "")))
            except TypeError:  # classes whose constructor needs more (UnicodeDecodeError, ...)
                break
    first = info.get("types", ["Exception"])[0]
    return RemoteError(f"{first}: {info.get('message', '')}")


def update_in_place(orig, new, depth=0):
    """Write `new` into the caller's object `orig` (list, dict, set or array) without replacing it.

    Only the sandbox does this (with the grader's after-states of a lent call); the grader never writes
    what the sandbox sends into its own objects.
    """
    if depth > MAX_DEPTH:
        return
    if isinstance(orig, np.ndarray) and isinstance(new, np.ndarray):
        fits = orig.shape == new.shape and orig.dtype == new.dtype and orig.flags.writeable
        if fits and not _same(orig, new):
            orig[...] = new
    elif type(orig) is dict and type(new) is dict:
        for k in [k for k in orig if k not in new]:
            del orig[k]
        for k, v in new.items():
            if k in orig and _container(orig[k]) and type(orig[k]) is type(v):
                update_in_place(orig[k], v, depth + 1)
            elif k not in orig or not _same(orig[k], v):
                orig[k] = v
    elif type(orig) is list and type(new) is list:
        for i, v in enumerate(new[:len(orig)]):
            if _container(orig[i]) and type(orig[i]) is type(v):
                update_in_place(orig[i], v, depth + 1)
            elif not _same(orig[i], v):
                orig[i] = v
        if len(new) != len(orig):
            orig[len(new):] = new[len(orig):]
    elif type(orig) is tuple and type(new) is tuple and len(orig) == len(new):  # its items may be mutable
        for o, n in zip(orig, new):
            if (_container(o) or type(o) is tuple) and type(o) is type(n):
                update_in_place(o, n, depth + 1)
    elif type(orig) is set and type(new) is set and orig != new:
        orig.clear()
        orig.update(new)


def _container(v):
    return isinstance(v, np.ndarray) or type(v) in (dict, list, set)


def _same(a, b):
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def copied_back(request, args, kwargs):
    """The final state of the arguments a call request asked to have sent back (the callee's side)."""
    positions, names = request.get("copy_back") or [[], []]
    return [[args[i] for i in positions if isinstance(i, int) and 0 <= i < len(args)],
            {k: kwargs[k] for k in names if k in kwargs}]


def mutable_args(args, kwargs):
    """The positions and names of arguments whose final state travels back after a call."""
    def carries(a):
        return _container(a) or (type(a) is tuple and any(carries(x) for x in a))

    return ([i for i, a in enumerate(args) if carries(a)], [k for k, a in kwargs.items() if carries(a)])


class Remote:
    """An object of the learner's process held by the grader: calls, attribute and item reads travel."""

    __slots__ = ("_endpoint", "_ref", "_label")

    def __init__(self, endpoint, ref, label="object"):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)

    def __call__(self, *args, **kwargs):
        hook = self._endpoint.call_hook
        if hook is not None:
            return hook({"ref": self._ref}, args, kwargs)
        return self._endpoint.call({"ref": self._ref}, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._endpoint.request({"op": "getattr", "ref": self._ref, "name": name})

    def __setattr__(self, name, value):
        raise AttributeError("attributes of an object on the other side cannot be set from here")

    def __getitem__(self, key):
        return self._endpoint.request({"op": "getitem", "ref": self._ref, "key": key})

    def __len__(self):
        return self._endpoint.request({"op": "len", "ref": self._ref})

    def __iter__(self):
        return iter(self._endpoint.request({"op": "list", "ref": self._ref}))

    def __repr__(self):
        return f"<{self._label} in the sandbox>"


class Lent:
    """A function the grader lends to the learner's code for one call: it answers calls, nothing else."""

    __slots__ = ("_endpoint", "_ref", "_label")

    def __init__(self, endpoint, ref, label="function"):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)

    def __call__(self, *args, **kwargs):
        return self._endpoint.call({"ref": self._ref}, args, kwargs)

    def __getattr__(self, name):
        raise AttributeError(f"{name!r}: a function the grader passes to your code can be called, "
                             "its attributes cannot be read")

    def __setattr__(self, name, value):
        raise AttributeError("a function the grader passes to your code cannot be changed")

    def __bool__(self):
        return True

    def _refuse(self, *args):
        raise TypeError("a function the grader passes to your code can only be called")

    __getitem__ = __len__ = __iter__ = _refuse

    def __repr__(self):
        return f"<{self._label} lent by the grader>"


class Revoked:
    """What a reference to a function the grader no longer lends becomes when it comes back."""

    def __init__(self, label):
        self.label = label

    def __call__(self, *args, **kwargs):
        raise PermissionError(STALE)

    def __repr__(self):
        return f"<{self.label} the grader lent to an earlier call>"


# ---------------------------------------------------------------------------------------------
# one side of the wire


class Endpoint:
    """One side of the wire: sends requests, serves the other side's requests while it waits.

    `handler(request) -> reply fields` serves what the other side asks; `side` is "host" or "sandbox".
    The sandbox keeps the objects it exports (a learner's objects) for the endpoint's life. The host
    exports only functions, lent until `revoke()`; after a call, `last_after` holds
    [(argument, the state the callee left its copy in)] and the host's own objects are left as they were.
    """

    def __init__(self, rfd, wfd, side, handler=None):
        self.rfd, self.wfd, self.side, self.handler = rfd, wfd, side, handler
        self.exported, self._next_ref, self._next_id = {}, 1, 1
        self.deadline = None  # monotonic time after which a wait gives up (host side)
        self.call_hook = None  # host: how a call of a Remote is made (the judge's bookkeeping)
        self.last_after = []

    # references
    def export(self, obj):
        if isinstance(obj, (Remote, Lent)) and obj._endpoint is self:  # an object of the other side goes home
            return {"side": "sandbox" if self.side == "host" else "host", "id": obj._ref, "label": obj._label}
        if self.side == "host" and not callable(obj):
            raise Unsendable(f"a {type(obj).__name__[:60]} cannot be sent to the learner's process: only data, "
                             "random generators and functions (lent for one call) can")
        ref = self._next_ref
        self._next_ref += 1
        self.exported[ref] = obj
        return {"side": self.side, "id": ref, "label": "function" if self.side == "host" else type(obj).__name__[:60]}

    def revoke(self):
        """Refuse every function lent so far (host): the call it was lent for has returned."""
        self.exported.clear()

    def resolve(self, tag):
        if type(tag) is not dict or type(tag.get("id")) is not int:
            raise WireError(f"bad reference {tag!r}")
        label = str(tag.get("label", "object"))[:60]
        if tag.get("side") == self.side:
            if tag["id"] in self.exported:
                return self.exported[tag["id"]]
            if self.side == "host":
                return Revoked(label)
            raise WireError("reference to an object that no longer exists")
        return Remote(self, tag["id"], label) if self.side == "host" else Lent(self, tag["id"], label)

    def local(self, ref):
        if type(ref) is not int or ref not in self.exported:
            if self.side == "host":
                raise PermissionError(STALE)
            raise WireError("reference to an object that no longer exists")
        return self.exported[ref]

    # messages
    def send(self, message):
        """Send a message; returns the random generators it carried, in order."""
        header, blobs, rngs = encode_message(message, self.export)
        write_frame(self.wfd, header, blobs)
        return rngs

    def receive(self):
        header, blobs = read_frame(self.rfd, self.deadline)
        message, rngs = decode_message(header, blobs, self.resolve)
        if message.get("kind") not in ("request", "reply"):
            raise WireError("a message that is neither a request nor a reply")
        message["__rngs__"] = rngs  # (set here: whatever the other side sent under that name is replaced)
        return message

    def request(self, body):
        """Send a request and wait for its reply, serving the other side's requests meanwhile."""
        return self._settle(self._exchange(body)[0])

    def _exchange(self, body):
        """Send a request; serve the other side's requests until its reply comes: (reply, generators sent)."""
        rid = self._next_id
        self._next_id += 1
        sent = self.send({"kind": "request", "id": rid, **body})
        while True:
            message = self.receive()
            if message["kind"] == "request":
                self.serve(message)
                continue
            if message.get("id") != rid:
                raise WireError("a reply to a request that was not made")
            return message, sent

    def _settle(self, reply):
        if reply.get("stdout"):
            print(str(reply["stdout"]), end="")
        for w in reply.get("warnings", []) or []:
            warnings.warn(str(w.get("message", "")), _warning_class(w.get("category")), stacklevel=4)
        if not reply.get("ok"):
            raise rebuild_exception(reply.get("error") or {})
        if reply.get("refused"):
            raise ValueRefused(str(reply["refused"]))
        return reply.get("value")

    def call(self, target, args, kwargs, extra=None):
        """Call `target` on the other side with the arguments as data; return its value.

        Generators get the state the callee left them in; the after-states of list, dict, set and array
        arguments are written into them on the sandbox side and kept in `last_after` on the host side.
        """
        positions, names = mutable_args(args, kwargs)
        self.last_after = []
        body = {"op": "call", "target": target, "args": list(args), "kwargs": dict(kwargs),
                "copy_back": [positions, names], "np_random": np.random.get_state(), **(extra or {})}
        reply, sent = self._exchange(body)
        malformed = None
        try:  # numpy's global generator and the generators passed, as if the call ran here
            if reply.get("np_random") is not None:
                np.random.set_state(reply["np_random"])
            states = reply.get("rngs")
            if sent and (type(states) is not list or len(states) != len(sent)):
                raise ValueError("the random generators' states did not come back")
            for g, state in zip(sent, states or []):
                set_rng_state(g, state)
        except Exception as err:  # noqa: BLE001 (a wrong answer of the other side, not a crash)
            malformed = f"the random state sent back after the call is malformed: {err}"
        after = reply.get("after") if reply.get("ok") else None
        if type(after) is list and len(after) == 2 and type(after[0]) is list and type(after[1]) is dict:
            pairs = [(args[i], new) for i, new in zip(positions, after[0])]
            pairs += [(kwargs[k], after[1][k]) for k in names if k in after[1]]
            if self.side == "host":
                self.last_after = pairs
            else:
                for orig, new in pairs:
                    update_in_place(orig, new)
        value = self._settle(reply)
        if malformed:
            raise ValueError(malformed)
        return value

    def serve(self, message):
        """Answer one request of the other side (a reply is always sent, an error if need be)."""
        is_call = message.get("op") == "call"
        try:
            if message.get("refused"):
                raise ValueRefused(f"the request was refused: {message['refused']}")
            if is_call and message.get("np_random") is not None:
                np.random.set_state(message["np_random"])
            reply = self.handler(message)
            reply = {"kind": "reply", "id": message.get("id"), "ok": True, **reply}
        except (ChannelClosed, WireTimeout):
            raise
        except BaseException as exc:  # noqa: BLE001 (anything the served code raises goes back as data)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and self.side == "host":
                raise
            reply = {"kind": "reply", "id": message.get("id"), "ok": False, "error": exception_info(exc)}
        if is_call:
            reply["np_random"] = np.random.get_state()
            reply["rngs"] = [rng_state(g) for g in message.get("__rngs__", [])]
        try:
            self.send(reply)
        except WireError as err:
            self.send({"kind": "reply", "id": message.get("id"), "ok": False,
                       "error": {"types": ["ValueError"], "message": f"the result cannot travel: {err}"},
                       **({"rngs": reply["rngs"]} if is_call else {})})


def _warning_class(name):
    import builtins

    cls = getattr(builtins, str(name), None)
    return cls if isinstance(cls, type) and issubclass(cls, Warning) else UserWarning
