"""grader/rpc.py: data across the wire, functions lent for one call, bounded decoding, nothing that runs code."""

import json
import os
import struct
import threading
import time

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
    header, blobs = rpc.encode({"f": print, "obj": object()}, lambda obj: exported.append(obj) or {
        "side": "host", "id": len(exported), "label": type(obj).__name__})
    assert exported[0] is print and type(exported[1]) is object
    assert "__ref__" in header.decode()


def test_long_strings_travel_as_blobs_and_keep_lone_surrogates():
    text = "x" * 10_000 + "\ud800" + "é"
    header, blobs = rpc.encode([text, "short"], lambda obj: pytest.fail("no reference"))
    assert len(header) < 200 and len(blobs) == 1
    assert rpc.decode(header, blobs, None) == [text, "short"]


@pytest.mark.parametrize("make", [lambda: np.random.default_rng(7), lambda: np.random.Generator(np.random.MT19937(3)),
                                  lambda: np.random.Generator(np.random.Philox(4)), lambda: np.random.RandomState(5)])
def test_random_generators_cross_as_their_state(make):
    g, mirror = make(), make()
    g.random_sample(3) if isinstance(g, np.random.RandomState) else g.random(3)
    mirror.random_sample(3) if isinstance(mirror, np.random.RandomState) else mirror.random(3)
    got = roundtrip([g, {"again": g}])
    assert type(got[0]) is type(g) and got[0] is got[1]["again"]  # one generator in the frame, re-created once
    assert got[0] is not g
    assert got[0].standard_normal(4).tolist() == mirror.standard_normal(4).tolist()


def test_a_generator_of_an_unknown_bit_generator_is_refused():
    header = json.dumps({"__rng__": 0, "kind": "Generator", "state": {"bit_generator": "Evil", "state": 1}}).encode()
    with pytest.raises(rpc.WireError):
        rpc.decode(header, [], None)


@pytest.mark.parametrize("header, blobs", [
    (b'{"__nd__": 0, "dtype": "|O8", "shape": [1]}', [b"\x00" * 8]),  # object dtype: never decoded
    (b'{"__nd__": 0, "dtype": "<f8", "shape": [3]}', [b"\x00" * 8]),  # bytes do not match the shape
    (b'{"__nd__": 5, "dtype": "<f8", "shape": [1]}', []),  # missing blob
    (b'{"__pickle__": "gASVBQAAAAAAAACMAWGULg=="}', []),  # unknown tag
    (b'{"__type__": "eval"}', []),
    (b'{"__set__": [[1, 2]]}', []),  # an unhashable item
    (b'{"__str__": 0}', [b"\xff\xfe"]),  # not UTF-8
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
    os.write(w, rpc.MAGIC + struct.pack("<II", rpc.MAX_HEADER + 1, 0))
    with pytest.raises(rpc.WireError):
        rpc.read_frame(r)
    os.close(w)
    with pytest.raises(rpc.ChannelClosed):
        rpc.read_frame(r)
    os.close(r)


def colliding(n):
    """n distinct integers with one hash (hash(k * (2**61 - 1)) == 0): a set of them costs n**2 / 2 comparisons."""
    return [{"__int__": str(k * (2 ** 61 - 1))} for k in range(1, n + 1)]


def test_sets_and_dicts_whose_keys_hash_alike_are_refused_quickly():
    for tree in ({"__set__": colliding(60_000)}, {"__dict__": [[k, 0] for k in colliding(60_000)]},
                 {"__set__": [{"__tuple__": [-1] * 30 + [-2]} for _ in range(200)]}):
        header = json.dumps([["kind", "reply"], ["id", 1], ["ok", True], ["value", tree]]).encode()
        t0 = time.perf_counter()
        message, _ = rpc.decode_message(header, [], None)
        assert time.perf_counter() - t0 < 2.0
        assert "value" not in message and "not strings" in message["refused"] and message["ok"] is True
    # strings hash randomly: any number of string keys is fine, and so are a few thousand others
    fine = {"__dict__": [[f"k{i}", i] for i in range(100_000)] + [[i, i] for i in range(rpc.MAX_HASHED)]}
    message, _ = rpc.decode_message(json.dumps([["value", fine], ["kind", "reply"]]).encode(), [], None)
    assert len(message["value"]) == 100_000 + rpc.MAX_HASHED


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


def sandbox_calling(learner, kept=None):
    """A host endpoint whose sandbox calls `learner(*args)` (a stand-in for the harness)."""
    def sandbox_handler(req):
        if req["op"] == "call":
            args, kwargs = list(req["args"]), dict(req["kwargs"])
            value = learner(*args, **kwargs)
            return {"value": value, "after": rpc.copied_back(req, args, kwargs)}
        raise ValueError(req["op"])

    host, sandbox = pair(None, sandbox_handler)

    def host_handler(req):  # as the judge serves: calls of lent functions only
        if req["op"] != "call":
            raise PermissionError(req["op"])
        target = host.local(req["target"].get("ref"))
        args, kwargs = list(req["args"]), dict(req["kwargs"])
        return {"value": target(*args, **kwargs), "after": rpc.copied_back(req, args, kwargs)}

    host.handler = host_handler
    return host, sandbox


def test_the_hosts_objects_are_never_written_by_what_comes_back():
    def learner(params, items, state):
        params["W"] += 1  # in place, as update rules do
        items.append(4)
        state[1][:] = 0
        return "done"

    host, _ = sandbox_calling(learner)
    params, items, state = {"W": np.zeros(3)}, [1, 2, 3], (np.ones(2), np.ones(2))
    assert host.call({"global": "learner"}, (params, items, state), {}) == "done"
    assert params["W"].tolist() == [0, 0, 0] and items == [1, 2, 3] and state[1].tolist() == [1, 1]
    after = dict((id(orig), new) for orig, new in host.last_after)
    assert after[id(params)]["W"].tolist() == [1, 1, 1] and after[id(items)] == [1, 2, 3, 4]
    assert after[id(state)][1].tolist() == [0, 0] and after[id(params)] is not params


def test_generators_are_real_on_the_other_side_and_their_state_comes_back():
    def learner(rng, seed_or_rng=None, legacy=None):
        assert isinstance(rng, np.random.Generator) and type(legacy) is np.random.RandomState
        rng = np.random.default_rng(rng)  # the idioms of honest code
        other = seed_or_rng or np.random.default_rng()
        assert other is rng
        return [rng.random(), rng.integers(0, 10, 3).tolist(), legacy.random_sample()]

    host, _ = sandbox_calling(learner)
    rng, mirror = np.random.default_rng(5), np.random.default_rng(5)
    legacy, legacy_mirror = np.random.RandomState(2), np.random.RandomState(2)
    got = host.call({"global": "learner"}, (rng, rng), {"legacy": legacy})
    assert got == [mirror.random(), mirror.integers(0, 10, 3).tolist(), legacy_mirror.random_sample()]
    assert rng.random() == mirror.random() and legacy.random_sample() == legacy_mirror.random_sample()


def test_a_lent_function_answers_calls_only_while_lent():
    kept = []

    def learner(predict, params):
        if predict is None:  # a later call: the learner's code uses the reference it kept
            return kept[0](np.array([1]), params)
        kept.append(predict)
        for read in (lambda: predict.__globals__, lambda: predict.table, lambda: len(predict), lambda: predict[0],
                     lambda: list(predict)):
            with pytest.raises((AttributeError, TypeError)):
                read()
        assert predict and callable(predict)
        out = predict(np.array([1, 2]), params)
        return [out, params["W"].tolist()]

    host, _ = sandbox_calling(learner)

    def reference(x, params):
        params["W"] = params["W"] * 2  # the grader's update in place reaches the learner's own dict
        return int(x.sum())

    assert host.call({"global": "learner"}, (reference, {"W": np.ones(2)}), {}) == [3, [2.0, 2.0]]
    host.revoke()  # the judge does this when the call it lent `reference` for returns
    with pytest.raises(PermissionError, match="lent to an earlier call"):
        host.call({"global": "learner"}, (None, {"W": np.ones(1)}), {})


def test_the_host_sends_nothing_but_data_and_functions():
    host, _ = sandbox_calling(lambda x: x)
    with pytest.raises(rpc.Unsendable, match="cannot be sent"):
        host.call({"global": "learner"}, (object(),), {})
    assert host.call({"global": "learner"}, ([1, "a"],), {}) == [1, "a"]  # the channel is still in step


def test_a_stale_function_passed_back_to_the_host_is_refused_when_used():
    kept = []

    def learner(f, g=None):
        if g is None:
            kept.append(f)
            return f(1)
        return g(kept[0])  # hands the old reference to a function the grader lends now

    host, _ = sandbox_calling(learner)
    assert host.call({"global": "learner"}, (lambda x: x + 1,), {}) == 2
    host.revoke()
    with pytest.raises(PermissionError, match="lent to an earlier call"):
        host.call({"global": "learner"}, (None, lambda old: old(1)), {})


def test_a_refused_value_settles_the_call_and_keeps_the_channel():
    class Colliding:
        pass

    plain = rpc._Encoder.enc

    def enc(self, v, depth=0):  # what a learner's code could make its own copy of rpc send
        if isinstance(v, Colliding):
            return {"__set__": colliding(20_000)}
        return plain(self, v, depth)

    rpc._Encoder.enc = enc
    try:
        host, _ = sandbox_calling(lambda x: Colliding() if x else "fine")
        t0 = time.perf_counter()
        with pytest.raises(rpc.ValueRefused, match="not strings"):
            host.call({"global": "learner"}, (1,), {})
        assert time.perf_counter() - t0 < 2.0
        assert host.call({"global": "learner"}, (0,), {}) == "fine"
    finally:
        rpc._Encoder.enc = plain


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
