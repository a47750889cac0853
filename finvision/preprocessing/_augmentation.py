"""Augmentations: a random transformation drawn once, applied to images, masks and points.

Augmentations (:class:`AugmentationLayer`) take images, or Keras' dict form
``{"images": x, "segmentation_masks": m, "points": p}`` and move the masks and
points with the images: a random transformation is drawn once
(``get_random_transformation``) and applied to each entry
(``transform_images``, ``transform_segmentation_masks``, ``transform_points``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import keras
from keras import ops

from finvision._validation import check_fraction
from finvision.preprocessing._layers import ImageLayer

# === The dict form ===

#: The keys of the dict form of an augmentation's input and output.
IMAGES = "images"
SEGMENTATION_MASKS = "segmentation_masks"
POINTS = "points"
LABELS = "labels"
DATA_KEYS = (IMAGES, SEGMENTATION_MASKS, POINTS, LABELS)
#: The key of a transformation's per-image choice (``probability`` < 1).
APPLIED = "applied"


def as_seed_generator(seed: Any) -> keras.random.SeedGenerator | None:
    """A seed argument as a seed generator: ``None`` stays ``None``, an int gets its own.

    Args:
        seed: ``None``, an int, or a ``keras.random.SeedGenerator`` (returned as is).

    Returns:
        ``None`` or a seed generator. A new generator holds a variable, so pass an
        int in eager code; inside a ``tf.function`` pass a generator made outside.

    Raises:
        TypeError: for anything else.

    Example:
    >>> type(as_seed_generator(3)).__name__
    'SeedGenerator'
    """
    if seed is None or isinstance(seed, keras.random.SeedGenerator):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return keras.random.SeedGenerator(seed)
    raise TypeError(
        f"`seed` must be None, an int or a keras.random.SeedGenerator; received {seed!r}."
    )


def select_applied(transformation: dict[str, Any], new: Any, old: Any) -> Any:
    """``new`` where the transformation applies, ``old`` elsewhere, per batch element.

    Args:
        transformation: a transformation; its ``"applied"`` entry (``(N,)`` bool),
            when present, says which elements change. Without it every one does.
        new: the transformed batch, ``(N, ...)``.
        old: the batch before, same shape.

    Returns:
        The batch with the unchosen elements left as they were.

    Example:
    >>> import numpy as np
    >>> chosen = {"applied": np.array([True, False])}
    >>> select_applied(chosen, np.ones((2, 3)), np.zeros((2, 3))).numpy().tolist()
    [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    """
    applied = transformation.get(APPLIED)
    if applied is None:
        return new
    applied = ops.reshape(ops.convert_to_tensor(applied), (-1,) + (1,) * (len(new.shape) - 1))
    return ops.where(applied, new, old)


def _shape_text(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if size is None else str(size) for size in shape) + ")"


class AugmentationLayer(ImageLayer):
    """An augmentation of images, and of the masks and points that go with them.

    Active with ``training=True``, the identity otherwise. ``call`` takes either
    images (one ``(H, W, C)`` or a batch ``(N, H, W, C)``), or a dict in Keras'
    convention with the same transformation applied to every entry:

    - ``"images"`` (required): as above. Output: float pixels in the layer's dtype.
    - ``"segmentation_masks"``: ``(N, H, W)`` or ``(N, H, W, K)`` (``(H, W)`` or
      ``(H, W, K)`` with one image), the images' height and width. Geometric
      layers move them by nearest-neighbour sampling, so labels stay exact (0/1 or
      class ids); uncovered pixels get 0. Output: the input's dtype (floats in the
      layer's dtype, as Keras casts float inputs).
    - ``"points"``: ``(N, ..., 2)`` (``(..., 2)`` with one image) pixel
      coordinates ``(x, y)`` (pixel centres at integers, ``x`` along the width),
      e.g. ``(N, K, 2)`` points or ``(N, Q, 4, 2)`` quadrilaterals. Geometric layers
      map them exactly as they move the pixels; a point may leave the image.
      Output: float32.
    - ``"labels"``: passed through unchanged.

    The output is a dict with the same keys. Photometric layers (light, noise,
    blur, JPEG) leave masks and points untouched.

    Subclasses implement :meth:`get_random_transformation` and
    :meth:`transform_images`; those that move pixels also
    :meth:`transform_segmentation_masks` and :meth:`transform_points` (which
    otherwise return their input).
    """

    # === The transformation ===

    def get_random_transformation(
        self, images: Any, training: bool = True, seed: Any = None
    ) -> Any:
        """Draws a transformation for a float batch ``(N, H, W, C)``; applies nothing.

        Returns ``None`` when nothing is to change (``training=False``).
        """
        raise NotImplementedError

    def transform_images(self, images: Any, transformation: Any) -> Any:
        """Applies ``transformation`` to a float batch ``(N, H, W, C)`` in [0, 255]."""
        raise NotImplementedError

    def transform_segmentation_masks(self, masks: Any, transformation: Any) -> Any:
        """Applies ``transformation`` to masks ``(N, H, W)`` or ``(N, H, W, K)``.

        This default leaves them unchanged (layers that do not move pixels).
        """
        return masks

    def transform_points(self, points: Any, transformation: Any) -> Any:
        """Applies ``transformation`` to float32 points ``(N, ..., 2)``, ``(x, y)`` pixels.

        This default leaves them unchanged (layers that do not move pixels).
        """
        return points

    def transform_batch(self, images: Any, training: bool) -> Any:
        return self.transform_images(images, self.get_random_transformation(images, training))

    # === The dict form ===

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if not isinstance(inputs, dict):
            return super().call(inputs, training)
        single = self._check_data(inputs)
        outputs = dict(inputs)
        images = ops.cast(inputs[IMAGES], self.compute_dtype)
        masks = inputs.get(SEGMENTATION_MASKS)
        points = inputs.get(POINTS)
        if points is not None:
            points = ops.cast(points, "float32")
        if not training:
            outputs[IMAGES] = images
            if points is not None:
                outputs[POINTS] = points
            return outputs
        if single:
            images = images[None]
            masks = None if masks is None else masks[None]
            points = None if points is None else points[None]
        transformation = self.get_random_transformation(images, training=True)
        outputs[IMAGES] = self.transform_images(images, transformation)
        if masks is not None:
            outputs[SEGMENTATION_MASKS] = self.transform_segmentation_masks(masks, transformation)
        if points is not None:
            outputs[POINTS] = self.transform_points(points, transformation)
        if single:
            for key in (IMAGES, SEGMENTATION_MASKS, POINTS):
                if key in outputs:
                    outputs[key] = outputs[key][0]
        return outputs

    def _check_data(self, data: dict[str, Any]) -> bool:
        """Checks the dict form; returns whether it holds one image (no batch axis)."""
        name = type(self).__name__
        unknown = sorted(str(key) for key in data if key not in DATA_KEYS)
        if IMAGES not in data or unknown:
            hint = ""
            if "bounding_boxes" in data:
                hint = (
                    " Boxes are not taken: pass their corners as 'points' (N, K, 2), "
                    "pixel coordinates (x, y)."
                )
            raise ValueError(
                f"{name} takes images, or a dict with the key 'images' and optionally "
                f"'segmentation_masks', 'points' and 'labels'; received a dict with keys "
                f"{sorted(str(key) for key in data)}.{hint}"
            )
        images = data[IMAGES]
        image_shape = tuple(images.shape)
        self._check_input(image_shape, keras.backend.standardize_dtype(images.dtype))
        single = len(image_shape) == 3
        spatial = image_shape[:2] if single else image_shape[:3]
        masks = data.get(SEGMENTATION_MASKS)
        if masks is not None:
            shape = tuple(masks.shape)
            layout = "(H, W) or (H, W, K)" if single else "(N, H, W) or (N, H, W, K)"
            if len(shape) not in (len(spatial), len(spatial) + 1) or not all(
                a is None or b is None or a == b for a, b in zip(shape, spatial, strict=False)
            ):
                raise ValueError(
                    f"{name}: `segmentation_masks` must be {layout} with the images' "
                    f"{'height and width' if single else 'batch size, height and width'} "
                    f"{_shape_text(spatial)} (images {_shape_text(image_shape)}); "
                    f"received shape {_shape_text(shape)}."
                )
            dtype = keras.backend.standardize_dtype(masks.dtype)
            if dtype == "string" or dtype.startswith("complex"):
                raise ValueError(
                    f"{name}: `segmentation_masks` must hold numbers (0/1 or class ids); "
                    f"received dtype {dtype}."
                )
        points = data.get(POINTS)
        if points is not None:
            shape = tuple(points.shape)
            batch = () if single else image_shape[:1]
            if (
                len(shape) < len(batch) + 1
                or shape[-1] != 2
                or (batch and None not in (batch[0], shape[0]) and batch[0] != shape[0])
            ):
                layout = "(..., 2)" if single else f"(N, ..., 2) with N = {image_shape[0]}"
                raise ValueError(
                    f"{name}: `points` must be pixel coordinates (x, y) of shape {layout} "
                    f"(images {_shape_text(image_shape)}); received shape {_shape_text(shape)}."
                )
        return single

    def compute_output_shape(self, input_shape: Any) -> Any:
        if isinstance(input_shape, dict):
            outputs = {key: tuple(shape) for key, shape in input_shape.items()}
            outputs[IMAGES] = super().compute_output_shape(input_shape[IMAGES])
            return outputs
        return super().compute_output_shape(input_shape)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(inputs, dict):
            return super().compute_output_spec(inputs, *args, **kwargs)
        self._check_data(inputs)
        shapes = self.compute_output_shape({key: value.shape for key, value in inputs.items()})
        dtypes = {key: value.dtype for key, value in inputs.items()}
        dtypes.update({IMAGES: self.compute_dtype, POINTS: "float32"})
        return {key: keras.KerasTensor(shapes[key], dtype=dtypes[key]) for key in inputs}


class RandomImageLayer(AugmentationLayer):
    """A random augmentation applied to each image with probability ``probability``.

    Each image of a batch is augmented independently, with its own random
    parameters, with probability ``probability``; its masks and points follow
    the same choice. ``seed`` makes the sequence of outputs reproducible: the same
    layer configuration called on the same inputs gives the same outputs, run
    after run.

    Subclasses implement :meth:`draw_parameters` (the random parameters of every
    image) and :meth:`augment_images` (applies them to every image). Layers that
    move pixels set ``geometric = True`` and implement
    :meth:`augment_segmentation_masks` and :meth:`augment_points` too. The base
    class adds the ``training`` switch, the ``probability`` choice and the dtypes.
    """

    #: Whether the layer moves pixels, so that masks and points move with them.
    geometric: bool = False

    def __init__(self, probability: float = 1.0, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.probability = check_fraction("probability", probability)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._written_for_augment():
            warnings.warn(
                f"{cls.__name__} implements RandomImageLayer.augment(images), which is "
                "deprecated: implement draw_parameters(images, seed) and "
                "augment_images(images, transformation) instead (and, for a layer that "
                "moves pixels, geometric = True with augment_segmentation_masks and "
                "augment_points). augment() keeps working for images until finvision 0.3.",
                DeprecationWarning,
                stacklevel=2,
            )

    @classmethod
    def _written_for_augment(cls) -> bool:
        """Whether a subclass overrides only the deprecated ``augment``."""
        return (
            cls.augment is not RandomImageLayer.augment
            and cls.augment_images is RandomImageLayer.augment_images
        )

    # === Drawing ===

    def get_random_transformation(
        self, images: Any, training: bool = True, seed: Any = None
    ) -> dict[str, Any] | None:
        """Draws the random parameters of every image of a batch; applies nothing.

        Args:
            images: a float batch ``(N, H, W, C)`` (only its shape is read).
            training: ``False`` returns ``None``, the identity.
            seed: ``None`` (the layer's own generator, so calls continue its
                sequence), an int or a ``keras.random.SeedGenerator``.

        Returns:
            ``None`` when nothing changes (``training=False`` or
            ``probability=0``); otherwise a dict of per-image tensors (first axis
            ``N``), the layer's parameters (see the layer's description) and,
            when ``probability < 1``, ``"applied"``: ``(N,)`` bool, which images
            change.

        Example:
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomBrightnessContrast
        >>> layer = RandomBrightnessContrast(0.2, 0.2, probability=0.5, seed=0)
        >>> images = np.full((3, 8, 8, 3), 128.0, "float32")
        >>> sorted(layer.get_random_transformation(images))
        ['applied', 'gain', 'shift']
        >>> layer.get_random_transformation(images, training=False) is None
        True
        """
        if not training or self.probability == 0.0:
            return None
        generator = as_seed_generator(seed) or self.seed_generator
        transformation = dict(self.draw_parameters(images, generator))
        if self.probability < 1.0:
            transformation[APPLIED] = self.uniform(images, 0.0, 1.0, generator) < self.probability
        return transformation

    def draw_parameters(self, images: Any, seed: keras.random.SeedGenerator) -> dict[str, Any]:
        """The random parameters of every image of a batch, drawn from ``seed``.

        Subclasses implement it; this default draws nothing (for subclasses of the
        deprecated ``augment`` API, which draw as they augment).
        """
        return {}

    def uniform(self, images: Any, low: float, high: float, seed: Any = None) -> Any:
        """Draws one value per image of the batch, uniformly in [low, high).

        Args:
            images: the batch ``(N, ...)``; only its size is read.
            low: the lower bound.
            high: the upper bound.
            seed: the generator to draw from; ``None`` is the layer's own.

        Returns:
            ``(N,)`` float32 draws.

        Example:
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomGlare
        >>> tuple(RandomGlare(seed=0).uniform(np.zeros((5, 2, 2, 1)), 0.0, 1.0).shape)
        (5,)
        """
        return keras.random.uniform(
            (ops.shape(images)[0],),
            low,
            high,
            dtype="float32",
            seed=self.seed_generator if seed is None else seed,
        )

    # === Applying ===

    def transform_images(self, images: Any, transformation: dict[str, Any] | None) -> Any:
        """Applies a transformation to a float batch ``(N, H, W, C)`` in [0, 255].

        Args:
            images: the batch the transformation was drawn for (same size).
            transformation: from :meth:`get_random_transformation`; ``None`` is
                the identity.

        Returns:
            The batch in the layer's dtype, the images not chosen unchanged.

        Example:
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomPerspective
        >>> layer = RandomPerspective(0.1, seed=0)
        >>> images = np.zeros((2, 16, 16, 3), "float32")
        >>> transformation = layer.get_random_transformation(images)
        >>> tuple(layer.transform_images(images, transformation).shape)
        (2, 16, 16, 3)
        """
        images = ops.cast(images, self.compute_dtype)
        if transformation is None:
            return images
        return select_applied(transformation, self.augment_images(images, transformation), images)

    def transform_segmentation_masks(
        self, masks: Any, transformation: dict[str, Any] | None
    ) -> Any:
        """Moves masks ``(N, H, W)`` or ``(N, H, W, K)`` as the images' pixels move.

        Nearest-neighbour sampling keeps every value one of the input's (0/1 or
        class ids; exact up to 2**24, as they are sampled in float32); pixels the
        moved image does not cover get 0. Layers that do not move pixels return
        the masks unchanged.

        Args:
            masks: the masks of the batch the transformation was drawn for.
            transformation: from :meth:`get_random_transformation`; ``None`` is
                the identity.

        Returns:
            The masks, same shape and dtype.

        Example:
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomPerspective
        >>> layer = RandomPerspective(0.2, seed=0)
        >>> images = np.zeros((1, 16, 16, 1), "float32")
        >>> masks = np.zeros((1, 16, 16), "uint8")
        >>> masks[:, 4:12, 4:12] = 1
        >>> transformation = layer.get_random_transformation(images)
        >>> moved = keras.ops.convert_to_numpy(
        ...     layer.transform_segmentation_masks(masks, transformation)
        ... )
        >>> moved.dtype.name, np.unique(moved).tolist(), bool((moved != masks).any())
        ('uint8', [0, 1], True)
        """
        if transformation is None:
            return masks
        self._refuse_deprecated_augment(SEGMENTATION_MASKS)
        if not self.geometric:
            return masks
        masks = ops.convert_to_tensor(masks)
        dtype = keras.backend.standardize_dtype(masks.dtype)
        channels_given = len(masks.shape) == 4
        values = ops.cast(masks if channels_given else masks[..., None], "float32")
        moved = self.augment_segmentation_masks(values, transformation)
        moved = select_applied(transformation, moved, values)
        return ops.cast(moved if channels_given else moved[..., 0], dtype)

    def transform_points(self, points: Any, transformation: dict[str, Any] | None) -> Any:
        """Moves points ``(N, ..., 2)``, pixel coordinates ``(x, y)``, with the pixels.

        Args:
            points: the points of the batch the transformation was drawn for.
            transformation: from :meth:`get_random_transformation`; ``None`` is
                the identity.

        Returns:
            float32 points, same shape. Layers that do not move pixels return them
            unchanged.

        Example:
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomGaussianNoise
        >>> layer = RandomGaussianNoise(seed=0)
        >>> points = np.array([[[3.0, 4.0]]])
        >>> transformation = layer.get_random_transformation(np.zeros((1, 8, 8, 1)))
        >>> layer.transform_points(points, transformation).numpy().tolist()
        [[[3.0, 4.0]]]
        """
        points = ops.cast(points, "float32")
        if transformation is None:
            return points
        self._refuse_deprecated_augment(POINTS)
        if not self.geometric:
            return points
        moved = self.augment_points(points, transformation)
        return select_applied(transformation, moved, points)

    def augment_images(self, images: Any, transformation: dict[str, Any]) -> Any:
        """Applies the drawn parameters to every image of a float batch; subclasses implement it."""
        if self._written_for_augment():
            return self.augment(images)  # the subclass draws as it augments
        raise NotImplementedError(f"{type(self).__name__} does not implement augment_images.")

    def augment_segmentation_masks(self, masks: Any, transformation: dict[str, Any]) -> Any:
        """Moves every float32 mask ``(N, H, W, K)``; geometric subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement augment_segmentation_masks."
        )

    def augment_points(self, points: Any, transformation: dict[str, Any]) -> Any:
        """Moves every float32 point ``(N, ..., 2)``; geometric subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} does not implement augment_points.")

    def augment(self, images: Any) -> Any:
        """Deprecated: augments every image of a float batch, ignoring ``probability``.

        Use ``transform_images(images, get_random_transformation(images))``
        (which also keeps ``probability``); removed in finvision 0.3.

        Example:
        >>> import warnings
        >>> import numpy as np
        >>> from finvision.preprocessing import RandomGlare
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     tuple(RandomGlare(seed=0).augment(np.zeros((2, 8, 8, 3), "float32")).shape)
        (2, 8, 8, 3)
        """
        warnings.warn(
            f"{type(self).__name__}.augment(images) is deprecated and will be removed in "
            "finvision 0.3; use transform_images(images, get_random_transformation(images)).",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.augment_images(images, self.draw_parameters(images, self.seed_generator))

    def _refuse_deprecated_augment(self, key: str) -> None:
        if self._written_for_augment():
            raise NotImplementedError(
                f"{type(self).__name__} implements only the deprecated augment(images), "
                f"which cannot say how `{key}` move; implement draw_parameters, "
                "augment_images, augment_segmentation_masks and augment_points."
            )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(probability=self.probability, seed=self.seed)
        return config
