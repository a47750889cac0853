"""ONNX export through tf2onnx (the ``finvision[export]`` extra)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from finvision._export_formats import check_suffix
from finvision._files import staged_output
from finvision.export._serving import check_built_model, image_spec, serving_outputs

#: The ONNX opset written by default (supported by onnxruntime >= 1.17).
DEFAULT_OPSET = 17


def to_onnx(
    model: keras.Model,
    path: str | os.PathLike,
    *,
    opset: int = DEFAULT_OPSET,
    overwrite: bool = False,
) -> Path:
    """Exports ``model`` as an ONNX graph, for onnxruntime and other ONNX runtimes.

    Input ``images``: uint8 raw pixels ``(N, H, W, C)`` (channels last; the
    model's preprocessing is in the graph; a free width stays free). Output
    ``probabilities``: float32, as in :func:`~finvision.export.to_saved_model`.
    Needs the ``export`` extra: ``pip install "finvision[export]"``
    (tf2onnx and onnxruntime).

    Args:
        model: a built ``keras.Model`` from one image batch to one output.
        path: the ``.onnx`` file to create.
        opset: the ONNX opset version.
        overwrite: replace an existing file at ``path``.

    Returns:
        The ``.onnx`` path.

    Raises:
        ImportError: if tf2onnx is not installed.
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: for an unbuilt model or a path not ending in ``.onnx``.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.

    Example:
    >>> import tempfile
    >>> import onnxruntime
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> path = to_onnx(model, tempfile.mkdtemp() + "/doc.onnx")
    >>> [(i.name, i.type) for i in onnxruntime.InferenceSession(str(path)).get_inputs()]
    [('images', 'tensor(uint8)')]
    """
    height, width, channels = check_built_model(model)
    check_suffix(path, "onnx")
    tf2onnx = import_export_extra("tf2onnx")
    spec = image_spec(None, (height, width, channels))

    def endpoint(pixels: Any) -> dict[str, Any]:
        return serving_outputs(model, pixels)

    with staged_output(path, overwrite=overwrite) as staged:
        tf2onnx.convert.from_function(
            tf.function(endpoint), input_signature=[spec], opset=opset, output_path=str(staged)
        )
    return Path(path)


def import_export_extra(module: str) -> Any:
    """Imports ``module`` of the ``export`` extra (``"tf2onnx"`` or ``"onnxruntime"``).

    Raises:
        ImportError: naming the extra to install.

    Example:
    >>> import_export_extra("onnxruntime").__name__
    'onnxruntime'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f'ONNX export and comparison need {module}: pip install "finvision[export]"'
        ) from error
