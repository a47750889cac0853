"""Perspective warps move pixels where the homography says."""

import keras
import numpy as np
from skimage.transform import estimate_transform

from finvision.preprocessing import RandomPerspective, warp_perspective
from finvision.preprocessing.geometric import image_corners

TARGET = np.array([[3.0, 2.0], [28.0, 0.0], [30.0, 21.0], [1.0, 23.0]], dtype="float32")


def test_a_pixel_lands_where_the_homography_maps_it():
    height, width = 24, 32
    source = keras.ops.convert_to_numpy(image_corners(height, width))
    homography = estimate_transform("projective", source, TARGET)
    image = np.zeros((1, height, width, 1), dtype="float32")
    for x, y in [(10, 8), (20, 15), (5, 18)]:
        image[:] = 0.0
        image[0, y, x] = 1.0
        expected_x, expected_y = homography(np.array([[x, y]], dtype="float64"))[0]
        out = warp_perspective(image, TARGET[None], interpolation="bilinear", fill_value=0.0)
        out = keras.ops.convert_to_numpy(out)[0, :, :, 0]
        rows, cols = np.nonzero(out > 1e-6)
        weights = out[rows, cols]
        centre = (np.sum(cols * weights) / weights.sum(), np.sum(rows * weights) / weights.sum())
        np.testing.assert_allclose(centre, (expected_x, expected_y), atol=0.35)


def test_uncovered_pixels_get_the_fill_value():
    white = np.full((1, 24, 32, 3), 255.0, dtype="float32")
    out = keras.ops.convert_to_numpy(warp_perspective(white, TARGET[None], fill_value=0.0))
    assert out[0, 0, 0, 0] == 0.0  # top-left corner moved to (3, 2)
    assert out[0, 12, 16, 0] == 255.0


def test_random_perspective_moves_corners_within_scale():
    white = np.full((8, 40, 40, 1), 255.0, dtype="float32")
    layer = RandomPerspective(0.1, interpolation="nearest", fill_value=0.0, seed=3)
    out = keras.ops.convert_to_numpy(layer(white, training=True))
    # Corners move at most 0.1 * 39 = 3.9 px per axis: the centre is always covered,
    # and the 4 px frame is the only place where fill can appear.
    assert (out[:, 4:-4, 4:-4] == 255.0).all()
    assert (out == 0.0).any()
