"""TFLite export: float32, float16, dynamic-range and full-integer int8 models."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from finvision._export_formats import FORMATS, check_suffix
from finvision._files import staged_output
from finvision._stderr import native_stderr_silenced
from finvision._validation import check_choice, check_positive_int
from finvision.export._representative import calibration, representative_images
from finvision.export._serving import (
    check_built_model,
    image_spec,
    is_recurrent,
    serving_outputs,
    write_serving_archive,
)

#: The ``quantization=`` values :func:`to_tflite` takes.
QUANTIZATIONS = FORMATS["tflite"].quantizations


def to_tflite(
    model: keras.Model,
    path: str | os.PathLike,
    *,
    quantization: str | None = None,
    representative_data: Any = None,
    line_width: int | None = None,
    overwrite: bool = False,
) -> Path:
    """Exports ``model`` as a TFLite flatbuffer for phones and branch devices.

    The model has one signature, ``serving_default``: input ``images``
    (uint8 raw pixels ``(N, H, W, C)``; the model's own preprocessing is in
    the graph) and output ``probabilities`` (see
    :func:`~finvision.export.to_saved_model`). ``quantization``:

    - ``None``: float32 weights and compute.
    - ``"float16"``: float16 weights (half the size), float32 compute.
    - ``"dynamic"``: int8 weights, activations quantized on the fly.
    - ``"int8"``: full integer. Calibrated on ``representative_data``
      (at most :data:`MAX_REPRESENTATIVE_SAMPLES` images are used). Input
      ``images`` stays uint8 raw pixels (no scale); output ``probabilities``
      is uint8 with scale 1/256 and zero point 0: ``p = q * scale``.

    The batch size is free (resize the interpreter's input), except for
    models with recurrent layers (the
    :class:`~finvision.models.TextLineRecognizer`): they are exported with
    batch size 1 and a fixed ``line_width``, so their LSTMs lower to builtin
    ``WHILE`` loops. A free batch or width would need the Select TF ops
    ``FlexTensorListReserve``, ``FlexTensorListSetItem`` and
    ``FlexTensorListStack``. Their full-integer quantization crashes the
    TFLite calibrator (TensorFlow 2.21), so it is refused: use ``"dynamic"``.

    Args:
        model: a built ``keras.Model`` from one image batch to one output.
        path: the ``.tflite`` file to create.
        quantization: one of ``None``, ``"float16"``, ``"dynamic"``, ``"int8"``.
        representative_data: calibration images for ``"int8"``: an array
            ``(N, H, W, C)``, a ``tf.data.Dataset`` of images or of
            ``(images, labels)`` (batched or not), or a callable returning an
            iterable of those; raw pixels in [0, 255].
        line_width: the fixed input width for a model that takes any width.
        overwrite: replace an existing file at ``path``.

    Returns:
        The ``.tflite`` path.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: for an unbuilt model, an unknown ``quantization``,
            ``"int8"`` without ``representative_data`` or for a recurrent
            model, a missing or conflicting ``line_width``, or a path not
            ending in ``.tflite``.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.

    Example:
    >>> import tempfile, numpy as np
    >>> from finvision.models import ImageClassifier, create_backbone
    >>> classifier = ImageClassifier(create_backbone("resnet18", input_shape=(32, 32, 3)), 2)
    >>> to_tflite(classifier, tempfile.mkdtemp() + "/doc.tflite", quantization="int8")
    Traceback (most recent call last):
    ...
    ValueError: `representative_data` is required for quantization='int8': pass 100 to 200 typical images (an array (N, H, W, C), a tf.data.Dataset of images or (images, labels), or a callable returning them); received None.
    """  # noqa: E501
    height, width, channels = check_built_model(model)
    check_choice("quantization", quantization, QUANTIZATIONS)
    check_suffix(path, "tflite")
    if quantization == "int8" and representative_data is None:
        raise ValueError(
            "`representative_data` is required for quantization='int8': pass 100 to 200 "
            "typical images (an array (N, H, W, C), a tf.data.Dataset of images or "
            "(images, labels), or a callable returning them); received None."
        )
    recurrent = is_recurrent(model)
    if recurrent and quantization == "int8":
        raise ValueError(
            f"`quantization`='int8' is not supported for {type(model).__name__}: full-integer "
            "calibration of its LSTM loops crashes the TFLite converter; use 'dynamic' "
            "(int8 weights) or 'float16'."
        )
    shape = (height, _input_width(width, line_width), channels)
    if height is None:
        raise ValueError(f"`model` must have a fixed input height; it takes {model.input_shape}.")
    spec = image_spec(1 if recurrent else None, shape)
    images = representative_images(representative_data, shape) if quantization == "int8" else None

    def endpoint(pixels: Any) -> dict[str, Any]:
        return serving_outputs(model, pixels)

    with (
        tempfile.TemporaryDirectory() as directory,
        staged_output(path, overwrite=overwrite) as staged,
    ):
        write_serving_archive(model, directory, endpoint, spec)
        converter = tf.lite.TFLiteConverter.from_saved_model(directory)
        _configure(converter, quantization, images)
        with native_stderr_silenced():  # the converter's C++ progress lines ("fully_quantize")
            flatbuffer = converter.convert()
        staged.write_bytes(flatbuffer)
    return Path(path)


def _input_width(width: int | None, line_width: int | None) -> int | None:
    if line_width is None:
        if width is None:
            raise ValueError(
                "`line_width` is required: the model takes images of any width, and TFLite "
                "needs a fixed one (e.g. line_width=512 for MRZ lines); received None."
            )
        return width
    line_width = check_positive_int("line_width", line_width)
    if width is not None and line_width != width:
        raise ValueError(
            f"`line_width` must be None or the model's input width {width}; received {line_width}."
        )
    return line_width


def _configure(
    converter: tf.lite.TFLiteConverter, quantization: str | None, images: list | None
) -> None:
    if quantization is None:
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantization == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "int8":
        converter.representative_dataset = calibration(images or [])
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.uint8
        converter.inference_output_type = tf.uint8
