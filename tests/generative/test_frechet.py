"""frechet_distance against hand-worked Gaussians and scipy; backbone_features against numpy."""

import keras
import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from finvision.generative import backbone_features, frechet_distance
from finvision.models import create_backbone
from tests.conftest import predict


def with_moments(mean, variances):
    """Four points per axis whose sample mean and covariance (ddof=1) are exact.

    Points ``+-s`` on one axis (zero elsewhere): 2 * len(mean) points with mean
    0 and variance ``2 s^2 / (n - 1)`` on that axis, no covariance between axes.
    """
    mean, variances = np.asarray(mean, float), np.asarray(variances, float)
    count = 2 * len(mean)
    steps = np.sqrt(variances * (count - 1) / 2)
    points = np.concatenate([np.diag(steps), -np.diag(steps)])
    return mean + points


def scipy_frechet(a, b):
    """The usual FID formula, with scipy's general matrix square root."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def test_helper_gives_the_moments_asked_for():
    points = with_moments([1.0, -2.0, 0.5], [1.0, 4.0, 9.0])
    np.testing.assert_allclose(points.mean(axis=0), [1.0, -2.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(np.cov(points, rowvar=False), np.diag([1.0, 4.0, 9.0]), atol=1e-12)


def test_two_gaussians_with_diagonal_covariances_by_hand():
    # |m1 - m2|^2 = 1 + 1; sum (sqrt(v1) - sqrt(v2))^2 = (1 - 2)^2 + (2 - 3)^2: 4 in all.
    real = with_moments([0.0, 0.0], [1.0, 4.0])
    generated = with_moments([1.0, 1.0], [4.0, 9.0])
    assert frechet_distance(real, generated) == pytest.approx(4.0, rel=1e-12)
    assert frechet_distance(generated, real) == pytest.approx(4.0, rel=1e-12)


def test_one_feature_is_the_gap_of_means_and_of_standard_deviations():
    rng = np.random.default_rng(0)
    a, b = rng.normal(2.0, 3.0, (50, 1)), rng.normal(-1.0, 0.5, (80, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-10)


def test_matches_scipy_sqrtm_on_correlated_features():
    rng = np.random.default_rng(1)
    mixing = rng.normal(size=(12, 12))
    a = rng.normal(size=(300, 12)) @ mixing
    b = rng.normal(size=(200, 12)) @ (mixing + 0.3 * rng.normal(size=(12, 12))) + 0.5
    assert frechet_distance(a, b) == pytest.approx(scipy_frechet(a, b), rel=1e-8)


def test_fewer_samples_than_features_stays_finite_and_exact():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(10, 64)), rng.normal(size=(12, 64)) + 0.1
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    distance = frechet_distance(a, b)
    assert np.isfinite(distance) and distance > 0
    # A rotation of the feature space moves neither Gaussian's distance.
    rotation, _ = np.linalg.qr(rng.normal(size=(64, 64)))
    assert frechet_distance(a @ rotation, b @ rotation) == pytest.approx(distance, rel=1e-8)
    assert frechet_distance(b, a) == pytest.approx(distance, rel=1e-8)


@pytest.mark.parametrize(
    ("real", "generated", "message"),
    [
        (np.zeros((4, 3)), np.zeros((4, 2)), r"same width .*received 3 and 2"),
        (np.zeros((1, 3)), np.zeros((4, 3)), r"`real_features` must have at least 2 .*received 1"),
        (
            np.zeros((4, 3)),
            np.zeros(4),
            r"`generated_features` must be a 2-D .*received shape \(4,\)",
        ),
        (np.full((4, 3), np.nan), np.zeros((4, 3)), r"`real_features` must be finite"),
    ],
)
def test_bad_feature_arrays_are_refused(real, generated, message):
    with pytest.raises(ValueError, match=message):
        frechet_distance(real, generated)


# === backbone_features ===

PIXELS = np.random.default_rng(3).integers(0, 256, (5, 32, 32, 3), dtype="uint8")


@pytest.fixture(scope="module")
def backbone():
    return create_backbone("resnet18", input_shape=(32, 32, 3))


def test_features_are_the_spatial_mean_of_the_feature_map(backbone):
    features = backbone_features(backbone, PIXELS, batch_size=2)
    assert features.shape == (5, 512) and features.dtype == np.float32
    np.testing.assert_allclose(
        features, predict(backbone, PIXELS).mean(axis=(1, 2)), rtol=1e-5, atol=1e-6
    )


def test_vector_outputs_are_taken_as_they_are():
    inputs = keras.Input((32, 32, 1))
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))
    gray = PIXELS[..., :1].astype("float32")
    np.testing.assert_allclose(backbone_features(model, gray), predict(model, gray), rtol=1e-6)


@pytest.mark.tensorflow_only
def test_datasets_of_images_or_pairs_batched_or_not(backbone):
    expected = backbone_features(backbone, PIXELS)
    images = tf.data.Dataset.from_tensor_slices(PIXELS)
    pairs = tf.data.Dataset.from_tensor_slices((PIXELS, np.arange(5)))
    for dataset in (images, pairs, pairs.batch(2)):
        np.testing.assert_allclose(
            backbone_features(backbone, dataset, batch_size=3), expected, rtol=1e-5, atol=1e-6
        )
    with pytest.raises(
        ValueError, match=r"`images` must be \(32, 32, 3\) .*received \(32, 32, 1\)"
    ):
        backbone_features(backbone, images.map(lambda image: image[..., :1]))
    with pytest.raises(ValueError, match=r"`images` must be a tf.data.Dataset of images"):
        backbone_features(backbone, tf.data.Dataset.range(3))


def test_bad_backbones_and_images_are_refused(backbone):
    with pytest.raises(
        ValueError, match=r"`images` must be \(32, 32, 3\) .*received \(32, 32, 1\)"
    ):
        backbone_features(backbone, PIXELS[..., :1])
    with pytest.raises(
        ValueError, match=r"`images` must be an array .*received shape \(32, 32, 3\)"
    ):
        backbone_features(backbone, PIXELS[0])
    with pytest.raises(ValueError, match=r"N >= 1; received shape \(0, 32, 32, 3\)"):
        backbone_features(backbone, PIXELS[:0])
    with pytest.raises(TypeError, match=r"`backbone` must be a keras.Model .*received str"):
        backbone_features("resnet18", PIXELS)
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1; received 0"):
        backbone_features(backbone, PIXELS, batch_size=0)
    pyramid = create_backbone("resnet18", input_shape=(32, 32, 3), features_only=True)
    with pytest.raises(ValueError, match=r"outputs a dict of pyramid levels"):
        backbone_features(pyramid, PIXELS)
