"""The shared argument checks: one ``check_*(name, value, ...)`` convention."""

import re

import numpy as np
import pytest

from finvision._validation import (
    check_choice,
    check_fraction,
    check_non_negative_int,
    check_positive_int,
    is_int,
    is_number,
)


def test_integers_from_numpy_count_and_come_back_as_python_ints():
    value = check_positive_int("units", np.int64(3))
    assert (value, type(value)) == (3, int)
    assert check_non_negative_int("seed", np.uint8(0)) == 0
    assert not is_int(True) and not is_int(np.float64(2.0))


@pytest.mark.parametrize(
    ("interval", "inside", "outside"),
    [("[0, 1]", [0, 1, 0.5], [-0.1, 1.01]), ("[0, 1)", [0, 0.99], [1]), ("(0, 1]", [1, 1e-9], [0])],
)
def test_fractions_keep_each_bound_open_or_closed(interval, inside, outside):
    for value in inside:
        assert check_fraction("share", value, interval) == float(value)
    for value in outside:
        with pytest.raises(ValueError, match=rf"`share` must be a number in {re.escape(interval)}"):
            check_fraction("share", value, interval)


@pytest.mark.parametrize("value", [True, "0.5", None, float("nan"), np.bool_(True)])
def test_a_fraction_is_a_real_number(value):
    with pytest.raises(ValueError, match=r"`rate` must be a number in \[0, 1\]; received"):
        check_fraction("rate", value)


def test_numbers_are_real_and_not_bools():
    assert is_number(np.float32(0.5)) and is_number(3) and is_number(float("nan"))
    assert not any(is_number(value) for value in (True, np.bool_(False), "0.5", None, 1j))


def test_choices_name_the_argument_and_return_the_value():
    assert check_choice("pooling", "max", ("avg", "max")) == "max"
    with pytest.raises(ValueError, match=r"`pooling` must be one of \('avg', 'max'\); received 3"):
        check_choice("pooling", 3, ("avg", "max"))
