"""SavedModel export with a serving signature for TF Serving and ``tf.saved_model.load``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from finvision._export_formats import FORMATS
from finvision._files import staged_output
from finvision._validation import check_choice
from finvision.data.encoded import MAX_PIXELS, decode_encoded
from finvision.export._serving import (
    PROBABILITIES,
    check_built_model,
    image_spec,
    output_shapes,
    serving_outputs,
    write_serving_archive,
)
from finvision.models.operating_threshold import find_operating_threshold
from finvision.models.task import Task
from finvision.models.text_recognition import WIDTH_STRIDE

#: The ``input=`` values :func:`to_saved_model` takes.
INPUTS = FORMATS["saved_model"].inputs
#: The white that pads line images to the widest of a request.
PAPER = 255.0
#: The input name of the ``input="bytes"`` signature (the TF Serving ``_bytes`` convention).
IMAGE_BYTES = "image_bytes"


def to_saved_model(
    model: keras.Model,
    path: str | os.PathLike,
    *,
    input: str = "image",
    labels: Sequence[str] | None = None,
    max_pixels: int | None = MAX_PIXELS,
    overwrite: bool = False,
) -> Path:
    """Exports ``model`` as a SavedModel with a ``serving_default`` signature.

    The model's preprocessing is inside its graph (finvision backbones take
    raw pixels), so the signature takes raw images. Signature
    ``serving_default``:

    - input ``images``: uint8 ``(None, H, W, C)``, raw pixels (``input="image"``);
    - input ``image_bytes``: string ``(None,)``, encoded JPEG, PNG, BMP or GIF
      (``input="bytes"``);
    - output ``probabilities``: float32 ``(None, K)``;
    - output ``labels``: the top class, int64 ``(None,)``, or its name (string)
      with ``labels=``;
    - output ``decision``: bool ``(None, K)``, ``probabilities >= threshold``,
      only for a model with an ``OperatingThreshold``.

    A :class:`~finvision.models.Task` serves what its
    :meth:`~finvision.models.Task.serving_outputs` returns (``labels`` and
    ``decision`` come with an output ``probabilities`` of shape (None, K)):
    a :class:`~finvision.models.SiameseVerifier` ``embeddings``, a
    :class:`~finvision.models.TamperSegmenter` ``score`` (None, 1) and
    ``mask`` (None, H, W, 1).

    ``image_bytes`` are decoded to the pixels the loaders give for the same file
    (:func:`~finvision.data.encoded.decode_encoded`: EXIF orientation, colour
    conversion, bilinear stretch to (H, W) without antialiasing), so a served
    image scores as :func:`~finvision.data.load_image` + ``model.predict`` does.
    Another format (TIFF, WebP, ...) or an image of more than ``max_pixels``
    is refused with an ``InvalidArgumentError`` (HTTP 400 from a server). A
    one-unit (sigmoid) model has ``labels = score >= threshold`` (0.5
    without an operating threshold), ``decision`` of shape (None,), and
    ``labels=`` names (negative, positive). A
    :class:`~finvision.models.TextLineRecognizer` outputs ``probabilities``
    (None, T, K), the softmax of its CTC logits, and ``texts`` (string,
    (None,)), the greedy-decoded lines. A model of fixed height and free
    width (the recognizer) takes ``image_bytes`` of any size: each line is
    resized to the model's height keeping its aspect ratio and padded with
    white to the widest line of the request (:func:`decode_lines`), as
    ``TextLineRecognizer.predict_text`` does with arrays.

    Args:
        model: a built ``keras.Model`` from one image batch to one output.
        path: the SavedModel directory to create.
        input: ``"image"`` (uint8 pixels) or ``"bytes"`` (encoded images).
        labels: class names for the ``labels`` output (K names, or 2 for a
            one-unit model).
        max_pixels: with ``input="bytes"``, the largest stored width x height
            decoded (a decompression-bomb limit); None lifts it.
        overwrite: replace an existing file or non-empty directory at ``path``.

    Returns:
        The SavedModel directory.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: for an unbuilt model, an unknown ``input``, a wrong number
            of ``labels``, or bytes input to a model without a fixed size.
        FileExistsError: if ``path`` holds something and ``overwrite`` is False.

    Example:
    >>> import tempfile
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> path = to_saved_model(model, tempfile.mkdtemp() + "/doc-type",
    ...                       labels=["cheque", "id_card"])
    >>> serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    >>> outputs = serve(images=tf.zeros((1, 8, 8, 3), tf.uint8))
    >>> {name: tensor.dtype.name for name, tensor in sorted(outputs.items())}
    {'labels': 'string', 'probabilities': 'float32'}
    """
    height, width, channels = check_built_model(model)
    check_choice("input", input, INPUTS)
    if max_pixels is not None and (
        isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1
    ):
        raise ValueError(f"`max_pixels` must be a positive int or None; received {max_pixels!r}.")
    scores_shape = output_shapes(model).get(PROBABILITIES, ())
    classifies = len(scores_shape) == 2
    if labels is not None and not classifies:
        raise ValueError(
            f"`labels` cannot be used with a {type(model).__name__}: it has no output "
            f"'probabilities' of shape (None, K) to name; received {labels!r}."
        )
    if labels is not None:
        _check_labels(labels, scores_shape[-1])
    threshold = find_operating_threshold(model)
    vocabularies = model.serving_vocabularies() if isinstance(model, Task) else {}

    def outputs(images: Any) -> dict[str, Any]:
        named = serving_outputs(model, images)
        for name, vocabulary in vocabularies.items():
            named[name] = spelled(named[name], vocabulary)
        if classifies:
            named.update(_decisions(named[PROBABILITIES], threshold, labels))
        return named

    if input == "image":
        spec, endpoint = image_spec(None, (height, width, channels)), outputs
    else:
        if height is None:
            raise ValueError(
                "`input`='bytes' needs a model with a fixed input height; received a model "
                f"taking {(height, width, channels)}: use input='image'."
            )
        spec = tf.TensorSpec((None,), tf.string, name=IMAGE_BYTES)

        def endpoint(image_bytes: Any) -> dict[str, Any]:
            if width is None:
                return outputs(decode_lines(image_bytes, height, channels, max_pixels))
            return outputs(decode_images(image_bytes, (height, width, channels), max_pixels))

    with staged_output(path, overwrite=overwrite) as staged:
        write_serving_archive(model, str(staged), endpoint, spec)
    return Path(path)


def decode_images(
    image_bytes: Any, shape: tuple[int, int, int], max_pixels: int | None = MAX_PIXELS
) -> Any:
    """Decodes a batch of encoded images to float32 pixels ``(N, H, W, C)`` as the loaders do.

    For a model of fixed height and free width (a text-line reader),
    :func:`decode_lines` is used instead.

    Example:
    >>> png = tf.io.encode_png(tf.fill((2, 3, 1), tf.constant(7, tf.uint8)))
    >>> decode_images(tf.stack([png]), (2, 3, 1)).numpy().ravel().round(3).tolist()
    [7.0, 7.0, 7.0, 7.0, 7.0, 7.0]
    """
    height, width, channels = shape
    return tf.map_fn(
        lambda data: decode_encoded(data, (height, width), channels, max_pixels=max_pixels),
        image_bytes,
        fn_output_signature=tf.TensorSpec(shape, tf.float32),
    )


def decode_lines(
    image_bytes: Any, height: int, channels: int, max_pixels: int | None = MAX_PIXELS
) -> Any:
    """Decodes encoded line images into one batch, as ``prepare_lines`` stacks arrays.

    Each image is decoded at its upright stored size (as ``load_image(path)``),
    resized to ``height`` keeping its aspect ratio (bilinear, antialiased)
    when its height differs, and padded on the right with white to the widest
    line of the request (at least ``WIDTH_STRIDE`` pixels).

    Example:
    >>> lines = [tf.io.encode_png(tf.zeros((8, width, 1), tf.uint8)) for width in (4, 12)]
    >>> batch = decode_lines(tf.stack(lines), 16, 1)
    >>> tuple(batch.shape), float(batch[0, 0, -1, 0])  # 8 -> 24 px wide, padded with white
    ((2, 16, 24, 1), 255.0)
    """

    def columns_first(data: Any) -> Any:
        image = decode_encoded(data, None, channels, max_pixels=max_pixels)
        stored = tf.shape(image)
        width = tf.cast(
            tf.round(tf.cast(stored[1] * height, tf.float64) / tf.cast(stored[0], tf.float64)),
            tf.int32,
        )
        image = tf.cond(
            stored[0] == height,
            lambda: image,
            lambda: tf.image.resize(image, (height, tf.maximum(width, 1)), antialias=True),
        )
        return tf.transpose(image, [1, 0, 2])

    ragged = tf.map_fn(
        columns_first,
        image_bytes,
        fn_output_signature=tf.RaggedTensorSpec((None, height, channels), tf.float32, 0),
    )
    batch = ragged.to_tensor(default_value=PAPER)
    short = tf.maximum(WIDTH_STRIDE - tf.shape(batch)[1], 0)
    batch = tf.pad(batch, [[0, 0], [0, short], [0, 0], [0, 0]], constant_values=PAPER)
    return tf.transpose(batch, [0, 2, 1, 3])


def spelled(ids: Any, vocabulary: Sequence[str]) -> Any:
    """Integer ids ``(N, T)`` as strings ``(N,)``: each row's entries joined, -1 skipped.

    Example:
    >>> spelled(tf.constant([[0, -1, 1, 1], [-1, -1, -1, -1]]), "ab").numpy().tolist()
    [b'abb', b'']
    """
    ids = tf.convert_to_tensor(ids)
    characters = tf.gather(tf.constant(list(vocabulary)), tf.maximum(ids, 0))
    return tf.strings.reduce_join(tf.ragged.boolean_mask(characters, ids >= 0), axis=-1)


def _check_labels(labels: Sequence[str], units: int) -> None:
    classes = 2 if units == 1 else units
    if (
        isinstance(labels, str)
        or len(labels) != classes
        or not all(isinstance(label, str) for label in labels)
    ):
        raise ValueError(
            f"`labels` must be {classes} class names (strings), one per output class"
            f"{' (negative, positive)' if units == 1 else ''}; received {labels!r}."
        )


def _decisions(scores: Any, threshold: Any, labels: Sequence[str] | None) -> dict[str, Any]:
    if scores.shape[-1] == 1:
        decided = tf.greater_equal(scores[:, 0], 0.5 if threshold is None else threshold.value)
        index = tf.cast(decided, tf.int64)
    else:
        decided = None if threshold is None else tf.greater_equal(scores, threshold.value)
        index = tf.argmax(scores, axis=-1, output_type=tf.int64)
    outputs = {"labels": index if labels is None else tf.gather(tf.constant(list(labels)), index)}
    if threshold is not None:
        outputs["decision"] = decided
    return outputs
