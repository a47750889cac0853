"""Nuisance goes through finvision.preprocessing.DocumentAugmentation, shapes kept."""

import numpy as np
import pytest

from finvision.data import synthetic
from finvision.preprocessing import DocumentAugmentation


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return [
        rng.integers(150, 256, (32, 100), dtype=np.uint8),
        rng.integers(150, 256, (32, 120), dtype=np.uint8),  # same 64-pixel bucket: one batch
        rng.integers(150, 256, (40, 70, 3), dtype=np.uint8),
    ]


def test_equals_the_preprocessing_layer_on_a_bucket_sized_batch():
    rng = np.random.default_rng(1)
    batch = rng.integers(100, 256, (2, 64, 128, 1), dtype=np.uint8)
    ours = synthetic.apply_nuisance(list(batch), strength=0.7, seed=3)
    layer = DocumentAugmentation(strength=0.7, seed=3)
    reference = np.clip(np.rint(np.asarray(layer(batch, training=True))), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(np.stack(ours), reference)


def test_shapes_kept_seeded_and_changed(images):
    noisy = synthetic.apply_nuisance(images, strength=1.0, seed=0)
    again = synthetic.apply_nuisance(images, strength=1.0, seed=0)
    for image, out, out_again in zip(images, noisy, again, strict=True):
        assert out.shape == image.shape and out.dtype == np.uint8
        np.testing.assert_array_equal(out, out_again)
    assert any(not np.array_equal(image, out) for image, out in zip(images, noisy, strict=True))


def test_zero_strength_returns_copies(images):
    out = synthetic.apply_nuisance(images, strength=0.0, seed=0)
    for image, copy in zip(images, out, strict=True):
        np.testing.assert_array_equal(image, copy)
        assert copy is not image


def test_generators_apply_it(font_path):
    clean = synthetic.mrz_lines(3, seed=0, font_path=font_path)
    noisy = synthetic.mrz_lines(3, seed=0, font_path=font_path, nuisance=0.8)
    for a, b in zip(clean, noisy, strict=True):
        assert a.text == b.text and a.image.shape == b.image.shape
    assert any(not np.array_equal(a.image, b.image) for a, b in zip(clean, noisy, strict=True))


@pytest.mark.parametrize(
    ("images", "strength", "message"),
    [
        (
            [np.zeros((8, 8), np.float32)],
            0.5,
            r"`images` must hold uint8 arrays .* float32 \(8, 8\)",
        ),
        ([np.zeros((8, 8, 2), np.uint8)], 0.5, r"received uint8 \(8, 8, 2\) at index 0"),
        (
            [np.zeros((8, 8), np.uint8)],
            1.5,
            r"`strength` must be a number in \[0, 1\]; received 1.5",
        ),
    ],
)
def test_errors(images, strength, message):
    with pytest.raises(ValueError, match=message):
        synthetic.apply_nuisance(images, strength=strength, seed=0)
