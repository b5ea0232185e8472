"""The wire between the grader and the sandboxed learner process: plain data in frames, never pickles.

Both sides import this file: the trusted judge (grader/judge.py) and the harness inside the sandbox
(grader/harness.py, which has nothing else of the grader). A frame is

    b"CLM1" | uint32 header length | header (JSON) | for each blob: uint64 length | bytes

and the header's JSON tree refers to its blobs by index. Values that travel as data: None, bool,
int, float (NaN and infinities included), complex, str, bytes, list, tuple, dict (any data keys),
set, slice, Ellipsis, numpy arrays of bool/int/uint/float/complex/str dtypes (raw C-order bytes),
numpy scalars, numpy dtypes, numpy scalar types and builtin types. Anything else stays where it
lives and travels as a reference: the other side gets a `Remote` proxy whose calls, attribute reads,
item reads and len() go back over the wire (see Endpoint). The decoder never builds an object dtype
or runs code; a malformed frame raises WireError.

Calls also carry numpy's global random state both ways (np.random.seed on one side is seen by a
draw on the other), and they copy back mutations: after `f(*args)` on one side, the final state of every list, dict, set
and array argument (and of tuples holding them) travels back and is written into the caller's own objects in place, so a
function that updates a parameter dict in place behaves the same across the wire.
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
MAX_DEPTH = 200
ARRAY_KINDS = set("biufcUS")
NUMPY_TYPES = {name: getattr(np, name) for name in (
    "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32",
    "float64", "longdouble", "complex64", "complex128", "str_", "bytes_", "integer", "floating", "number",
    "generic", "signedinteger", "unsignedinteger", "complexfloating", "ndarray")}
BUILTIN_TYPES = {t.__name__: t for t in (int, float, complex, str, bytes, bool, list, tuple, dict, set,
                                         frozenset, object, type(None), slice)}


class WireError(Exception):
    """A frame that is not what the protocol allows (truncated, oversized, malformed)."""


class ChannelClosed(WireError):
    """The other side closed its end (it exited, crashed or was killed)."""


class WireTimeout(WireError):
    """No complete frame arrived before the deadline."""


# ---------------------------------------------------------------------------------------------
# encoding


class _Encoder:
    def __init__(self, export):
        self.export, self.blobs = export, []

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

    def enc(self, v, depth=0):
        if depth > MAX_DEPTH:
            raise WireError(f"value nested deeper than {MAX_DEPTH} levels")
        t = type(v)
        if v is None or t is bool or t is str:
            return v
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


def encode(value, export):
    """(header bytes, blobs) for a value; `export(obj)` returns the reference id of a non-data object."""
    enc = _Encoder(export)
    tree = enc.enc(value)
    return json.dumps(tree, separators=(",", ":"), allow_nan=False).encode(), enc.blobs


class _Decoder:
    def __init__(self, blobs, resolve):
        self.blobs, self.resolve = blobs, resolve

    def blob(self, i):
        if type(i) is not int or not 0 <= i < len(self.blobs):
            raise WireError(f"reference to a missing blob {i!r}")
        return self.blobs[i]

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
        if key == "__int__":
            return int(v[key])
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
            return tuple(self.dec(x, depth + 1) for x in v[key])
        if key == "__dict__":
            return {self.dec(k, depth + 1): self.dec(x, depth + 1) for k, x in v[key]}
        if key == "__set__":
            items = [self.dec(x, depth + 1) for x in v[key]]
            return frozenset(items) if v.get("frozen") else set(items)
        if key == "__slice__":
            return slice(*(self.dec(x, depth + 1) for x in v[key]))
        if key == "__ellipsis__":
            return Ellipsis
        if key == "__nd__":
            return self.array(v)
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


def decode(header, blobs, resolve):
    """The value of a frame; `resolve(ref)` turns a reference tag into an object or a proxy."""
    try:
        tree = json.loads(header)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise WireError(f"header is not JSON: {err}") from None
    return _Decoder(blobs, resolve).dec(tree)


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
    if sizes > MAX_FRAME:
        raise WireError(f"a message of {sizes:,} bytes is over the {MAX_FRAME:,}-byte limit")
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
    if hlen > MAX_FRAME or nblobs > 1_000_000:
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
# remote objects and calls


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
    """Write `new` into the caller's object `orig` (list, dict, set or array) without replacing it."""
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
    """The positions and names of arguments whose mutations travel back after a call."""
    def carries(a):
        return _container(a) or (type(a) is tuple and any(carries(x) for x in a))

    return ([i for i, a in enumerate(args) if carries(a)], [k for k, a in kwargs.items() if carries(a)])


class Remote:
    """An object that lives on the other side: calls, attribute and item reads travel over the wire."""

    __slots__ = ("_endpoint", "_ref", "_label")

    def __init__(self, endpoint, ref, label="object"):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_label", label)

    def __call__(self, *args, **kwargs):
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
        return f"<{self._label} in the {'sandbox' if self._endpoint.side == 'host' else 'grader'}>"


class Endpoint:
    """One side of the wire: sends requests, serves the other side's requests while it waits.

    `handler(request) -> reply value` serves what the other side asks; `side` is "host" or "sandbox".
    Objects exported to the other side are kept in `exported` (id -> object) for the endpoint's life (one
    submission): a learner's object may keep a generator it was given and draw from it in a later call.
    """

    def __init__(self, rfd, wfd, side, handler=None):
        self.rfd, self.wfd, self.side, self.handler = rfd, wfd, side, handler
        self.exported, self._next_ref, self._next_id = {}, 1, 1
        self.deadline = None  # monotonic time after which a wait gives up (host side)

    # references
    def export(self, obj):
        if isinstance(obj, Remote) and obj._endpoint is self:  # an object of the other side goes home as itself
            return {"side": "sandbox" if self.side == "host" else "host", "id": obj._ref, "label": obj._label}
        ref = self._next_ref
        self._next_ref += 1
        self.exported[ref] = obj
        return {"side": self.side, "id": ref, "label": type(obj).__name__[:60]}

    def resolve(self, tag):
        if type(tag) is not dict or type(tag.get("id")) is not int:
            raise WireError(f"bad reference {tag!r}")
        if tag.get("side") == self.side:
            if tag["id"] not in self.exported:
                raise WireError("reference to an object that no longer exists")
            return self.exported[tag["id"]]
        return Remote(self, tag["id"], str(tag.get("label", "object"))[:60])

    def local(self, ref):
        if type(ref) is not int or ref not in self.exported:
            raise WireError("reference to an object that no longer exists")
        return self.exported[ref]

    # messages
    def send(self, message):
        header, blobs = encode(message, self.export)
        write_frame(self.wfd, header, blobs)

    def receive(self):
        header, blobs = read_frame(self.rfd, self.deadline)
        message = decode(header, blobs, self.resolve)
        if type(message) is not dict or message.get("kind") not in ("request", "reply"):
            raise WireError("a message that is neither a request nor a reply")
        return message

    def request(self, body):
        """Send a request and wait for its reply, serving the other side's requests meanwhile."""
        return self._settle(self._exchange(body))

    def _exchange(self, body):
        """Send a request; serve the other side's requests until its reply comes, and return that reply."""
        rid = self._next_id
        self._next_id += 1
        self.send({"kind": "request", "id": rid, **body})
        while True:
            message = self.receive()
            if message["kind"] == "request":
                self.serve(message)
                continue
            if message.get("id") != rid:
                raise WireError("a reply to a request that was not made")
            return message

    def _settle(self, reply):
        if reply.get("stdout"):
            print(str(reply["stdout"]), end="")
        for w in reply.get("warnings", []) or []:
            warnings.warn(str(w.get("message", "")), _warning_class(w.get("category")), stacklevel=4)
        if not reply.get("ok"):
            raise rebuild_exception(reply.get("error") or {})
        return reply.get("value")

    def call(self, target, args, kwargs, extra=None):
        """Call `target` on the other side; copy the mutations of list, dict, set and array args back."""
        positions, names = mutable_args(args, kwargs)
        body = {"op": "call", "target": target, "args": list(args), "kwargs": dict(kwargs),
                "copy_back": [positions, names], "np_random": np.random.get_state(), **(extra or {})}
        message = self._exchange(body)
        after = message.get("after") or [[], {}]
        try:
            if message.get("np_random") is not None:  # numpy's global generator, as if the call ran here
                np.random.set_state(message["np_random"])
            for i, new in zip(positions, after[0]):
                update_in_place(args[i], new)
            for k in names:
                if k in after[1]:
                    update_in_place(kwargs[k], after[1][k])
        except Exception as err:  # noqa: BLE001 (malformed copy-back: a wrong answer, not a crash)
            raise WireError(f"the arguments sent back after the call are malformed: {err}") from None
        return self._settle(message)

    def serve(self, message):
        """Answer one request of the other side (a reply is always sent, an error if need be)."""
        try:
            if message.get("op") == "call" and message.get("np_random") is not None:
                np.random.set_state(message["np_random"])
            reply = self.handler(message)
            reply = {"kind": "reply", "id": message.get("id"), "ok": True, **reply}
            if message.get("op") == "call":
                reply["np_random"] = np.random.get_state()
        except (ChannelClosed, WireTimeout):
            raise
        except BaseException as exc:  # noqa: BLE001 (anything the served code raises goes back as data)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and self.side == "host":
                raise
            reply = {"kind": "reply", "id": message.get("id"), "ok": False, "error": exception_info(exc)}
        try:
            self.send(reply)
        except WireError as err:
            self.send({"kind": "reply", "id": message.get("id"), "ok": False,
                       "error": {"types": ["ValueError"], "message": f"the result cannot travel: {err}"}})


def _warning_class(name):
    import builtins

    cls = getattr(builtins, str(name), None)
    return cls if isinstance(cls, type) and issubclass(cls, Warning) else UserWarning
