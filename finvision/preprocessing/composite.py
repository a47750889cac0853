"""``DocumentAugmentation``: the capture conditions of IDs and cheques, in one layer."""

from __future__ import annotations

from typing import Any

import keras

from finvision.preprocessing._layers import ImageLayer, check_fraction
from finvision.preprocessing.degradation import RandomJPEGQuality, RandomMotionBlur
from finvision.preprocessing.geometric import RandomPerspective
from finvision.preprocessing.photometric import (
    RandomBrightnessContrast,
    RandomGaussianNoise,
    RandomGlare,
    RandomShadow,
)


@keras.saving.register_keras_serializable(package="finvision")
class DocumentAugmentation(ImageLayer):
    """Chains the document augmentations with sensible probabilities.

    Order and chance per image, with magnitudes proportional to ``strength``:
    perspective (50%, corners move up to 8% of the side), brightness/contrast
    (80%, up to 25% / 30%), shadow (30%, up to 60% darker), glare (20%),
    motion blur (20%, up to 9 px), Gaussian noise (50%, sigma up to 12) and,
    on the TensorFlow backend, JPEG recompression (50%, quality down to 30).
    ``strength=0`` leaves images unchanged (no step runs); ``strength=1`` is a
    hard setting for phone photos. Active with ``training=True`` only. Output: float32 in
    [0, 255], same shape; 1 or 3 channels.

    Args:
        strength: overall magnitude in [0, 1].
        seed: seed for reproducible draws (each step gets ``seed + i``).
        **kwargs: standard layer arguments.

    Example:
    >>> import numpy as np
    >>> augment = DocumentAugmentation(strength=0.5, seed=7)
    >>> cheque = np.full((2, 40, 92, 3), 230, dtype="uint8")
    >>> tuple(augment(cheque, training=True).shape)
    (2, 40, 92, 3)
    """

    def __init__(self, strength: float = 0.5, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strength = s = check_fraction("strength", strength)
        self.seed = seed

        def seed_of(step: int) -> int | None:
            return None if seed is None else seed + step

        steps: list[keras.layers.Layer] = [
            RandomPerspective(0.08 * s, probability=0.5, seed=seed_of(0)),
            RandomBrightnessContrast(0.25 * s, 0.3 * s, probability=0.8, seed=seed_of(1)),
            RandomShadow((0.2 * s, 0.6 * s), probability=0.3, seed=seed_of(2)),
            RandomGlare((0.3 * s, 0.9 * s), probability=0.2, seed=seed_of(3)),
            RandomMotionBlur((1.0, 1.0 + 8.0 * s), probability=0.2, seed=seed_of(4)),
            RandomGaussianNoise((0.0, 12.0 * s), probability=0.5, seed=seed_of(5)),
        ]
        if keras.backend.backend() == "tensorflow":
            quality = (round(95 - 65 * s), 95)
            steps.append(RandomJPEGQuality(quality, probability=0.5, seed=seed_of(6)))
        self.steps = steps if s > 0 else []

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        for step in self.steps:
            step.build(input_shape)

    def transform_batch(self, images: Any, training: bool) -> Any:
        for step in self.steps:
            images = step.transform_batch(images, training)
        return images

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "strength": self.strength, "seed": self.seed}
