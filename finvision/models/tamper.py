"""``TamperSegmenter``: where a document image was edited, per pixel and per image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_choice, check_positive_int
from finvision.models._decoders import DECODERS, conv_block
from finvision.models.task import Task
from finvision.models.task_checks import check_pyramid_backbone
from finvision.preprocessing import PIXEL_MAX, ErrorLevelAnalysis, SRMFilter

#: Names accepted in ``forensic_inputs``.
FORENSIC_INPUTS = ("ela", "srm")
#: Magnitude the SRM residuals are truncated to (and divided by) in the forensic stem.
SRM_TRUNCATION = 3.0


@keras.saving.register_keras_serializable(package="finvision")
class TamperSegmenter(Task):
    """Segments edited regions (copy-move, splice, replaced digits) of an image.

    A decoder on the backbone's ``pyramid_outputs`` gives a dense feature map:

    - ``decoder="fpn"``: a Feature Pyramid Network top-down path over P2-P5,
      ending at stride 4;
    - ``decoder="unet"``: a U-Net expanding path over P1-P5 (two 3x3 blocks per
      level), ending at stride 2.

    A 1x1 convolution gives one logit per position, upsampled bilinearly to
    the input size, and a sigmoid gives the mask. The model outputs a dict:

    - ``"mask"``: the per-pixel tamper probability, ``(N, H, W, 1)``;
    - ``"score"``: the image-level tamper probability, ``(N, 1)``: with
      ``score_head="pooled"`` a sigmoid unit on the global average and max of
      the decoder features, with ``score_head="max"`` the mask's maximum.

    Train with ``compile(loss={"mask": DiceBCELoss(), "score":
    "binary_crossentropy"})`` and targets ``{"mask": masks, "score": labels}``
    (an untampered image has an empty mask and label 0). Both outputs compute in
    ``head_dtype`` (float32 by default), also under mixed precision.

    **Forensic inputs.** ``forensic_inputs`` adds a stem on evidence the pixels
    hide: ``"ela"``, :class:`~finvision.preprocessing.ErrorLevelAnalysis`
    (``C`` channels, divided by 255) and ``"srm"``,
    :class:`~finvision.preprocessing.SRMFilter` residuals (``3 * C`` channels,
    truncated to +-3 and divided by 3). They are concatenated with the image
    (divided by 255), so the stem reads ``C + C + 3 * C`` channels with both,
    15 for RGB and 5 for grayscale, and two strided 3x3 blocks bring them to
    stride 4, where they join the decoder at level P2. The backbone still reads
    the ``C``-channel image alone: pretrained weights load unchanged and keep
    their meaning; only the stem (like the decoder) starts from random weights.
    ``"ela"`` needs the TensorFlow backend and 1 or 3 channels.

    Args:
        backbone: a finvision :class:`~finvision.models.Backbone`; its input
            height and width must be multiples of 32 (or None).
        decoder: ``"fpn"`` or ``"unet"``.
        decoder_channels: channels of the decoder (and forensic stem) layers.
        forensic_inputs: any of ``"ela"`` and ``"srm"``, or ``()`` for none.
        ela_quality: JPEG quality of the error level analysis, in [1, 100].
        score_head: ``"pooled"`` or ``"max"``.
        head_dtype: dtype policy of the mask and score heads.
        **kwargs: standard model arguments (``name``, ``trainable``).

    Attributes:
        backbone: the backbone, shared, not copied.
        pyramid: a model with the backbone's layers that outputs its
            ``pyramid_outputs`` dict, which the decoder reads.

    Raises:
        TypeError: if ``backbone`` is not a ``keras.Model``.
        ValueError: for a backbone without ``pyramid_outputs`` or with a fixed
            height or width that is not a multiple of 32, an unknown
            ``decoder``, ``score_head`` or forensic input, ``"ela"`` on images
            with other than 1 or 3 channels, or a bad ``decoder_channels`` or
            ``ela_quality``.

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(64, 64, 3))
    >>> segmenter = TamperSegmenter(backbone, decoder="unet", forensic_inputs=("srm",))
    >>> outputs = segmenter.predict(np.zeros((2, 64, 64, 3), "uint8"), verbose=0)
    >>> outputs["mask"].shape, outputs["score"].shape
    ((2, 64, 64, 1), (2, 1))
    """

    def __init__(
        self,
        backbone: keras.Model,
        *,
        decoder: str = "fpn",
        decoder_channels: int = 64,
        forensic_inputs: Sequence[str] = (),
        ela_quality: int = 90,
        score_head: str = "pooled",
        head_dtype: str | keras.DTypePolicy = "float32",
        **kwargs: Any,
    ) -> None:
        check_pyramid_backbone(backbone, type(self).__name__)
        check_choice("decoder", decoder, tuple(DECODERS))
        decoder_channels = check_positive_int("decoder_channels", decoder_channels)
        forensic_inputs = _validate_forensic_inputs(forensic_inputs, backbone, ela_quality)
        check_choice("score_head", score_head, ("pooled", "max"))
        dtype = backbone.dtype_policy

        # === Layers ===
        self.backbone = backbone
        self.pyramid = keras.Model(
            backbone.inputs, backbone.pyramid_outputs, name=f"{backbone.name}_pyramid"
        )
        self.forensic_layers = _forensic_layers(forensic_inputs, ela_quality)
        self.mask_logits = keras.layers.Conv2D(1, 1, name="mask_logits", dtype=head_dtype)

        # === Functional model ===
        images = keras.Input(shape=backbone.input_shape[1:], name="images")
        stem = _forensic_stem(images, self.forensic_layers, decoder_channels, dtype)
        features, stride = DECODERS[decoder](
            self.pyramid(images), decoder_channels, dtype=dtype, extra=stem
        )
        logits = keras.layers.UpSampling2D(
            stride, interpolation="bilinear", name="mask_upsample", dtype=head_dtype
        )(self.mask_logits(features))
        mask = keras.layers.Activation("sigmoid", name="mask", dtype=head_dtype)(logits)
        if score_head == "max":
            score = keras.layers.GlobalMaxPooling2D(name="score", dtype=head_dtype)(mask)
        else:
            pooled = keras.layers.Concatenate(name="score_pool", dtype=dtype)(
                [
                    keras.layers.GlobalAveragePooling2D(name="score_avg", dtype=dtype)(features),
                    keras.layers.GlobalMaxPooling2D(name="score_max", dtype=dtype)(features),
                ]
            )
            score = keras.layers.Dense(1, activation="sigmoid", name="score", dtype=head_dtype)(
                pooled
            )
        super().__init__(inputs=images, outputs={"mask": mask, "score": score}, **kwargs)

        # === Config ===
        self.decoder = decoder
        self.decoder_channels = decoder_channels
        self.forensic_inputs = forensic_inputs
        self.ela_quality = ela_quality
        self.score_head = score_head
        self.head_dtype = keras.dtype_policies.get(head_dtype).name

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """The exported outputs: the image-level ``score`` first, then the ``mask``.

        Args:
            images: float32 raw pixels ``(N, H, W, C)``.

        Returns:
            ``{"score": (N, 1), "mask": (N, H, W, 1)}``, tamper probabilities.

        Example:
        >>> import numpy as np
        >>> from finvision.models import create_backbone
        >>> segmenter = TamperSegmenter(create_backbone("resnet18", input_shape=(32, 32, 3)))
        >>> list(segmenter.serving_outputs(np.zeros((1, 32, 32, 3), "float32")))
        ['score', 'mask']
        """
        outputs = self(images, training=False)
        return {"score": outputs["score"], "mask": outputs["mask"]}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "decoder": self.decoder,
            "decoder_channels": self.decoder_channels,
            "forensic_inputs": list(self.forensic_inputs),
            "ela_quality": self.ela_quality,
            "score_head": self.score_head,
            "head_dtype": self.head_dtype,
        }


def _validate_forensic_inputs(
    forensic_inputs: Sequence[str], backbone: keras.Model, ela_quality: int
) -> tuple[str, ...]:
    names = () if isinstance(forensic_inputs, str) else tuple(forensic_inputs)
    if (
        isinstance(forensic_inputs, str)
        or any(name not in FORENSIC_INPUTS for name in names)
        or len(set(names)) != len(names)
    ):
        raise ValueError(
            f"`forensic_inputs` must be a tuple of distinct names from {FORENSIC_INPUTS}, "
            f"or () for none; received {forensic_inputs!r}."
        )
    is_int = isinstance(ela_quality, int) and not isinstance(ela_quality, bool)
    if not (is_int and 1 <= ela_quality <= 100):
        raise ValueError(f"`ela_quality` must be an integer in [1, 100]; received {ela_quality!r}.")
    channels = backbone.input_shape[-1]
    if "ela" in names and channels not in (1, 3):
        raise ValueError(
            "`forensic_inputs` 'ela' needs images with 1 or 3 channels (JPEG); the backbone "
            f"takes {channels}."
        )
    return names


def _forensic_layers(names: tuple[str, ...], ela_quality: int) -> list[keras.layers.Layer]:
    return [
        ErrorLevelAnalysis(quality=ela_quality, name="ela")
        if name == "ela"
        else SRMFilter(truncation=SRM_TRUNCATION, name="srm")
        for name in names
    ]


def _forensic_stem(
    images: Any, forensic_layers: list[keras.layers.Layer], channels: int, dtype: Any
) -> Any:
    if not forensic_layers:
        return None
    scale = {"ela": 1.0 / PIXEL_MAX, "srm": 1.0 / SRM_TRUNCATION}
    maps = [keras.layers.Rescaling(1.0 / PIXEL_MAX, name="stem_image_scale")(images)]
    for layer in forensic_layers:
        maps.append(
            keras.layers.Rescaling(scale[layer.name], name=f"{layer.name}_scale")(layer(images))
        )
    stacked = keras.layers.Concatenate(name="stem_concat", dtype=dtype)(maps)
    features = conv_block(stacked, max(channels // 2, 1), "stem_1", dtype=dtype, strides=2)
    return conv_block(features, channels, "stem_2", dtype=dtype, strides=2)
