"""Capture nuisance for synthetic images, through ``finvision.preprocessing``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from finvision._validation import check_fraction, check_non_negative_int

_Sample = TypeVar("_Sample")

#: Widths (and heights) are padded up to a multiple of this many pixels so that
#: images of similar size share one batch.
BUCKET = 64


def _padded(image: np.ndarray) -> np.ndarray:
    """The image as ``(H, W, C)``, padded with its edge pixels to whole buckets."""
    image = image.reshape(*image.shape[:2], -1)
    height, width = image.shape[:2]
    pad = ((0, -height % BUCKET), (0, -width % BUCKET), (0, 0))
    return np.pad(image, pad, mode="edge")


def apply_nuisance(images: Sequence[np.ndarray], *, strength: float, seed: int) -> list[np.ndarray]:
    """Blur, noise, JPEG, perspective and uneven light, as a phone or scanner adds them.

    A thin wrapper around :class:`finvision.preprocessing.DocumentAugmentation`
    (applied with ``training=True``). Images of any sizes are accepted: each is
    padded at the right and bottom with its edge pixels up to a multiple of
    :data:`BUCKET` pixels, images of the same padded shape go through the
    layer as one batch, and the results are cropped back, so every output has
    its input's shape. The same images, strength and seed give the same output.
    Geometric nuisance moves pixels, so boxes and masks of the clean render are
    only approximate afterwards.

    Args:
        images: uint8 images ``(H, W)`` (grayscale) or ``(H, W, 1 | 3)``.
        strength: overall magnitude in [0, 1]; 0 returns copies of the input.
        seed: a non-negative int.

    Returns:
        uint8 images, each of its input's shape.

    Raises:
        ValueError: for images that are not uint8 2-D/3-D arrays with 1 or 3
            channels, a ``strength`` outside [0, 1] or a bad ``seed``.

    Example:
    >>> page = np.full((40, 90), 230, np.uint8)
    >>> [image.shape for image in apply_nuisance([page], strength=0.5, seed=0)]
    [(40, 90)]
    """
    from finvision.preprocessing import DocumentAugmentation  # imports Keras

    seed = check_non_negative_int("seed", seed)
    arrays = [np.asarray(image) for image in images]
    for index, image in enumerate(arrays):
        if image.dtype != np.uint8 or image.shape[2:] not in ((), (1,), (3,)) or image.ndim < 2:
            raise ValueError(
                "`images` must hold uint8 arrays (H, W) or (H, W, 1 | 3); received "
                f"{image.dtype} {image.shape} at index {index}."
            )
    outputs: list[np.ndarray] = [image.copy() for image in arrays]
    if check_fraction("strength", strength) == 0.0:
        return outputs
    layer = DocumentAugmentation(strength=strength, seed=seed)
    padded = [_padded(image) for image in arrays]
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, image in enumerate(padded):
        groups.setdefault(image.shape, []).append(index)
    for _, members in sorted(groups.items()):
        result = layer(np.stack([padded[i] for i in members]), training=True)
        result = np.clip(np.rint(np.asarray(result)), 0, 255).astype(np.uint8)
        for i, augmented in zip(members, result, strict=True):
            height, width = arrays[i].shape[:2]
            outputs[i] = augmented[:height, :width].reshape(arrays[i].shape)
    return outputs


def with_nuisance(
    samples: list[_Sample], strength: float, seed: int, fields: Sequence[str] = ("image",)
) -> list[_Sample]:
    """Samples (frozen dataclasses) with :func:`apply_nuisance` applied to image fields.

    All images of the call go through :func:`apply_nuisance` together, so with
    ``strength > 0`` a sample's nuisance also depends on the other samples.

    Args:
        samples: frozen dataclasses holding uint8 images.
        strength: in [0, 1]; 0 returns ``samples`` unchanged.
        seed: a non-negative int.
        fields: the names of the image attributes.

    Returns:
        New samples with the images replaced.

    Raises:
        ValueError: for a ``strength`` outside [0, 1] or a bad ``seed``.

    Example:
    >>> from finvision.data.synthetic.text import TextLine
    >>> lines = [TextLine(np.full((32, 64), 240, np.uint8), "A")]
    >>> with_nuisance(lines, 0.0, seed=0) is lines
    True
    """
    if check_fraction("nuisance", strength) == 0.0:
        return samples
    images = [getattr(sample, field) for sample in samples for field in fields]
    noisy = iter(apply_nuisance(images, strength=strength, seed=seed))
    return [
        dataclasses.replace(sample, **{field: next(noisy) for field in fields})  # type: ignore[type-var]
        for sample in samples
    ]
