"""JPEG quality against Pillow, motion blur against SciPy."""

import io

import keras
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from finvision.preprocessing import RandomJPEGQuality, RandomMotionBlur
from finvision.preprocessing.degradation import filter_each, motion_blur_kernels

PHOTO = data.astronaut()[::4, ::4]  # 128 x 128 x 3


def pillow_jpeg(image, quality):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())), dtype="float32")


@pytest.mark.parametrize("quality", [35, 90])
@pytest.mark.tensorflow_only
def test_jpeg_quality_equals_pillow_save_and_open(quality):
    layer = RandomJPEGQuality((quality, quality), seed=0)
    out = keras.ops.convert_to_numpy(layer(PHOTO, training=True))
    np.testing.assert_array_equal(out, pillow_jpeg(PHOTO, quality))


@pytest.mark.tensorflow_only
def test_grayscale_jpeg_equals_pillow():
    gray = PHOTO[:, :, 1]
    out = keras.ops.convert_to_numpy(RandomJPEGQuality((50, 50))(gray[:, :, None], training=True))
    np.testing.assert_array_equal(out[:, :, 0], pillow_jpeg(gray, 50))


def test_horizontal_blur_kernel_is_a_box():
    kernel = keras.ops.convert_to_numpy(motion_blur_kernels(np.array([5.0]), np.array([0.0]), 7))
    expected = np.zeros((7, 7), "float32")
    expected[3, 1:6] = 0.2
    np.testing.assert_allclose(kernel[0], expected, atol=1e-7)


def test_diagonal_kernel_follows_the_angle_and_sums_to_one():
    kernel = keras.ops.convert_to_numpy(
        motion_blur_kernels(np.array([5.0]), np.array([np.pi / 4]), 5)
    )[0]
    assert kernel.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(kernel, kernel.T, atol=1e-7)  # symmetric about the diagonal
    assert kernel[0, 0] > 0 and kernel[4, 4] > 0 and kernel[0, 4] == 0.0


def test_filter_each_equals_scipy_correlate_with_mirrored_borders():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (3, 20, 24, 2)).astype("float32")
    kernels = rng.uniform(0, 1, (3, 5, 5)).astype("float32")
    out = keras.ops.convert_to_numpy(filter_each(images, kernels))
    for n in range(3):
        for c in range(2):
            expected = ndimage.correlate(images[n, :, :, c], kernels[n], mode="mirror")
            np.testing.assert_allclose(out[n, :, :, c], expected, rtol=1e-5, atol=1e-3)


def test_motion_blur_smears_a_dot_into_a_line_of_the_drawn_length():
    dot = np.zeros((1, 31, 31, 1), "float32")
    dot[0, 15, 15] = 255.0
    out = keras.ops.convert_to_numpy(RandomMotionBlur((9, 9), seed=4)(dot, training=True))
    assert out.sum() == pytest.approx(255.0, rel=1e-5)
    rows, cols = np.nonzero(out[0, :, :, 0] > 1e-3)
    extent = np.hypot(rows.max() - rows.min(), cols.max() - cols.min())
    assert 7.0 <= extent <= 11.5
