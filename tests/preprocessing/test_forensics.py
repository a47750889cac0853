"""Error level analysis against Pillow, SRM residuals against SciPy."""

import io

import keras
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage import data

from finvision.preprocessing import ErrorLevelAnalysis, SRMFilter
from finvision.preprocessing.forensics import SRM_KERNELS

PHOTO = data.chelsea()[::4, ::4]  # 75 x 113 x 3


@pytest.mark.tensorflow_only
def test_error_level_analysis_equals_pillow_recompress_and_diff():
    buffer = io.BytesIO()
    Image.fromarray(PHOTO).save(buffer, "JPEG", quality=90)
    recompressed = np.asarray(Image.open(io.BytesIO(buffer.getvalue())), dtype="float32")
    expected = np.minimum(np.abs(PHOTO.astype("float32") - recompressed) * 10.0, 255.0)
    actual = keras.ops.convert_to_numpy(ErrorLevelAnalysis(quality=90, scale=10.0)(PHOTO))
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.tensorflow_only
def test_error_level_analysis_shows_a_pasted_region():
    once = io.BytesIO()
    Image.fromarray(PHOTO).save(once, "JPEG", quality=70)
    photo = np.asarray(Image.open(io.BytesIO(once.getvalue()))).copy()
    photo[20:44, 40:72] = PHOTO[20:44, 40:72]  # pristine pixels pasted into the JPEG
    ela = keras.ops.convert_to_numpy(ErrorLevelAnalysis(quality=70, scale=1.0)(photo))
    inside = ela[20:44, 40:72].mean()
    outside = np.delete(ela, np.s_[16:48], axis=0).mean()
    assert inside > 1.5 * outside


def test_srm_residuals_equal_scipy_correlate():
    gray = PHOTO[:, :, :1].astype("float32")
    residuals = keras.ops.convert_to_numpy(SRMFilter()(gray))
    for k, kernel in enumerate(SRM_KERNELS):
        expected = ndimage.correlate(gray[:, :, 0], kernel, mode="constant")
        np.testing.assert_allclose(residuals[:, :, k], expected, atol=1e-3)


def test_srm_channel_order_and_truncation():
    rgb = PHOTO.astype("float32")
    residuals = keras.ops.convert_to_numpy(SRMFilter(truncation=2.0)(rgb))
    assert residuals.shape == (*rgb.shape[:2], 9)
    assert np.abs(residuals).max() == 2.0
    expected = ndimage.correlate(rgb[:, :, 2], SRM_KERNELS[1], mode="constant")
    np.testing.assert_allclose(residuals[:, :, 7], np.clip(expected, -2, 2), atol=1e-3)
