"""BackboneNormalization against keras.applications' preprocess_input."""

import keras
import numpy as np
import pytest

from finvision.preprocessing import BackboneNormalization
from finvision.preprocessing.normalization import per_channel

IMAGES = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3), dtype="uint8")


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_matches_keras_preprocess_input(mode):
    expected = keras.applications.imagenet_utils.preprocess_input(
        IMAGES.astype("float32"), mode=mode
    )
    for images in (IMAGES, IMAGES.astype("float32")):
        actual = keras.ops.convert_to_numpy(BackboneNormalization(mode)(images))
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def test_single_image_and_none_mode():
    image = IMAGES[0]
    assert BackboneNormalization("tf")(image).shape == (8, 8, 3)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(BackboneNormalization("none")(image)), image.astype("float32")
    )


def test_grayscale_uses_averaged_statistics():
    gray = np.full((1, 2, 2, 1), 255, dtype="uint8")
    output = keras.ops.convert_to_numpy(BackboneNormalization("torch")(gray))
    mean, std = np.mean([0.485, 0.456, 0.406]), np.mean([0.229, 0.224, 0.225])
    np.testing.assert_allclose(output, np.full((1, 2, 2, 1), (1.0 - mean) / std), rtol=1e-6)
    caffe = keras.ops.convert_to_numpy(BackboneNormalization("caffe")(gray))
    np.testing.assert_allclose(caffe, 255 - np.mean([103.939, 116.779, 123.68]), rtol=1e-6)


def test_per_channel_errors():
    with pytest.raises(ValueError, match="Expected 4 or 3 per-channel statistics, received 2"):
        per_channel((1.0, 2.0), 4)


def test_custom_statistics_and_config_round_trip():
    layer = BackboneNormalization("torch", mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    clone = BackboneNormalization.from_config(layer.get_config())
    white = np.full((1, 1, 1, 3), 255, dtype="uint8")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(white)), 2.0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"mode": "imagenet"}, r"`mode` must be one of \('caffe', 'tf', 'torch', 'none'\)"),
        ({"mode": "tf", "mean": (1, 2, 3)}, "`mean` applies to modes 'caffe' and 'torch'"),
        ({"mode": "caffe", "std": (1, 2, 3)}, "`std` applies to mode 'torch' only"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        BackboneNormalization(**arguments)


def test_unknown_channel_count_is_rejected():
    with pytest.raises(ValueError, match="needs a known channel count"):
        BackboneNormalization("tf").build((None, 8, 8, None))


def test_computes_in_float32_under_mixed_policy():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        layer = BackboneNormalization("caffe")
    finally:
        keras.config.set_dtype_policy(previous)
    assert layer.compute_dtype == "float32"
    assert keras.ops.convert_to_numpy(layer(IMAGES)).dtype == np.float32
