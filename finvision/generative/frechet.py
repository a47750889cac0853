"""Fréchet distance between feature sets, and pooled features from a finvision backbone.

The Fréchet (2-Wasserstein) distance between the Gaussians fitted to two
feature sets is the FID of Heusel et al. (2017) when the features come from
Inception-v3; with features of a finvision backbone it is an FID-style score
for the images a bank's models actually see. It is biased by the sample
count, so compare distances computed on equally many images, and next to the
distance between two real sets (the floor a perfect generator would reach).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from finvision._validation import check_positive_int
from finvision.models.task_checks import check_feature_backbone


def frechet_distance(real_features: Any, generated_features: Any) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets.

    With means ``m1, m2`` and covariances ``S1, S2`` (unbiased, ``ddof=1``, as
    ``numpy.cov``), the distance is
    ``|m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))``. The last trace is
    computed from symmetric eigenproblems only: ``S1 S2`` has the eigenvalues
    of ``R S2 R`` with ``R = S1^(1/2)``, which is symmetric positive
    semi-definite, so ``tr((S1 S2)^(1/2))`` is the sum of the square roots of
    its eigenvalues (tiny negative ones from rounding count as 0). This stays
    real and finite for singular covariances (fewer samples than features),
    where a general matrix square root such as ``scipy.linalg.sqrtm`` of
    ``S1 S2`` returns complex parts or fails; it needs NumPy only.

    Args:
        real_features: ``(N, D)`` features of real images, ``N >= 2``.
        generated_features: ``(M, D)`` features of generated images, ``M >= 2``.

    Returns:
        The distance, a non-negative float (0 for identical Gaussians).

    Raises:
        ValueError: for arrays that are not 2-D, differ in width, have fewer
            than 2 rows, or hold NaN or infinity.

    Example:
    >>> import numpy as np
    >>> a = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    >>> round(frechet_distance(a, a + 3.0), 9)  # one covariance, means 3 apart on both axes
    18.0
    """
    real = _features(real_features, "real_features")
    generated = _features(generated_features, "generated_features")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(
            "`real_features` and `generated_features` must have the same width (features "
            f"per image); received {real.shape[1]} and {generated.shape[1]}."
        )
    mean_gap = real.mean(axis=0) - generated.mean(axis=0)
    real_cov, generated_cov = _covariance(real), _covariance(generated)
    root = _psd_sqrt(real_cov)
    middle = root @ generated_cov @ root
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_root = float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    distance = (
        float(mean_gap @ mean_gap)
        + float(np.trace(real_cov) + np.trace(generated_cov))
        - 2.0 * trace_root
    )
    return max(distance, 0.0)


def backbone_features(backbone: keras.Model, images: Any, batch_size: int = 64) -> np.ndarray:
    """Pooled features of images from a backbone, for :func:`frechet_distance`.

    The backbone runs in inference mode; a feature map ``(N, h, w, C)`` is
    averaged over its positions (as ``pooling="avg"``), a vector output is
    taken as it is. A backbone built with ``include_preprocessing=True``
    (finvision's default) takes raw pixels in [0, 255], as the images here.

    Args:
        backbone: a finvision backbone (``finvision.models.create_backbone``,
            or the ``backbone`` of a trained task model) or any ``keras.Model``
            with one feature-map or vector output.
        images: uint8 or float pixels ``(N, height, width, channels)``, or a
            ``tf.data.Dataset`` of images or of ``(image, label)`` elements,
            batched or not (e.g. from :func:`~finvision.generative.synthesize`).
        batch_size: images per forward pass (for arrays and unbatched datasets).

    Returns:
        float32 ``(N, C)``.

    Raises:
        TypeError: for a backbone that is not a ``keras.Model``.
        ValueError: for a backbone with a dict output, images whose size or
            channels the backbone does not take, or no image.

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> backbone_features(backbone, np.zeros((3, 32, 32, 3), "uint8")).shape
    (3, 512)
    """
    check_feature_backbone(backbone, "backbone_features")
    batch_size = check_positive_int("batch_size", batch_size)
    expected = tuple(backbone.input_shape[1:])
    if isinstance(images, tf.data.Dataset):
        spec = images.element_spec
        spec = spec[0] if isinstance(spec, tuple) else spec
        if not isinstance(spec, tf.TensorSpec) or spec.shape.rank not in (3, 4):
            raise ValueError(
                "`images` must be a tf.data.Dataset of images or (image, label) elements; "
                f"received elements {images.element_spec}."
            )
        _check_shape(tuple(spec.shape[-3:]), expected)
        dataset = images.map(lambda *element: element[0])
        if spec.shape.rank == 3:
            dataset = dataset.batch(batch_size)
        outputs = backbone.predict(dataset, verbose=0)
    else:
        array = np.asarray(images)
        if array.ndim != 4 or not len(array):
            raise ValueError(
                "`images` must be an array (N, height, width, channels) with N >= 1; "
                f"received shape {array.shape}."
            )
        _check_shape(array.shape[1:], expected)
        outputs = backbone.predict(array, batch_size=batch_size, verbose=0)
    outputs = np.asarray(outputs, dtype="float32")
    if not len(outputs):
        raise ValueError("`images` holds no image.")
    return outputs.mean(axis=(1, 2)) if outputs.ndim == 4 else outputs.reshape(len(outputs), -1)


def _check_shape(shape: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    fits = len(shape) == len(expected) and all(
        want is None or got is None or got == want
        for got, want in zip(shape, expected, strict=True)
    )
    if not fits:
        raise ValueError(
            f"`images` must be {expected} per image (height, width, channels) for this "
            f"backbone; received {tuple(shape)}."
        )


def _features(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(
            f"`{name}` must be a 2-D array (samples, features); received shape {array.shape}."
        )
    if len(array) < 2:
        raise ValueError(
            f"`{name}` must have at least 2 samples to estimate a covariance; "
            f"received {len(array)}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"`{name}` must be finite; received NaN or infinite values.")
    return array


def _covariance(features: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(features, rowvar=False))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a positive semi-definite matrix."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T
