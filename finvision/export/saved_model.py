"""SavedModel export with a serving signature for TF Serving and ``tf.saved_model.load``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from finvision._files import staged_output
from finvision.data.encoded import MAX_PIXELS, decode_encoded
from finvision.export._serving import (
    PROBABILITIES,
    check_built_model,
    image_spec,
    probabilities,
    write_serving_archive,
)
from finvision.models._task_checks import check_choice
from finvision.models.operating_threshold import find_operating_threshold
from finvision.models.text_recognition import TextLineRecognizer

INPUTS = ("image", "bytes")
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
    (None,)), the greedy-decoded lines; it takes ``input="image"`` only.

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
    recognizer = isinstance(model, TextLineRecognizer)
    if recognizer and labels is not None:
        raise ValueError(
            "`labels` cannot be used with a TextLineRecognizer (its alphabet names the "
            f"classes); received {labels!r}."
        )
    threshold = find_operating_threshold(model)
    classes = 2 if model.outputs[0].shape[-1] == 1 else model.outputs[0].shape[-1]
    if labels is not None and (
        isinstance(labels, str)
        or len(labels) != classes
        or not all(isinstance(label, str) for label in labels)
    ):
        raise ValueError(
            f"`labels` must be {classes} class names (strings), one per output class"
            f"{' (negative, positive)' if model.outputs[0].shape[-1] == 1 else ''}; "
            f"received {labels!r}."
        )

    def outputs(images: Any) -> dict[str, Any]:
        scores = probabilities(model, images)
        if recognizer:
            return {PROBABILITIES: scores, "texts": greedy_texts(scores, model.alphabet)}
        return {PROBABILITIES: scores, **_decisions(scores, threshold, labels)}

    if input == "image":
        spec, endpoint = image_spec(None, (height, width, channels)), outputs
    else:
        if height is None or width is None:
            raise ValueError(
                "`input`='bytes' needs a model with a fixed input height and width; "
                f"received a model taking {(height, width, channels)}: use input='image'."
            )
        spec = tf.TensorSpec((None,), tf.string, name=IMAGE_BYTES)

        def endpoint(image_bytes: Any) -> dict[str, Any]:
            return outputs(decode_images(image_bytes, (height, width, channels), max_pixels))

    with staged_output(path, overwrite=overwrite) as staged:
        write_serving_archive(model, str(staged), endpoint, spec)
    return Path(path)


def decode_images(
    image_bytes: Any, shape: tuple[int, int, int], max_pixels: int | None = MAX_PIXELS
) -> Any:
    """Decodes a batch of encoded images to float32 pixels ``(N, H, W, C)`` as the loaders do.

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


def greedy_texts(scores: Any, alphabet: str) -> Any:
    """Greedy CTC decoding in the graph: best class per step, repeats merged, blanks dropped.

    Gives the same texts as ``TextLineRecognizer.decode(logits)`` (greedy).

    Example:
    >>> scores = tf.one_hot([[1, 1, 0, 1, 2, 0]], 3)  # blank is class 0
    >>> greedy_texts(scores, "ab").numpy().tolist()
    [b'aab']
    """
    best = tf.argmax(scores, axis=-1, output_type=tf.int32)
    previous = tf.pad(best[:, :-1], [[0, 0], [1, 0]], constant_values=-1)
    keep = tf.logical_and(tf.not_equal(best, 0), tf.not_equal(best, previous))
    characters = tf.gather(tf.constant(list(alphabet)), tf.maximum(best - 1, 0))
    return tf.strings.reduce_join(tf.ragged.boolean_mask(characters, keep), axis=-1)


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
