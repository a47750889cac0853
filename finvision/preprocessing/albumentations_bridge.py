"""Run an ``albumentations`` pipeline inside ``tf.data.Dataset.map``.

Albumentations is an optional extra (``pip install "finvision[albumentations]"``);
this module imports it only when :func:`albumentations_map` is called.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from typing import Any

import numpy as np


def _import_albumentations() -> Any:
    try:
        import albumentations
    except ImportError as error:
        raise ImportError(
            "albumentations_map needs the albumentations package: "
            'pip install "finvision[albumentations]".'
        ) from error
    return albumentations


def element_seed(seed: int, key: int) -> int:
    """A well-mixed 32-bit seed for element ``key`` of a pipeline seeded with ``seed``.

    Example:
    >>> element_seed(0, 1) == element_seed(0, 1) != element_seed(0, 2)
    True
    """
    return int(np.random.SeedSequence([seed, key]).generate_state(1)[0])


class _Worker:
    """Applies the transform with one private copy per thread, seeded per element."""

    def __init__(self, transform: Any, seed: int | None) -> None:
        self.transform = transform
        self.seed = seed
        self.local = threading.local()
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def _own_copy(self) -> Any:
        own = getattr(self.local, "transform", None)
        if own is None:
            own = self.local.transform = copy.deepcopy(self.transform)
            own.set_random_seed(None)  # fresh entropy: copies must not share a sequence
        return own

    def __call__(self, image: np.ndarray, mask: np.ndarray | None, index: int) -> list:
        transform = self._own_copy()
        if self.seed is not None:
            if index < 0:
                with self.lock:
                    index = next(self.counter)
            transform.set_random_seed(element_seed(self.seed, int(index)))
        result = transform(image=image) if mask is None else transform(image=image, mask=mask)
        outputs = [result["image"]] if mask is None else [result["image"], result["mask"]]
        return [np.ascontiguousarray(array) for array in outputs]


def _probe(transform: Any, image_shape: tuple, image_dtype: str, mask_spec: Any) -> list:
    """Runs a copy of the transform on zeros to learn its output shapes and dtypes."""
    probe = copy.deepcopy(transform)
    probe.set_random_seed(0)
    image = np.zeros(image_shape, image_dtype)
    if mask_spec is None:
        result = probe(image=image)
        return [result["image"]]
    result = probe(image=image, mask=np.zeros(mask_spec[0], mask_spec[1]))
    return [result["image"], result["mask"]]


def albumentations_map(transform: Any, *, seed: int | None = None) -> Callable[..., Any]:
    """Wraps an albumentations transform as a function for ``tf.data.Dataset.map``.

    The returned function takes ``(image)`` or ``(image, mask)`` (uint8 or
    float32 tensors ``(H, W, C)``; a mask ``(H, W)`` or ``(H, W, K)``) and
    returns the same structure, augmented together so a tamper mask stays
    aligned with its image. When the input's shape is fully known the output
    shapes and dtypes are read off one run of the transform on zeros (so
    resizing or normalising transforms get correct static shapes); otherwise
    the channel count and dtype are kept and height and width are left unknown.

    Reproducibility: with ``seed``, every element gets its own seed derived from
    ``seed`` and the element's position, so a run repeats exactly. Positions
    are counted in the order the function is called, which is the dataset's
    order when mapping sequentially; with ``num_parallel_calls`` pass each
    element's index from ``Dataset.enumerate()`` as ``index=`` to make the result
    independent of thread timing. Each thread works on its own copy of the
    transform.

    Args:
        transform: an ``albumentations`` transform or ``Compose``.
        seed: seed for reproducible augmentation, or ``None``.

    Returns:
        ``fn(image, mask=None, index=None)`` for ``Dataset.map``.

    Raises:
        ImportError: if albumentations is not installed.
        TypeError: if ``transform`` is not an albumentations transform.

    Example:
    >>> import albumentations as A
    >>> import numpy as np
    >>> import tensorflow as tf
    >>> flip = albumentations_map(A.Compose([A.HorizontalFlip(p=1.0)]), seed=0)
    >>> images = tf.data.Dataset.from_tensor_slices(np.arange(8, dtype="uint8").reshape(2, 2, 2, 1))
    >>> [image[0, :, 0].tolist() for image in images.map(flip).as_numpy_iterator()]
    [[1, 0], [5, 4]]
    """
    albumentations = _import_albumentations()
    if not isinstance(transform, albumentations.BasicTransform | albumentations.BaseCompose):
        raise TypeError(
            "`transform` must be an albumentations transform or Compose; "
            f"received {type(transform).__name__}."
        )
    import tensorflow as tf

    worker = _Worker(transform, seed)

    def apply(image: Any, mask: Any = None, index: Any = None) -> Any:
        image = tf.convert_to_tensor(image)
        inputs = [image]
        mask_spec = None
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
            inputs.append(mask)
            mask_spec = (tuple(mask.shape), mask.dtype.name)
        index = tf.constant(-1, tf.int64) if index is None else tf.cast(index, tf.int64)
        shapes_known = image.shape.is_fully_defined() and (
            mask is None or mask.shape.is_fully_defined()
        )
        if shapes_known:
            probes = _probe(transform, tuple(image.shape), image.dtype.name, mask_spec)
            specs = [(array.shape, tf.as_dtype(array.dtype)) for array in probes]
        else:
            specs = [((None, None, *tensor.shape[2:]), tensor.dtype) for tensor in inputs]

        def run(*arrays: np.ndarray) -> list:
            *pixels, position = arrays
            outputs = worker(pixels[0], pixels[1] if len(pixels) > 1 else None, int(position))
            dtypes = [dtype.as_numpy_dtype for _, dtype in specs]
            return [out.astype(dtype) for out, dtype in zip(outputs, dtypes, strict=True)]

        outputs = tf.numpy_function(
            run, [*inputs, index], [dtype for _, dtype in specs], stateful=True
        )
        for output, (shape, _) in zip(outputs, specs, strict=True):
            output.set_shape(shape)
        return outputs[0] if mask is None else tuple(outputs)

    return apply
