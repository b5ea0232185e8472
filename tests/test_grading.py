"""utils/grading.py: messages that say expected against got."""

import numpy as np
import pytest

from utils import grading


def test_check_close_message_shows_expected_and_got():
    with pytest.raises(AssertionError, match=r"x: 1 of 3 values differ; at index \(1,\) expected 2.0, got 2.5"):
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

