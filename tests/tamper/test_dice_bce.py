"""DiceBCELoss against hand-worked masks and a NumPy reference."""

import keras
import numpy as np
import pytest

from finvision.losses import DiceBCELoss


def numpy_dice_bce(target, probabilities, dice_weight=1.0, bce_weight=1.0, smooth=1.0):
    p = np.clip(probabilities.astype("float64"), 1e-7, 1 - 1e-7)
    axes = tuple(range(1, target.ndim))
    bce = -(target * np.log(p) + (1 - target) * np.log(1 - p)).mean(axis=axes)
    overlap = (probabilities * target).sum(axis=axes)
    dice = (2 * overlap + smooth) / (probabilities.sum(axis=axes) + target.sum(axis=axes) + smooth)
    return (bce_weight * bce + dice_weight * (1 - dice)).mean()


def hand_masks():
    target = np.zeros((2, 4, 4, 1), "float32")
    target[0, :2, :2] = 1.0  # 4 pixels
    prediction = np.zeros((2, 4, 4, 1), "float32")
    prediction[0, :2, :3] = 1.0  # 6 pixels, 4 of them right
    return target, prediction


def test_hard_masks_dice_by_hand():
    target, prediction = hand_masks()
    dice_only = DiceBCELoss(bce_weight=0.0, smooth=1.0)
    # Image 0: Dice (2 * 4 + 1) / (6 + 4 + 1) = 9/11; image 1 (both empty): 1/1.
    expected = ((1 - 9 / 11) + 0.0) / 2
    assert float(dice_only(target, prediction)) == pytest.approx(expected, rel=1e-6)
    assert float(dice_only(target, target)) == pytest.approx(0.0, abs=1e-7)


def test_soft_masks_match_numpy():
    rng = np.random.default_rng(3)
    target = (rng.random((3, 8, 8, 1)) > 0.7).astype("float32")
    probabilities = rng.uniform(0.01, 0.99, (3, 8, 8, 1)).astype("float32")
    for weights in [(1.0, 1.0), (0.3, 2.0), (0.0, 1.0)]:
        loss = DiceBCELoss(dice_weight=weights[0], bce_weight=weights[1], smooth=0.5)
        expected = numpy_dice_bce(target, probabilities, *weights, smooth=0.5)
        assert float(loss(target, probabilities)) == pytest.approx(expected, rel=1e-5)


def test_logits_and_masks_without_channel_axis():
    rng = np.random.default_rng(4)
    target = (rng.random((2, 6, 6, 1)) > 0.5).astype("float32")
    logits = rng.normal(size=(2, 6, 6, 1)).astype("float32")
    probabilities = 1 / (1 + np.exp(-logits))
    expected = float(DiceBCELoss()(target, probabilities))
    assert float(DiceBCELoss(from_logits=True)(target, logits)) == pytest.approx(expected, rel=1e-5)
    assert float(DiceBCELoss()(target[..., 0], probabilities)) == pytest.approx(expected, rel=1e-6)


def test_one_value_per_image_and_serialization():
    target, prediction = hand_masks()
    per_image = DiceBCELoss(bce_weight=0.0, reduction=None)(target, prediction)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(per_image), [2 / 11, 0.0], atol=1e-6)
    loss = DiceBCELoss(dice_weight=0.5, bce_weight=2.0, smooth=0.1, from_logits=True)
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(loss), safe_mode=True
    )
    assert isinstance(restored, DiceBCELoss)
    assert restored.get_config() == loss.get_config()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"dice_weight": -1.0}, r"`dice_weight` must be a number >= 0.0; received -1.0"),
        ({"bce_weight": None}, r"`bce_weight` must be a number >= 0.0; received None"),
        ({"dice_weight": 0, "bce_weight": 0}, "`dice_weight` and `bce_weight` cannot both be 0"),
        ({"smooth": 0.0}, r"`smooth` must be a number > 0.0; received 0.0"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        DiceBCELoss(**arguments)


def test_mismatched_masks():
    with pytest.raises(ValueError, match=r"masks of the same shape.*\(2, 4\) and \(2, 4, 4, 1\)"):
        DiceBCELoss()(np.zeros((2, 4)), np.zeros((2, 4, 4, 1)))
