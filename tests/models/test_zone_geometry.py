"""Zone geometry against hand-worked boxes and scipy's connected components."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from finvision.models import _zone_geometry as geometry


@pytest.mark.parametrize("degrees", [0, 20, 90, 135, 200, -30])
def test_zone_quad_recovers_a_turned_rectangle(degrees):
    """The pixel centres of a 40x6 box turned by an angle give back its corners."""
    u, v = np.meshgrid(np.arange(40) + 0.5, np.arange(6) + 0.5)
    theta = np.deg2rad(degrees)
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    points = np.c_[u.ravel(), v.ravel()] @ turn.T + [100, 80]
    quad = geometry.zone_quad(points)
    lengths = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[3] - quad[0])
    np.testing.assert_allclose(lengths, (40, 6), atol=1e-6)  # pixels are unit squares
    assert quad[1][0] >= quad[0][0]  # the long axis points right
    expected = np.array([[0, 0], [40, 0], [40, 6], [0, 6]], float) @ turn.T + [100, 80]
    distances = np.linalg.norm(quad[:, None] - expected[None], axis=-1)
    np.testing.assert_allclose(distances.min(axis=1), 0, atol=1e-6)


def test_components_match_scipy():
    rng = np.random.default_rng(0)
    for _ in range(20):
        mask = ndimage.binary_opening(rng.uniform(size=(40, 50)) > 0.55)
        labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
        if count == 0:
            continue
        sizes = np.bincount(labels.ravel())[1:]
        found = [len(blob) for blob in geometry.components(mask)]
        assert found == sorted(sizes.tolist(), reverse=True)


def test_rectify_turns_a_rotated_band_upright():
    """A band drawn at 30 degrees comes back as the band drawn flat (within resampling)."""
    flat = np.full((40, 200), 255, np.uint8)
    flat[10:30, 20:180:10] = 0  # a picket fence: it shows any shift
    page = Image.fromarray(flat).rotate(
        30, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=255
    )
    centre = np.array(page.size) / 2
    theta = np.deg2rad(-30)  # Pillow turns counterclockwise on screen
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    corners = (
        np.array([[0, 0], [200, 0], [200, 40], [0, 40]], float) - [100, 20]
    ) @ turn.T + centre
    upright = geometry.rectify(page.convert("L"), corners, 40)
    assert upright.shape == (40, 200)
    # measured 6.7; turned the wrong way 13.4, shifted by one pixel 16.6
    assert np.abs(upright - flat.astype(np.float32)).mean() < 10


def test_line_bands_and_letterbox():
    zone = np.full((60, 100), 240.0)
    zone[5:15, 10:90:3] = 20
    zone[25:37, 10:90:3] = 30
    zone[50:52, 10:90:3] = 30  # a speck of a rule: lower than a quarter of the tallest line
    assert geometry.line_bands(zone) == [(5, 15), (25, 37)]
    assert geometry.line_bands(np.full((20, 30), 200.0)) == []
    square, box = geometry.letterbox(np.zeros((100, 300, 3), np.float32), 60)
    assert square.shape == (60, 60, 3) and square[0, 0, 0] == 128  # padding above
    np.testing.assert_allclose(box.to_page([[0, 20], [60, 40]]), [[0, 0], [300, 100]])


def test_grown_moves_every_edge_out():
    quad = np.array([[0, 0], [10, 0], [10, 4], [0, 4]], float)
    np.testing.assert_allclose(geometry.grown(quad, 2, 1), [[-2, -1], [12, -1], [12, 5], [-2, 5]])
