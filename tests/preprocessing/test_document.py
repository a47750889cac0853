"""Grayscale, ResizeWithPad and ContrastStretch against Pillow, NumPy and hand-worked cases."""

import keras
import numpy as np
import pytest
from PIL import Image
from skimage import data

from finvision.preprocessing import ContrastStretch, Grayscale, ResizeWithPad

PHOTO = data.astronaut()[::8, ::8]  # 64 x 64 x 3, uint8


def numpy_of(tensor):
    return keras.ops.convert_to_numpy(tensor)


def test_grayscale_matches_pillow_luma():
    expected = np.asarray(Image.fromarray(PHOTO).convert("L"), dtype="float32")
    actual = numpy_of(Grayscale()(PHOTO))[:, :, 0]
    assert np.abs(actual - expected).max() <= 0.5 + 1e-3  # Pillow rounds to integers


def test_grayscale_keeps_gray_input_and_repeats_on_request():
    gray = PHOTO[None, :, :, :1]
    np.testing.assert_array_equal(numpy_of(Grayscale()(gray)), gray.astype("float32"))
    tripled = numpy_of(Grayscale(keep_channels=True)(PHOTO))
    np.testing.assert_array_equal(tripled[..., 0], tripled[..., 2])


def test_resize_with_pad_same_width_pads_rows_evenly():
    strip = np.full((1, 4, 8, 1), 100.0, dtype="float32")  # 1:2 strip into a square
    out = numpy_of(ResizeWithPad(8, 8, antialias=False, fill_value=255.0)(strip))[0, :, :, 0]
    np.testing.assert_array_equal(out[2:6], 100.0)
    np.testing.assert_array_equal(out[[0, 1, 6, 7]], 255.0)


@pytest.mark.tensorflow_only  # interpolation="area" is a TensorFlow resize
def test_resize_with_pad_moves_a_block_where_the_scale_says():
    # A 20 x 40 cheque-like image into 10 x 10: padded to 40 x 40 (10 rows above),
    # then shrunk 4x, so a 4 x 4 block at rows 10-13, columns 8-11 lands on row 5, column 2.
    image = np.zeros((1, 20, 40, 1), dtype="float32")
    image[0, 10:14, 8:12] = 200.0
    layer = ResizeWithPad(10, 10, interpolation="area", antialias=False, fill_value=0.0)
    out = numpy_of(layer(image))[0, :, :, 0]
    assert np.argwhere(out > 100).tolist() == [[5, 2]]
    assert out[5, 2] == pytest.approx(200.0)


@pytest.mark.tensorflow_only
def test_resize_with_pad_handles_unknown_sizes_in_a_graph():
    import tensorflow as tf

    layer = ResizeWithPad(12, 30)
    resize = tf.function(layer, input_signature=[tf.TensorSpec((None, None, None, 3), tf.uint8)])
    assert tuple(resize(np.zeros((2, 50, 20, 3), "uint8")).shape) == (2, 12, 30, 3)


def test_contrast_stretch_matches_numpy_percentiles():
    faded = (PHOTO.astype("float32") * 0.3 + 90.0)[None]
    low, high = np.percentile(faded, [2, 98])
    expected = np.clip((faded - low) / (high - low) * 255.0, 0, 255)
    np.testing.assert_allclose(numpy_of(ContrastStretch(2, 98)(faded)), expected, atol=1e-3)


def test_contrast_stretch_is_per_image_and_leaves_flat_images_alone():
    flat = np.full((16, 16, 3), 77.0, dtype="float32")
    ramp = np.tile(np.linspace(50, 60, 16, dtype="float32"), (16, 1))[..., None].repeat(3, -1)
    out = numpy_of(ContrastStretch(0, 100)(np.stack([flat, ramp])))
    np.testing.assert_array_equal(out[0], flat)
    assert out[1].min() == 0.0 and out[1].max() == 255.0
