"""What an export cost: its outputs against the Keras model's, and its size."""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from finvision._export_formats import format_of
from finvision.export._representative import collect_images
from finvision.export._serving import (
    IMAGES,
    PROBABILITIES,
    as_pixels,
    output_shapes,
    serving_outputs,
)
from finvision.export.onnx import import_export_extra
from finvision.export.saved_model import IMAGE_BYTES


@dataclasses.dataclass(frozen=True)
class ExportReport:
    """Differences between an exported model's first output and the Keras model's.

    Attributes:
        format: ``"saved_model"``, ``"tflite"`` or ``"onnx"``.
        max_abs_difference: the largest absolute difference of a probability.
        mean_abs_difference: the mean absolute difference.
        top1_agreement: the share of images (of time steps, for a text-line
            reader) whose top class is the same.
        file_size_bytes: the size of the export (all files of a SavedModel).
        original_size_bytes: the bytes of the Keras model's weights (float32
            parameters and BatchNormalization statistics; no optimizer state).
        samples: the number of images compared.
        output: the output compared: the first of the model's serving
            outputs (``probabilities``, or a task's own, e.g. ``score``).

    Example:
    >>> print(ExportReport("tflite", 0.004, 0.001, 0.99, 250_000, 1_000_000, 100))
    tflite export, 100 images: max |diff| 0.004, mean |diff| 0.001, top-1 agreement 99.00%, size 0.25 MB (25.0% of 1.00 MB)
    """  # noqa: E501

    format: str
    max_abs_difference: float
    mean_abs_difference: float
    top1_agreement: float
    file_size_bytes: int
    original_size_bytes: int
    samples: int
    output: str = PROBABILITIES

    def __str__(self) -> str:
        share = self.file_size_bytes / self.original_size_bytes
        return (
            f"{self.format} export, {self.samples} images: max |diff| "
            f"{self.max_abs_difference:.3g}, mean |diff| {self.mean_abs_difference:.3g}, "
            f"top-1 agreement {self.top1_agreement:.2%}, size "
            f"{self.file_size_bytes / 1e6:.2f} MB ({share:.1%} of "
            f"{self.original_size_bytes / 1e6:.2f} MB)"
        )


def compare(original: keras.Model, exported_path: str | os.PathLike, data: Any) -> ExportReport:
    """Runs an export in its own runtime on ``data`` and compares it with ``original``.

    A SavedModel directory runs with ``tf.saved_model.load`` (a bytes
    signature gets each image PNG-encoded, which is lossless), a ``.tflite``
    file with ``tf.lite.Interpreter`` (quantized inputs and outputs converted
    with their scale and zero point), an ``.onnx`` file with onnxruntime.
    Both sides see the same uint8 pixels.

    Args:
        original: the Keras model that was exported.
        exported_path: the SavedModel directory, ``.tflite`` or ``.onnx`` file.
        data: images ``(N, H, W, C)`` with pixels in [0, 255] (floats are
            rounded to uint8), or a ``tf.data.Dataset`` of images or of
            ``(images, labels)`` batches, as ``finvision.data`` loaders give.

    Returns:
        An :class:`ExportReport`.

    Raises:
        ValueError: if ``exported_path`` is none of the three formats, or
            ``data`` is not raw pixels.

    Example:
    >>> import numpy as np
    >>> import tempfile
    >>> from finvision.export import to_tflite
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> path = to_tflite(model, tempfile.mkdtemp() + "/doc.tflite")
    >>> report = compare(model, path, np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3)))
    >>> report.format, report.max_abs_difference < 1e-4, report.top1_agreement
    ('tflite', True, 1.0)
    """
    path = Path(exported_path)
    if isinstance(data, np.ndarray | list):
        pixels = as_pixels(data)
        if pixels.ndim != 4:
            raise ValueError(f"`data` must be images (N, H, W, C); received shape {pixels.shape}.")
    else:
        pixels = collect_images(data, "data")
    if not len(pixels):
        raise ValueError("`data` holds no images; pass at least one image.")
    found = format_of(path)
    if found is None:
        raise ValueError(
            "`exported_path` must be a SavedModel directory, a .tflite or an .onnx file; "
            f"received {str(path)!r}."
        )
    name = next(iter(output_shapes(original)))
    exported = _RUNTIMES[found.name](path, pixels, name)
    files = path.rglob("*") if path.is_dir() else [path]
    size = sum(item.stat().st_size for item in files if item.is_file())
    expected = keras.ops.convert_to_numpy(serving_outputs(original, pixels)[name])
    difference = np.abs(exported.astype("float64") - expected)
    return ExportReport(
        format=found.name,
        max_abs_difference=float(difference.max()),
        mean_abs_difference=float(difference.mean()),
        top1_agreement=float(np.mean(_top1(exported) == _top1(expected))),
        file_size_bytes=size,
        original_size_bytes=weights_size(original),
        samples=len(pixels),
        output=name,
    )


def _top1(scores: np.ndarray) -> np.ndarray:
    return scores[..., 0] >= 0.5 if scores.shape[-1] == 1 else scores.argmax(axis=-1)


def weights_size(model: keras.Model) -> int:
    """The bytes of ``model``'s weights, as stored (optimizer state not included).

    Example:
    >>> weights_size(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))  # 8 floats
    32
    """
    return sum(
        int(np.prod(weight.shape)) * np.dtype(weight.dtype).itemsize for weight in model.weights
    )


def _run_saved_model(path: Path, pixels: np.ndarray, output: str) -> np.ndarray:
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    names = set(serve.structured_input_signature[1])
    if IMAGE_BYTES in names:
        inputs = {IMAGE_BYTES: tf.stack([tf.io.encode_png(image) for image in pixels])}
    else:
        inputs = {IMAGES: tf.constant(pixels)}
    return serve(**inputs)[output].numpy()


def _run_tflite(path: Path, pixels: np.ndarray, output: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's notice about LiteRT
        interpreter = tf.lite.Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serving_default")
    source = runner.get_input_details()[IMAGES]
    target = runner.get_output_details()[output]
    batch = len(pixels) if source["shape_signature"][0] == -1 else 1
    outputs = []
    for start in range(0, len(pixels), batch):
        chunk = pixels[start : start + batch]
        result = runner(**{IMAGES: _quantize(chunk, source)})[output]
        outputs.append(_dequantize(result, target))
    return np.concatenate(outputs)


def _quantize(pixels: np.ndarray, details: dict) -> np.ndarray:
    scale, zero_point = details["quantization"]
    if not scale:
        return pixels.astype(details["dtype"])
    limits = np.iinfo(details["dtype"])
    values = np.round(pixels / scale + zero_point)
    return np.clip(values, limits.min, limits.max).astype(details["dtype"])


def _dequantize(values: np.ndarray, details: dict) -> np.ndarray:
    scale, zero_point = details["quantization"]
    values = values.astype("float32")
    return (values - zero_point) * scale if scale else values


def _run_onnx(path: Path, pixels: np.ndarray, output: str) -> np.ndarray:
    session = import_export_extra("onnxruntime").InferenceSession(str(path))
    return session.run([output], {IMAGES: pixels})[0]


#: How each format runs, by format name.
_RUNTIMES = {"saved_model": _run_saved_model, "tflite": _run_tflite, "onnx": _run_onnx}
