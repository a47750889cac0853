"""`finvision train` warns when training ends at the loss of a constant predictor."""

import contextlib
import io
import math
import warnings

import keras
import pytest

from finvision.cli._common import warn_if_loss_did_not_move
from finvision.cli._warnings import warnings_as_lines


def history_of(losses):
    history = keras.callbacks.History()
    history.history = {"loss": list(losses)}
    return history


@pytest.mark.parametrize("num_classes", [2, 3, 10])
def test_a_loss_stuck_at_ln_k_is_named_with_what_to_try(num_classes):
    chance = math.log(num_classes)
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed), warnings_as_lines("train"):
        warnings.simplefilter("always")
        assert warn_if_loss_did_not_move(history_of([chance + 0.002, chance - 0.001]), num_classes)
    assert printed.getvalue() == (
        f"finvision train: warning: the training loss stayed at {chance - 0.001:.4f}, the loss "
        f"of a constant predictor (ln {num_classes} = {chance:.4f}); the model has learnt "
        "nothing. Train longer (--epochs), raise --learning-rate, or pass --weights.\n"
    )


@pytest.mark.parametrize(
    "losses",
    [
        [1.0986, 0.9],  # learnt
        [1.5, 1.0990],  # ended near ln 3 but moved there from elsewhere
        [1.2, 1.19],  # did not move, but not at the constant predictor's loss
        [],  # no epoch ran
    ],
)
def test_no_warning_when_the_loss_moved_or_is_not_a_constant_predictors(losses):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not warn_if_loss_did_not_move(history_of(losses), 3)


def test_a_one_unit_sigmoid_head_counts_as_two_classes():
    with pytest.warns(UserWarning, match=r"\(ln 2 = 0\.6931\)"):
        assert warn_if_loss_did_not_move(history_of([0.6931, 0.6932]), 1)
