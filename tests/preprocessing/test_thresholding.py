"""Otsu and Sauvola thresholds against scikit-image."""

import keras
import numpy as np
import pytest
from skimage import data, filters

from finvision.preprocessing import Binarize, otsu_threshold, sauvola_threshold

SCANS = {
    "page": data.page()[::2, ::2],
    "text": data.text()[::2, ::2],
    "camera": data.camera()[::8, ::8],
    "coins": data.coins()[::4, ::4],
}


def batch(image):
    return image[None, :, :, None].astype("float32")


@pytest.mark.parametrize("name", SCANS)
def test_otsu_threshold_equals_scikit_image(name):
    image = SCANS[name]
    assert float(otsu_threshold(batch(image))[0]) == filters.threshold_otsu(image)


def test_otsu_binarize_output_is_the_thresholded_image():
    image = SCANS["page"]
    expected = np.where(image > filters.threshold_otsu(image), 255.0, 0.0)
    actual = keras.ops.convert_to_numpy(Binarize("otsu")(image[:, :, None]))[:, :, 0]
    np.testing.assert_array_equal(actual, expected)


def test_otsu_on_a_flat_image_gives_its_level_and_all_ink():
    flat = np.full((1, 8, 8, 1), 90.0, "float32")
    assert float(otsu_threshold(flat)[0]) == 90.0
    assert keras.ops.convert_to_numpy(Binarize()(flat)).max() == 0.0


@pytest.mark.parametrize("name", SCANS)
def test_sauvola_threshold_matches_scikit_image(name):
    image = SCANS[name]
    expected = filters.threshold_sauvola(image, window_size=15, k=0.2)
    actual = keras.ops.convert_to_numpy(sauvola_threshold(batch(image)))[0, :, :, 0]
    np.testing.assert_allclose(actual, expected, atol=0.25)  # float32 local variance
    disagreement = np.mean((image > actual) != (image > expected))
    assert disagreement <= 1e-3


def test_sauvola_binarize_of_rgb_keeps_three_identical_channels():
    rgb = np.repeat(SCANS["text"][:, :, None], 3, axis=-1)
    out = keras.ops.convert_to_numpy(Binarize("sauvola")(rgb))
    assert out.shape == rgb.shape
    np.testing.assert_array_equal(out[..., 0], out[..., 2])
    assert set(np.unique(out)) == {0.0, 255.0}
