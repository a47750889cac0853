"""What every export format runs: raw uint8 pixels in, the model's serving outputs out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from finvision.models.task import Task

#: The input name, and the usual first output name, of the SavedModel, TFLite and ONNX exports.
IMAGES = "images"
PROBABILITIES = "probabilities"


def check_built_model(model: Any) -> tuple[int | None, int | None, int]:
    """Checks that ``model`` is a built Keras model taking one batch of images.

    A :class:`~finvision.models.Task` may have several outputs (its
    :meth:`~finvision.models.Task.serving_outputs` names them); any other
    model must return one tensor.

    Args:
        model: the model to export.

    Returns:
        Its input ``(height, width, channels)``; height or width may be None.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: if it is not built, or does not map one image batch
            ``(N, H, W, C)`` to one output tensor (or, a task, to its outputs).

    Example:
    >>> check_built_model(keras.Sequential([keras.layers.Dense(2)]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `model` must be a built keras.Model: ... received an unbuilt Sequential.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model; received {type(model).__name__}.")
    if not model.built or not getattr(model, "inputs", None):
        raise ValueError(
            "`model` must be a built keras.Model: build it on an input shape (a functional "
            "model, or call it on a batch of images first); received an unbuilt "
            f"{type(model).__name__}."
        )
    inputs, outputs = model.inputs, model.outputs
    if (
        len(inputs) != 1
        or len(inputs[0].shape) != 4
        or (len(outputs) != 1 and not isinstance(model, Task))
    ):
        shapes = [tuple(tensor.shape) for tensor in inputs]
        raise ValueError(
            "`model` must take one batch of images (N, H, W, C) and return one tensor; "
            f"received {type(model).__name__} with inputs {shapes} and {len(outputs)} outputs."
        )
    height, width, channels = inputs[0].shape[1:]
    return height, width, channels


def is_recurrent(model: keras.Model) -> bool:
    """Whether ``model`` contains a recurrent layer (LSTM, GRU, ...), nested ones included.

    Example:
    >>> from finvision.models import TextLineRecognizer
    >>> is_recurrent(TextLineRecognizer("01", height=16, lstm_units=4))
    True
    """
    return any(isinstance(layer, keras.layers.RNN) for layer in model._flatten_layers())


def serving_outputs(model: keras.Model, images: Any) -> dict[str, Any]:
    """The outputs every export serves for raw pixels in [0, 255] (uint8 or float).

    A :class:`~finvision.models.Task` names them itself
    (:meth:`~finvision.models.Task.serving_outputs`); any other model's one
    output is served as it is, as ``probabilities``. Symbolic ``images``
    (``keras.Input``) give the outputs' shapes without running the model.

    Example:
    >>> model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()])
    >>> {name: tuple(value.shape) for name, value in serving_outputs(
    ...     model, np.zeros((2, 4, 4, 1), "uint8")).items()}
    {'probabilities': (2, 16)}
    """
    images = keras.ops.cast(images, "float32")
    if isinstance(model, Task):
        return dict(model.serving_outputs(images))
    return {PROBABILITIES: model(images, training=False)}


def output_shapes(model: keras.Model) -> dict[str, tuple[int | None, ...]]:
    """The shapes of the outputs :func:`serving_outputs` gives, batch axis included.

    Example:
    >>> from finvision.models import TextLineRecognizer
    >>> output_shapes(TextLineRecognizer("01", height=16, lstm_units=4))
    {'probabilities': (None, None, 3), 'texts': (None, None)}
    """
    symbolic = keras.Input(model.inputs[0].shape[1:], dtype="float32")
    return {name: tuple(value.shape) for name, value in serving_outputs(model, symbolic).items()}


def as_pixels(images: Any, name: str = "data") -> np.ndarray:
    """Pixels in [0, 255] as uint8, float values rounded to the nearest integer.

    finvision's loaders give float pixels in [0, 255] (resizing makes fractions);
    exporters that need uint8 take them through this function.

    Args:
        images: an array-like of images, uint8 or numbers in [0, 255].
        name: the argument's name, for the error message.

    Returns:
        A uint8 array of the same shape.

    Raises:
        ValueError: if a value is outside [0, 255], not finite, or all values
            are fractions in [0, 1] (pixels scaled to [0, 1]).

    Example:
    >>> as_pixels([[0.0, 127.6, 255.0]])
    array([[  0, 128, 255]], dtype=uint8)
    >>> as_pixels([[0.0, 256.0]])
    Traceback (most recent call last):
    ...
    ValueError: `data` must hold pixels in [0, 255]; received values in [0.0, 256.0].
    """
    array = np.asarray(images)
    if array.dtype == np.uint8:
        return array
    values = array.astype("float64")
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError(f"`{name}` must hold pixels in [0, 255]; received NaN or infinity.")
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError(
            f"`{name}` must hold pixels in [0, 255]; received values in "
            f"[{values.min()}, {values.max()}]."
        )
    if values.size and values.max() <= 1 and np.any(values % 1):
        raise ValueError(
            f"`{name}` must hold pixels in [0, 255]; received values in "
            f"[{values.min()}, {values.max()}], which look scaled to [0, 1] (multiply by 255)."
        )
    return np.rint(values).astype("uint8")


def image_spec(batch: int | None, shape: tuple[int | None, int | None, int]) -> tf.TensorSpec:
    """The uint8 ``images`` input of every export.

    Example:
    >>> image_spec(None, (32, 32, 3))
    TensorSpec(shape=(None, 32, 32, 3), dtype=tf.uint8, name='images')
    """
    return tf.TensorSpec((batch, *shape), tf.uint8, name=IMAGES)


def write_serving_archive(
    model: keras.Model,
    directory: str,
    endpoint: Callable[[Any], dict[str, Any]],
    spec: tf.TensorSpec,
) -> None:
    """Writes a SavedModel whose ``serving_default`` signature is ``endpoint``.

    The model's variables are tracked, so the signature reads the trained
    weights (and the operating threshold) from the SavedModel's variables.

    Example:
    >>> import tempfile
    >>> model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()])
    >>> directory = tempfile.mkdtemp() + "/flat"
    >>> write_serving_archive(model, directory, lambda x: {"flat": model(x)},
    ...     tf.TensorSpec((None, 4, 4, 1), tf.float32))
    >>> list(tf.saved_model.load(directory).signatures)
    ['serving_default']
    """
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", endpoint, input_signature=[spec])
    archive.write_out(directory, verbose=False)
