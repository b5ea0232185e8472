"""utils/grading.py: messages that say expected against got, and the kind of mistake in brackets."""

import numpy as np
import pytest

from utils import grading


def test_check_close_message_shows_expected_and_got():
    with pytest.raises(AssertionError, match=r"x: 1 of 3 values differ; the first at index \(1,\): expected 2.0, "
                                             r"got 2.5 \[different values\]$"):
        grading.check_close("x", np.array([1.0, 2.5, 3.0]), [1.0, 2.0, 3.0])
    grading.check_close("x", np.array([1.0, 2.0 + 1e-12, 3.0]), [1.0, 2.0, 3.0])


def test_check_printed_uses_the_printed_digits():
    grading.check_printed("v", 0.015381922316, "0.01538192")
    with pytest.raises(AssertionError, match="expected 0.01538192, got 0.0153819"):
        grading.check_printed("v", 0.0153819, "0.01538192")


def test_check_equal_accepts_numpy_integers():
    grading.check_equal("ids", [np.int64(3), 4], [3, 4])
    with pytest.raises(AssertionError, match=r"ids: expected \[3, 4\], got \[3, 5\]"):
        grading.check_equal("ids", [3, 5], [3, 4])


def test_shape_type_and_key_checks():
    with pytest.raises(AssertionError, match=r"expected shape \(2, 1\), got \(1, 2\)"):
        grading.check_shape("a", np.zeros((1, 2)), (2, 1))
    with pytest.raises(AssertionError, match="expected a dict, got list"):
        grading.check_keys("g", [], ["dWax"])
    with pytest.raises(AssertionError, match=r"missing \['db'\]"):
        grading.check_keys("g", {"dWax": 1}, ["dWax", "db"])



def test_check_equal_prints_plain_numbers_and_where_lists_differ():
    with pytest.raises(AssertionError) as err:
        grading.check_equal("indices", [np.int64(1), np.int64(2), np.int64(9)], [1, 2, 3])
    assert str(err.value) == ("indices: expected [1, 2, 3], got [1, 2, 9]; "
                              "first difference at index 2: expected 3, got 9 [different values]")
    with pytest.raises(AssertionError, match=r"the first 2 items agree, expected 3 items, got 2 \[off by one: "
                                             r"one item fewer \(the last is missing, the others match\)\]$"):
        grading.check_equal("x", [1, 2], [1, 2, 3])
    with pytest.raises(AssertionError, match=r"^n: expected 13, got 12 \[off by one: one less than expected\]$"):
        grading.check_equal("n", np.int64(12), 13)
    with pytest.raises(AssertionError, match=r"expected a list, got int64: 12 \[wrong type\]$"):
        grading.check_type("out", np.int64(12), list)
    assert grading.show([np.int64(3), np.float64(0.5), np.str_("a"), (np.int32(1),)]) == "[3, 0.5, 'a', (1,)]"


def test_after_call_is_the_argument_itself_in_a_notebook():
    params = {"W": np.zeros(2)}
    assert grading.after_call(params) is params
    seen = []
    grading._after_call_hook = lambda obj: seen.append(obj) or "the state the call left it in"
    try:
        assert grading.after_call(params) == "the state the call left it in" and seen == [params]
    finally:
        grading._after_call_hook = None
