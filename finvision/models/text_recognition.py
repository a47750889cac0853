"""``TextLineRecognizer``: CNN + bidirectional LSTM + CTC for MRZ, MICR and amount lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from finvision._validation import check_fraction, check_positive_int
from finvision.documents.alphabets import decode_labels, encode_texts, resolve_alphabet
from finvision.models.task import Task
from finvision.preprocessing.document import LUMA_WEIGHTS
from finvision.preprocessing.normalization import BackboneNormalization

#: Height reduction of :func:`line_backbone` (four 2x poolings) and width reduction.
HEIGHT_STRIDE = 16
WIDTH_STRIDE = 4
STRATEGIES = ("greedy", "beam_search")
_PAPER = 255.0


def line_backbone(
    height: int = 32,
    channels: int = 1,
    filters: Sequence[int] = (32, 64, 128, 256),
    *,
    name: str = "line_backbone",
) -> keras.Model:
    """The convolutional part of a text-line reader (a CRNN-style VGG stack).

    Raw pixels in [0, 255] are scaled to [-1, 1] inside the model. Four
    blocks of 3x3 convolution, batch normalisation and ReLU (the third block
    has two convolutions) pool the height by 16 and the width by 4, so each
    output column covers 4 input columns: a line of width ``W`` becomes
    ``W // 4`` time steps, enough for CTC to separate repeated characters such
    as the MRZ filler ``<<<``.

    Args:
        height: input height in pixels, a multiple of 16.
        channels: 1 (grayscale) or 3.
        filters: the four blocks' widths.
        name: the model's name.

    Returns:
        A ``keras.Model`` from ``(N, height, W, channels)`` to
        ``(N, height // 16, W // 4, filters[-1])``.

    Example:
    >>> line_backbone(32, 1).output_shape
    (None, 2, None, 256)
    """
    if isinstance(height, bool) or not isinstance(height, int) or height < HEIGHT_STRIDE:
        raise ValueError(f"`height` must be a multiple of 16, >= 16; received {height!r}.")
    if height % HEIGHT_STRIDE:
        raise ValueError(f"`height` must be a multiple of 16; received {height}.")
    if channels not in (1, 3):
        raise ValueError(f"`channels` must be 1 or 3; received {channels!r}.")
    if len(filters) != 4 or not all(isinstance(f, int) and f > 0 for f in filters):
        raise ValueError(f"`filters` must be four positive ints; received {filters!r}.")

    images = keras.Input((height, None, channels), name="images")
    x = BackboneNormalization("tf", name="normalization")(images)
    pools = ((2, 2), (2, 2), (2, 1), (2, 1))
    for block, (width, pool) in enumerate(zip(filters, pools, strict=True), start=1):
        for repeat in range(2 if block == 3 else 1):
            layer_name = f"block{block}_conv{repeat + 1}"
            x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False, name=layer_name)(x)
            x = keras.layers.BatchNormalization(momentum=0.9, name=f"{layer_name}_bn")(x)
            x = keras.layers.ReLU(name=f"{layer_name}_relu")(x)
        x = keras.layers.MaxPooling2D(pool, name=f"block{block}_pool")(x)
    return keras.Model(images, x, name=name)


def prepare_lines(images: Any, height: int, channels: int) -> np.ndarray:
    """Stacks line images of any widths into one float batch for the recognizer.

    Each image (``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``, uint8 or float in
    [0, 255]) is converted to ``channels`` (RGB to luma, or gray repeated),
    resized to ``height`` keeping its aspect ratio when its height differs,
    and padded on the right with white paper to the widest line (at least
    ``WIDTH_STRIDE`` pixels, the narrowest input the recognizer can read).

    Args:
        images: an array ``(N, H, W[, C])`` or a sequence of images.
        height: the recognizer's input height.
        channels: the recognizer's input channels.

    Returns:
        float32 ``(N, height, max_width, channels)``.

    Raises:
        ValueError: for an empty input, a wrong rank or channel count, or
            non-finite pixels.

    Example:
    >>> prepare_lines([np.zeros((32, 40)), np.zeros((16, 10))], 32, 1).shape
    (2, 32, 40, 1)
    >>> prepare_lines([np.zeros((32, 1))], 32, 1).shape  # padded to one time step
    (1, 32, 4, 1)
    """
    lines = list(images)
    if not lines:
        raise ValueError("`images` is empty: pass at least one line image.")
    prepared = []
    for position, image in enumerate(lines):
        image = np.asarray(image, dtype="float32")
        if image.ndim == 2:
            image = image[:, :, None]
        if image.ndim != 3 or image.shape[-1] not in (1, 3) or min(image.shape[:2]) < 1:
            raise ValueError(
                "Each line image in `images` must be (H, W), (H, W, 1) or (H, W, 3); "
                f"image {position} has shape {image.shape}."
            )
        if not np.isfinite(image).all():
            raise ValueError(
                f"Line image {position} holds NaN or infinite pixels; `images` must hold "
                "finite pixels in [0, 255]."
            )
        if channels == 1 and image.shape[-1] == 3:
            image = image @ np.asarray(LUMA_WEIGHTS, dtype="float32")[:, None]
        elif channels == 3 and image.shape[-1] == 1:
            image = np.repeat(image, 3, axis=-1)
        if image.shape[0] != height:
            width = max(1, round(image.shape[1] * height / image.shape[0]))
            image = ops.convert_to_numpy(ops.image.resize(image, (height, width), antialias=True))
        prepared.append(image)
    widest = max(WIDTH_STRIDE, *(image.shape[1] for image in prepared))
    batch = np.full((len(prepared), height, widest, channels), _PAPER, dtype="float32")
    for row, image in enumerate(prepared):
        batch[row, :, : image.shape[1]] = image
    return batch


@keras.saving.register_keras_serializable(package="finvision")
class TextLineRecognizer(Task):
    """Reads one line of text: MRZ, MICR E-13B, courtesy amounts, or your alphabet.

    A convolutional backbone (:func:`line_backbone`) turns a line image of any
    width into a sequence of columns; two bidirectional LSTMs read it and a
    dense layer gives, per time step, logits over the blank (index 0) and the
    alphabet's characters (index ``i + 1``), trained with CTC. The model takes
    raw pixels ``(N, height, W, channels)`` with any ``W`` and outputs float32
    logits ``(N, W // 4, len(alphabet) + 1)``; :meth:`predict_text` turns
    images into strings.

    Args:
        alphabet: ``"mrz"`` (A-Z 0-9 <), ``"micr"`` (0-9, ``T`` transit, ``A``
            amount, ``U`` on-us, ``D`` dash), ``"amount"`` (0-9 , . -,
            space, $ € £ ¥ ₹) or a string of distinct characters.
        height: input height in pixels (a multiple of 16).
        channels: 1 or 3 input channels.
        backbone: a model from ``(N, height, W, channels)`` to a feature map
            ``(N, h, W // 4, C)``; default :func:`line_backbone`.
        lstm_units: units of each LSTM direction.
        dropout: dropout rate before each LSTM, in [0, 1).
        **kwargs: standard model arguments (``name``, ``trainable``).

    Example:
    >>> import numpy as np
    >>> reader = TextLineRecognizer("micr", height=16, lstm_units=8)
    >>> reader.output_shape  # 4 input columns per step; blank + 14 characters
    (None, None, 15)
    >>> reader.compile()  # Adam and the CTC loss; fit(images, reader.encode(texts))
    >>> len(reader.predict_text(np.full((2, 16, 48, 1), 255, dtype="uint8")))
    2
    """

    def __init__(
        self,
        alphabet: str = "mrz",
        *,
        height: int = 32,
        channels: int = 1,
        backbone: keras.Model | None = None,
        lstm_units: int = 128,
        dropout: float = 0.1,
        **kwargs: Any,
    ) -> None:
        alphabet = resolve_alphabet(alphabet)
        lstm_units = check_positive_int("lstm_units", lstm_units)
        dropout = check_fraction("dropout", dropout, "[0, 1)")
        backbone = backbone if backbone is not None else line_backbone(height, channels)
        _check_line_backbone(backbone, height, channels)

        # === Layers ===
        self.backbone = backbone
        feature_height, feature_channels = backbone.output_shape[1], backbone.output_shape[3]
        self.to_sequence = keras.layers.Reshape((-1, feature_height * feature_channels))
        self.projection = keras.layers.Dense(lstm_units, activation="relu", name="projection")
        self.recurrent = [
            keras.layers.Bidirectional(
                keras.layers.LSTM(lstm_units, return_sequences=True, dropout=dropout),
                name=f"bilstm{index}",
            )
            for index in (1, 2)
        ]
        self.classifier = keras.layers.Dense(len(alphabet) + 1, dtype="float32", name="logits")

        # === Functional model ===
        images = keras.Input((height, None, channels), name="images")
        features = keras.layers.Permute((2, 1, 3), name="columns_first")(backbone(images))
        sequence = self.projection(self.to_sequence(features))
        for layer in self.recurrent:
            sequence = layer(sequence)
        super().__init__(inputs=images, outputs=self.classifier(sequence), **kwargs)

        # === Config ===
        self.alphabet = alphabet
        self.height = height
        self.channels = channels
        self.lstm_units = lstm_units
        self.dropout = dropout

    def compile(self, optimizer: Any = "adam", loss: Any = None, **kwargs: Any) -> None:
        """Compiles with CTC by default (``keras.losses.CTC``, labels from :meth:`encode`).

        Example:
        >>> reader = TextLineRecognizer("01", height=16, lstm_units=4)
        >>> reader.compile(optimizer="sgd")
        >>> type(reader.loss).__name__
        'CTC'
        """
        super().compile(optimizer=optimizer, loss=loss or keras.losses.CTC(), **kwargs)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Recompiles a reloaded model with its saved optimizer and loss."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def encode(self, texts: Sequence[str], length: int | None = None) -> np.ndarray:
        """CTC labels for ``texts`` (see :func:`~finvision.documents.alphabets.encode_texts`).

        Example:
        >>> TextLineRecognizer("01", height=16, lstm_units=4).encode(["10"]).tolist()
        [[2, 1]]
        """
        return encode_texts(texts, self.alphabet, length)

    def decode(
        self, logits: Any, *, strategy: str = "greedy", beam_width: int = 10
    ) -> tuple[list[str], np.ndarray]:
        """Turns logits ``(N, T, len(alphabet) + 1)`` into texts and confidences.

        With greedy decoding the confidence of a line is
        :func:`greedy_confidence`: the product of the peak probabilities of
        its characters and of the gaps between them, in [0, 1]. It tells
        right reads from wrong ones far better than a per-step mean, where
        the many sure blank steps drown the one doubtful character. With
        beam search it is the beam's path probability normalised per time
        step, ``exp(log p(path) / T)``. Low values flag lines to send for
        manual review.

        Args:
            logits: the model's output.
            strategy: ``"greedy"`` (fast) or ``"beam_search"``.
            beam_width: beams kept by beam search.

        Returns:
            The texts and a float32 array of confidences.

        Example:
        >>> reader = TextLineRecognizer("01", height=16, lstm_units=4)
        >>> logits = np.log(np.array([[[0.1, 0.8, 0.1], [0.9, 0.05, 0.05]]]))
        >>> texts, confidence = reader.decode(logits)
        >>> texts, [round(float(value), 3) for value in confidence]  # "0" 0.8, then a gap 0.9
        (['0'], [0.72])
        """
        if strategy not in STRATEGIES:
            raise ValueError(f"`strategy` must be one of {STRATEGIES}; received {strategy!r}.")
        logits = ops.convert_to_tensor(logits, dtype="float32")
        if strategy == "greedy":
            labels = ops.convert_to_numpy(greedy_labels(logits))
            confidence = greedy_confidence(logits)
        else:
            steps = ops.shape(logits)[1]
            lengths = ops.full((ops.shape(logits)[0],), steps, dtype="int32")
            paths, scores = ops.ctc_decode(
                logits, lengths, strategy=strategy, beam_width=beam_width, top_paths=1, mask_index=0
            )
            labels = ops.convert_to_numpy(paths[0])
            per_step = ops.cast(scores[:, 0], "float32") / ops.cast(steps, "float32")
            confidence = ops.convert_to_numpy(ops.exp(per_step)).astype("float32")
        texts = [decode_labels(row, self.alphabet) for row in labels]
        return texts, confidence

    def predict_text(
        self,
        images: Any,
        *,
        strategy: str = "greedy",
        beam_width: int = 10,
        batch_size: int = 32,
        return_confidence: bool = False,
    ) -> list[str] | tuple[list[str], np.ndarray]:
        """Reads line images and returns their texts (and confidences).

        Images may have any width and any height (resized to the model's
        height); see :func:`prepare_lines`. Lines are read in batches of
        ``batch_size``, each padded with white to its widest line.

        Args:
            images: an array ``(N, H, W[, C])`` or a sequence of line images.
            strategy: ``"greedy"`` or ``"beam_search"``.
            beam_width: beams kept by beam search.
            batch_size: lines per forward pass.
            return_confidence: also return the per-line confidences.

        Returns:
            The texts, or ``(texts, confidences)`` with ``return_confidence``.

        Example:
        >>> reader = TextLineRecognizer("mrz", height=16, lstm_units=4)
        >>> texts, confidence = reader.predict_text(
        ...     [np.full((16, 64), 255, "uint8")], return_confidence=True)
        >>> len(texts), confidence.shape
        (1, (1,))
        """
        batch_size = check_positive_int("batch_size", batch_size)
        beam_width = check_positive_int("beam_width", beam_width)
        if isinstance(images, np.ndarray) and images.ndim == 2:
            raise ValueError(
                f"`images` must be a list or batch of line images; received one image of shape "
                f"{images.shape}: pass [image]."
            )
        lines = list(images)
        if not lines:
            raise ValueError("`images` is empty: pass at least one line image.")
        texts: list[str] = []
        confidences = []
        for start in range(0, len(lines), batch_size):
            batch = prepare_lines(lines[start : start + batch_size], self.height, self.channels)
            logits = self.predict_on_batch(batch)
            chunk_texts, chunk_confidence = self.decode(
                logits, strategy=strategy, beam_width=beam_width
            )
            texts.extend(chunk_texts)
            confidences.append(chunk_confidence)
        return (texts, np.concatenate(confidences)) if return_confidence else texts

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """The exported outputs: per-step ``probabilities`` and the greedy ``texts``.

        ``probabilities`` ``(N, T, len(alphabet) + 1)`` is the softmax of the
        logits; ``texts`` ``(N, T)`` holds the alphabet index of each
        character the greedy reading starts at that step, -1 elsewhere (a
        SavedModel spells them out, see :meth:`serving_vocabularies`). These
        are the texts :meth:`decode` gives with ``strategy="greedy"``.

        Args:
            images: float32 raw pixels ``(N, height, W, channels)``.

        Returns:
            ``{"probabilities": ..., "texts": ...}``.

        Example:
        >>> reader = TextLineRecognizer("01", height=16, lstm_units=4)
        >>> outputs = reader.serving_outputs(np.full((1, 16, 8, 1), 255, "float32"))
        >>> tuple(outputs["probabilities"].shape), tuple(outputs["texts"].shape)
        ((1, 2, 3), (1, 2))
        """
        logits = self(images, training=False)
        return {
            "probabilities": ops.softmax(logits, axis=-1),
            "texts": greedy_labels(logits) - 1,
        }

    def serving_vocabularies(self) -> dict[str, Sequence[str]]:
        """The ``texts`` output is read with the alphabet (see :meth:`Task.serving_vocabularies`).

        Example:
        >>> TextLineRecognizer("AB", height=16, lstm_units=4).serving_vocabularies()
        {'texts': ('A', 'B')}
        """
        return {"texts": tuple(self.alphabet)}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alphabet": self.alphabet,
            "height": self.height,
            "channels": self.channels,
            "lstm_units": self.lstm_units,
            "dropout": self.dropout,
        }


def greedy_confidence(logits: Any) -> np.ndarray:
    """How sure the greedy reading of each line is: the peak of each of its runs, multiplied.

    The greedy path splits into runs of steps with the same best class: a
    character, or the blanks before, between and after characters. A run's
    peak is the largest probability its class reaches in it, and the product
    over the runs estimates the chance that every character and every gap of
    the reading is right (a line read as empty is as sure as its surest
    blank). On MRZ lines from a renderer kept apart from the training code it
    ranks right reads above wrong ones far better than the geometric mean of
    every step's best probability, whose many sure blank steps hide the one
    doubtful character (the text-recognition guide gives the figures).

    Args:
        logits: ``(N, T, K)`` scores; class 0 is the blank.

    Returns:
        float32 ``(N,)`` in [0, 1].

    Raises:
        ValueError: if ``logits`` is not ``(N, T, K)`` with ``T >= 1`` and ``K >= 2``.

    Example:
    >>> probabilities = np.array([[[0.3, 0.6, 0.1], [0.2, 0.7, 0.1],  # "0": peak 0.7
    ...                            [0.9, 0.05, 0.05],                 # a gap: 0.9
    ...                            [0.4, 0.1, 0.5]]])                 # "1": 0.5
    >>> [round(float(value), 3) for value in greedy_confidence(np.log(probabilities))]
    [0.315]
    """
    logits = ops.convert_to_tensor(logits, dtype="float32")
    shape = tuple(ops.shape(logits))
    if len(shape) != 3 or shape[1] < 1 or shape[2] < 2:
        raise ValueError(
            "`logits` must be (lines, time steps, classes) with at least one step and two "
            f"classes (the blank and a character); received shape {shape}."
        )
    probabilities = ops.convert_to_numpy(ops.softmax(logits, axis=-1))
    best, top = probabilities.argmax(axis=-1), probabilities.max(axis=-1)
    confidence = np.ones(len(best), dtype="float32")
    for row, (labels, peaks) in enumerate(zip(best, top, strict=True)):
        starts = np.flatnonzero(np.diff(labels, prepend=-1))  # where each run begins
        confidence[row] = np.prod(np.maximum.reduceat(peaks, starts))
    return confidence


def greedy_labels(logits: Any) -> Any:
    """Greedy CTC decoding, step by step: the label where a character starts, 0 elsewhere.

    Each step's best class is kept where it is not the blank (0) and differs
    from the step before (repeats merge), as ``keras.ops.ctc_decode`` does
    with ``strategy="greedy"``, but without compacting the rows, so it uses
    only element-wise ops and traces into every export format.

    Args:
        logits: ``(N, T, K)`` scores; class 0 is the blank.

    Returns:
        int32 ``(N, T)``: class labels 1 to K-1 where a character is read, 0 elsewhere.

    Example:
    >>> scores = np.eye(3)[[[1, 1, 0, 1, 2, 2]]]  # blank is class 0
    >>> ops.convert_to_numpy(greedy_labels(scores)).tolist()
    [[1, 0, 0, 1, 2, 0]]
    """
    # top_k rather than argmax: Keras' TensorFlow argmax adds a BitwiseAnd, not a TFLite op.
    best = ops.cast(ops.top_k(logits, k=1)[1][..., 0], "int32")
    previous = ops.pad(best[:, :-1], [[0, 0], [1, 0]], constant_values=-1)
    starts = ops.logical_and(ops.not_equal(best, 0), ops.not_equal(best, previous))
    return ops.where(starts, best, ops.zeros_like(best))


def _check_line_backbone(backbone: Any, height: int, channels: int) -> None:
    if not isinstance(backbone, keras.Model):
        raise TypeError(f"`backbone` must be a keras.Model; received {type(backbone).__name__}.")
    expected = (None, height, None, channels)
    output = backbone.output_shape
    known_features = len(output) == 4 and None not in (output[1], output[3])
    if tuple(backbone.input_shape) != expected or not known_features:
        raise ValueError(
            f"`backbone` must map {expected} to a feature map (N, h, W // 4, C) with known h "
            f"and C; received input {backbone.input_shape} and output {output}."
        )
