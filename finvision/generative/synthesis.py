"""``synthesize``: a ``tf.data`` dataset of generated images for chosen classes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from finvision._validation import check_non_negative_int, check_positive_int, is_int
from finvision.generative.gan import ConditionalGAN
from finvision.generative.generator import ConditionalGenerator


def synthesize(
    gan_or_generator: ConditionalGAN | ConditionalGenerator,
    n_per_class: int | Mapping[int, int],
    *,
    batch_size: int = 64,
    seed: int = 0,
) -> tf.data.Dataset:
    """Draws images of the requested classes as a ``tf.data`` dataset.

    The elements are ``(image, label)``: a uint8 image ``(height, width,
    channels)`` (the generator's [0, 255] pixels, rounded) and an int32 class
    index, the types finvision's loaders yield, so the dataset concatenates
    with a real one (``real.concatenate(synthetic)``, before batching). Classes
    come in increasing order, each as one block: shuffle after concatenating.

    All images are drawn when this function is called (the generator in
    inference mode, ``batch_size`` at a time) and held in memory, ``count x
    height x width x channels`` bytes, so iterating the dataset for many
    epochs costs nothing more. Batch ``b`` is drawn from float32 standard
    normal noise of ``numpy.random.default_rng((seed, b))``: the same
    generator, arguments and seed give the same images.

    Args:
        gan_or_generator: a trained :class:`ConditionalGAN` (its generator is
            used) or :class:`ConditionalGenerator`.
        n_per_class: images per class: an int for every class, or a dict
            ``{class_index: count}`` for some (e.g. only the rare ones).
        batch_size: images generated per call of the generator.
        seed: a non-negative int.

    Returns:
        An unbatched ``tf.data.Dataset`` of ``(uint8 image, int32 label)``
        with a known cardinality (the total count).

    Raises:
        TypeError: if ``gan_or_generator`` is neither.
        ValueError: for a negative count, an unknown class, no image asked
            for, or a bad ``batch_size`` or ``seed``.

    Example:
    >>> generator = ConditionalGenerator(3, image_shape=(32, 32, 1), latent_dim=8, width=4)
    >>> dataset = synthesize(generator, {2: 5}, batch_size=4, seed=7)
    >>> int(dataset.cardinality())
    5
    >>> image, label = next(iter(dataset))
    >>> image.shape, image.dtype.name, int(label)
    (TensorShape([32, 32, 1]), 'uint8', 2)
    """
    generator = _generator_of(gan_or_generator)
    counts = _counts(n_per_class, generator.num_classes)
    labels = np.repeat(np.array(list(counts), "int32"), list(counts.values()))
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_non_negative_int("seed", seed)
    batches = []
    for index, start in enumerate(range(0, len(labels), batch_size)):
        batch = labels[start : start + batch_size]
        noise = np.random.default_rng((seed, index)).standard_normal(
            (len(batch), generator.latent_dim), dtype="float32"
        )
        pixels = generator.predict_on_batch([noise, batch])
        batches.append(np.clip(np.rint(pixels), 0, 255).astype("uint8"))
    return tf.data.Dataset.from_tensor_slices((np.concatenate(batches), labels))


def _generator_of(model: Any) -> ConditionalGenerator:
    if isinstance(model, ConditionalGAN):
        return model.generator
    if isinstance(model, ConditionalGenerator):
        return model
    raise TypeError(
        "`gan_or_generator` must be a finvision.generative.ConditionalGAN or "
        f"ConditionalGenerator; received {type(model).__name__}."
    )


def _counts(n_per_class: Any, num_classes: int) -> dict[int, int]:
    """``{class: count}`` for every class asked for, checked."""
    if isinstance(n_per_class, Mapping):
        counts = dict(n_per_class)
    else:
        counts = dict.fromkeys(range(num_classes), n_per_class)
    for label, count in counts.items():
        if not is_int(label):
            raise ValueError(f"`n_per_class` keys must be int class indices; received {label!r}.")
        if not 0 <= label < num_classes:
            raise ValueError(
                f"`n_per_class` names class {label}, which the generator does not know "
                f"(classes 0 to {num_classes - 1})."
            )
        if not is_int(count) or count < 0:
            raise ValueError(
                f"`n_per_class` must give a non-negative int count per class; received "
                f"{count!r} for class {label}."
            )
    if not sum(counts.values()):
        raise ValueError(f"`n_per_class` asks for no image; received {n_per_class!r}.")
    return {int(label): int(counts[label]) for label in sorted(counts)}
