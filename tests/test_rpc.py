"""grader/rpc.py: plain data across the wire, references for the rest, and nothing that runs code."""

import json
import os
import struct
import threading

import numpy as np
import pytest

from grader import rpc


def roundtrip(value):
    header, blobs = rpc.encode(value, lambda obj: pytest.fail(f"{obj!r} should have travelled as data"))
    return rpc.decode(header, blobs, lambda tag: pytest.fail("no reference expected"))


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2 ** 80, 1.5, float("inf"), -float("inf"), 1 + 2j, "text", "", b"\x00bytes",
    [1, [2, [3]]], (1, "a", None), {"a": 1, 2: "b", (3, 4): [5]}, {1, 2}, frozenset({"x"}), slice(1, None, 2), ...,
    np.float64(2.5), np.int32(-3), np.bool_(True), np.arange(12, dtype=np.int16).reshape(3, 4),
    np.zeros((0, 5)), np.array(["ab", "c"]), np.asfortranarray(np.ones((2, 3))), np.array(7.0),
    np.dtype("float32"), np.float32, np.integer, int, str, dict,
])
def test_data_round_trips_exactly(value):
    got = roundtrip(value)
    if isinstance(value, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(got, value)
    else:
        assert type(got) is type(value) and got == value


def test_nan_round_trips():
    assert np.isnan(roundtrip(float("nan")))
    assert np.isnan(roundtrip(np.array([np.nan]))[0])


def test_numpy_scalars_stay_scalars():
    got = roundtrip({"loss": np.float64(126.5), "i": [np.int64(3)]})
    assert isinstance(got["loss"], np.float64) and np.ndim(got["loss"]) == 0
    assert isinstance(got["i"][0], np.integer)


def test_objects_travel_as_references():
    exported = []
    header, blobs = rpc.encode({"f": print, "rng": np.random.default_rng(0)}, lambda obj: exported.append(obj) or {
        "side": "host", "id": len(exported), "label": type(obj).__name__})
    assert exported[0] is print and isinstance(exported[1], np.random.Generator)
    assert "__ref__" in header.decode()


@pytest.mark.parametrize("header, blobs", [
    (b'{"__nd__": 0, "dtype": "|O8", "shape": [1]}', [b"\x00" * 8]),  # object dtype: never decoded
    (b'{"__nd__": 0, "dtype": "<f8", "shape": [3]}', [b"\x00" * 8]),  # bytes do not match the shape
    (b'{"__nd__": 5, "dtype": "<f8", "shape": [1]}', []),  # missing blob
    (b'{"__pickle__": "gASVBQAAAAAAAACMAWGULg=="}', []),  # unknown tag
    (b'{"__type__": "eval"}', []),
    (b"not json", []),
])
def test_malformed_frames_are_refused(header, blobs):
    with pytest.raises(rpc.WireError):
        rpc.decode(header, blobs, lambda tag: None)


def test_framing_rejects_garbage_and_oversize():
    r, w = os.pipe()
    os.write(w, b"EVIL" + b"\x00" * 8)
    with pytest.raises(rpc.WireError):
        rpc.read_frame(r)
    os.write(w, rpc.MAGIC + struct.pack("<II", rpc.MAX_FRAME + 1, 0))
    with pytest.raises(rpc.WireError):
        rpc.read_frame(r)
    os.close(w)
    with pytest.raises(rpc.ChannelClosed):
        rpc.read_frame(r)
    os.close(r)


def test_update_in_place_keeps_the_callers_objects():
    params = {"W": np.zeros((2, 2)), "b": np.zeros(2)}
    W = params["W"]
    rpc.update_in_place(params, {"W": np.ones((2, 2)), "b": np.zeros(2), "new": 1})
    assert params["W"] is W and W.sum() == 4 and params["new"] == 1
    items = [1, 2, 3]
    rpc.update_in_place(items, [3, 2])
    assert items == [3, 2]


def pair(handler_a, handler_b):
    """Two endpoints talking over pipes, b served by a thread (a stand-in for the sandbox)."""
    ab_r, ab_w = os.pipe()
    ba_r, ba_w = os.pipe()
    a = rpc.Endpoint(ba_r, ab_w, "host", handler_a)
    b = rpc.Endpoint(ab_r, ba_w, "sandbox", handler_b)

    def serve():
        while True:
            try:
                message = b.receive()
            except rpc.ChannelClosed:
                return
            b.serve(message)

    threading.Thread(target=serve, daemon=True).start()
    return a, b


def test_calls_callbacks_and_copy_back():
    def learner(params, predict, rng):
        params["W"] += 1  # in place, as update rules do
        return [predict(np.array([1, 2])), rng.random()]

    def sandbox_handler(req):
        if req["op"] == "call":
            args, kwargs = list(req["args"]), dict(req["kwargs"])
            value = learner(*args, **kwargs)
            return {"value": value, "after": [[args[i] for i in req["copy_back"][0]], {}]}
        raise ValueError(req["op"])

    host, sandbox = pair(None, sandbox_handler)

    def host_handler(req):
        target = host.local((req.get("target") or req).get("ref"))
        if req["op"] == "call":
            return {"value": target(*req["args"], **req["kwargs"])}
        return {"value": getattr(target, req["name"])}

    host.handler = host_handler
    params = {"W": np.zeros(3)}
    rng, mirror = np.random.default_rng(5), np.random.default_rng(5)
    got = host.call({"global": "learner"}, (params, lambda x: int(x.sum()), rng), {})
    assert got == [3, mirror.random()]
    assert params["W"].tolist() == [1.0, 1.0, 1.0]


def test_exceptions_come_back_as_builtin_classes():
    class DataError(ValueError):
        pass

    info = rpc.exception_info(DataError("bad text"))
    err = rpc.rebuild_exception(info)
    assert type(err) is ValueError and str(err) == "bad text"
    assert isinstance(rpc.rebuild_exception(rpc.exception_info(SystemExit(3))), rpc.RemoteError)
    assert json.dumps(info)


def test_subclasses_of_builtins_travel_as_their_base():
    from collections import OrderedDict, namedtuple

    Step = namedtuple("Step", "loss state")
    assert roundtrip(Step(1.5, [1])) == (1.5, [1]) and type(roundtrip(Step(1.5, [1]))) is tuple
    assert type(roundtrip(OrderedDict(a=1))) is dict


def test_arrays_inside_a_tuple_argument_come_back_mutated():
    state = (np.zeros(2), np.ones(2))
    assert rpc.mutable_args((state, 3), {}) == ([0], [])
    rpc.update_in_place(state, (np.full(2, 5.0), np.ones(2)))
    assert state[0].tolist() == [5.0, 5.0]

