"""``DocumentAugmentation``: the capture conditions of IDs and cheques, in one layer."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision._validation import check_fraction
from finvision.preprocessing._augmentation import AugmentationLayer, as_seed_generator
from finvision.preprocessing.degradation import RandomJPEGQuality, RandomMotionBlur
from finvision.preprocessing.geometric import RandomPerspective
from finvision.preprocessing.photometric import (
    RandomBrightnessContrast,
    RandomGaussianNoise,
    RandomGlare,
    RandomShadow,
)


@keras.saving.register_keras_serializable(package="finvision")
class DocumentAugmentation(AugmentationLayer):
    """Chains the document augmentations with sensible probabilities.

    Order and chance per image, with magnitudes proportional to ``strength``:
    perspective (50%, corners move up to 8% of the side), brightness/contrast
    (80%, up to 25% / 30%), shadow (30%, up to 60% darker), glare (20%),
    motion blur (20%, up to 9 px), Gaussian noise (50%, sigma up to 12) and,
    on the TensorFlow backend, JPEG recompression (50%, quality down to 30).
    ``strength=0`` leaves images unchanged (no step runs); ``strength=1`` is a
    hard setting for phone photos. Active with ``training=True`` only. Output: float32 in
    [0, 255], same shape; 1 or 3 channels.

    Takes the dict form too, ``{"images": x, "segmentation_masks": m, "points":
    p}``, and passes it through every step, so tamper masks and zone corners
    follow the perspective step exactly (the other steps leave them unchanged).
    A transformation (``get_random_transformation``) is the list of the steps'
    transformations, in order.

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
    >>> mask = np.zeros((2, 40, 92, 1), "float32")
    >>> mask[:, 10:30, 20:60] = 1.0  # an edited amount
    >>> out = augment({"images": cheque, "segmentation_masks": mask}, training=True)
    >>> moved = keras.ops.convert_to_numpy(out["segmentation_masks"])
    >>> moved.shape, np.unique(moved).tolist()  # still 0/1
    ((2, 40, 92, 1), [0.0, 1.0])
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

    def build(self, input_shape: Any) -> None:
        if isinstance(input_shape, dict):
            input_shape = input_shape["images"]
        for step in self.steps:
            step.build(input_shape)

    def get_random_transformation(
        self, images: Any, training: bool = True, seed: Any = None
    ) -> list[Any] | None:
        """Draws every step's transformation for a float batch; applies nothing.

        Args:
            images: a float batch ``(N, H, W, C)`` (only its shape is read).
            training: ``False`` returns ``None``, the identity.
            seed: ``None`` (each step's own generator), an int or a
                ``keras.random.SeedGenerator`` shared by the steps.

        Returns:
            ``None`` with ``training=False``; otherwise one transformation per
            step, in order (``None`` for a step that changes nothing).

        Example:
        >>> import numpy as np
        >>> augment = DocumentAugmentation(strength=0.5, seed=0)
        >>> len(augment.get_random_transformation(np.zeros((2, 8, 8, 3)))) == len(augment.steps)
        True
        """
        if not training:
            return None
        seed = as_seed_generator(seed)  # one generator for all steps, not one each
        return [step.get_random_transformation(images, training, seed) for step in self.steps]

    def transform_images(self, images: Any, transformation: list[Any] | None) -> Any:
        """Applies the steps' transformations in order to a float batch ``(N, H, W, C)``.

        Example:
        >>> import numpy as np
        >>> augment = DocumentAugmentation(strength=0.5, seed=0)
        >>> images = np.full((2, 16, 24, 3), 200.0, "float32")
        >>> transformation = augment.get_random_transformation(images)
        >>> tuple(augment.transform_images(images, transformation).shape)
        (2, 16, 24, 3)
        """
        return self._through_steps("transform_images", images, transformation)

    def transform_segmentation_masks(self, masks: Any, transformation: list[Any] | None) -> Any:
        """Moves masks ``(N, H, W)`` or ``(N, H, W, K)`` through the steps, in order.

        Example:
        >>> import numpy as np
        >>> augment = DocumentAugmentation(strength=1.0, seed=0)
        >>> masks = np.zeros((2, 16, 16), "uint8")
        >>> masks[:, 4:12, 4:12] = 1
        >>> transformation = augment.get_random_transformation(np.zeros((2, 16, 16, 3)))
        >>> moved = augment.transform_segmentation_masks(masks, transformation)
        >>> moved.dtype.name, sorted(np.unique(moved).tolist())
        ('uint8', [0, 1])
        """
        return self._through_steps(
            "transform_segmentation_masks", ops.convert_to_tensor(masks), transformation
        )

    def transform_points(self, points: Any, transformation: list[Any] | None) -> Any:
        """Moves float32 points ``(N, ..., 2)``, ``(x, y)`` pixels, through the steps.

        Example:
        >>> import numpy as np
        >>> augment = DocumentAugmentation(strength=1.0, seed=0)
        >>> transformation = augment.get_random_transformation(np.zeros((1, 16, 16, 3)))
        >>> tuple(augment.transform_points(np.zeros((1, 4, 2)), transformation).shape)
        (1, 4, 2)
        """
        return self._through_steps("transform_points", ops.cast(points, "float32"), transformation)

    def _through_steps(self, method: str, values: Any, transformation: list[Any] | None) -> Any:
        """Passes ``values`` through each step's ``method`` with that step's transformation."""
        parts = transformation or [None] * len(self.steps)
        for step, part in zip(self.steps, parts, strict=True):
            values = getattr(step, method)(values, part)
        return values

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "strength": self.strength, "seed": self.seed}
