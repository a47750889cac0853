"""Brightness/contrast, noise, glare and shadow against their formulas."""

import keras
import numpy as np

from finvision.preprocessing import (
    RandomBrightnessContrast,
    RandomGaussianNoise,
    RandomGlare,
    RandomShadow,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(40, 200, (4, 16, 16, 3)).astype("float32")


def augment(layer, images=IMAGES):
    return keras.ops.convert_to_numpy(layer(images, training=True))


def test_contrast_pivots_on_the_mean_and_brightness_shifts():
    out = augment(RandomBrightnessContrast(brightness=0.0, contrast=0.5, seed=0))
    for image, result in zip(IMAGES, out, strict=True):
        mean = image.mean()
        gain = (result - mean).ravel() @ (image - mean).ravel() / ((image - mean) ** 2).sum()
        assert 0.5 <= gain <= 1.5
        np.testing.assert_allclose(result, np.clip((image - mean) * gain + mean, 0, 255), atol=1e-3)
    shifted = augment(RandomBrightnessContrast(brightness=0.1, contrast=0.0, seed=0))
    offsets = (shifted - IMAGES).reshape(4, -1)
    np.testing.assert_allclose(offsets, offsets[:, :1].repeat(offsets.shape[1], 1), atol=1e-3)
    assert np.all(np.abs(offsets[:, 0]) <= 25.5)


def test_noise_has_the_drawn_standard_deviation():
    gray = np.full((3, 64, 64, 1), 128.0, "float32")
    out = augment(RandomGaussianNoise(stddev=(6.0, 6.0), seed=1), gray)
    np.testing.assert_allclose(out.std(axis=(1, 2, 3)), 6.0, rtol=0.06)
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), 128.0, atol=0.5)


def test_glare_only_brightens_towards_white():
    out = augment(RandomGlare(intensity=(0.9, 0.9), radius=(0.3, 0.3), seed=2))
    assert np.all(out >= IMAGES - 1e-4) and out.max() <= 255.0
    lifted = (out - IMAGES) / (255.0 - IMAGES)  # the spot's strength, same on every channel
    np.testing.assert_allclose(lifted[..., 0], lifted[..., 2], atol=1e-4)
    assert np.isclose(lifted.max(axis=(1, 2, 3)), 0.9, atol=0.15).all()


def test_shadow_only_darkens_by_at_most_darkness():
    out = augment(RandomShadow(darkness=(0.4, 0.4), seed=3))
    ratio = out / IMAGES
    assert ratio.min() >= 0.6 - 1e-4 and ratio.max() <= 1.0 + 1e-6
    assert (ratio.min(axis=(1, 2, 3)) < 0.8).sum() >= 2  # edges cross most images


def test_box_muller_draws_are_standard_normal():
    from scipy import stats

    from finvision.preprocessing.photometric import standard_normal

    draws = keras.ops.convert_to_numpy(standard_normal((3, 101), keras.random.SeedGenerator(4)))
    assert draws.shape == (3, 101)  # an odd count drops the last sine draw
    assert stats.kstest(draws.ravel(), "norm").pvalue > 0.05
    many = keras.ops.convert_to_numpy(standard_normal((200_000,), keras.random.SeedGenerator(5)))
    assert abs(many.mean()) < 0.01 and abs(many.std() - 1.0) < 0.01
    assert abs(stats.kurtosis(many)) < 0.05


def test_document_augmentation_at_zero_strength_is_exactly_the_identity():
    from finvision.preprocessing import DocumentAugmentation

    images = IMAGES.astype("uint8")
    out = keras.ops.convert_to_numpy(DocumentAugmentation(0.0, seed=0)(images, training=True))
    np.testing.assert_array_equal(out, images.astype("float32"))
