"""``TextZoneLocator``: where a page's machine-readable text zones are, per pixel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_choice, check_positive_int
from finvision.models._decoders import DECODERS
from finvision.models.task import Task
from finvision.models.task_checks import check_pyramid_backbone

#: The zones of the shipped locator, one output channel each.
DEFAULT_ZONES = ("mrz", "micr")


@keras.saving.register_keras_serializable(package="finvision")
class TextZoneLocator(Task):
    """Segments the text zones of a page photo: the MRZ of a passport, a cheque's MICR line.

    A decoder (``"fpn"`` or ``"unet"``, as in
    :class:`~finvision.models.TamperSegmenter`) on the backbone's
    ``pyramid_outputs`` gives a dense feature map; a 1x1 convolution gives one
    logit per zone and position, upsampled bilinearly to the input size. The
    output ``(N, H, W, len(zones))`` holds, per zone, the probability that a
    pixel lies inside it (the band of the zone's lines), in float32.

    Train with ``compile(loss=DiceBCELoss())`` on pages and their zone masks
    (:func:`finvision.data.synthetic.document_pages` draws both);
    :func:`finvision.models.read_mrz` and :func:`finvision.models.read_micr`
    turn the output into rectified lines.

    Args:
        backbone: a finvision :class:`~finvision.models.Backbone`; its input
            height and width must be multiples of 32 (or None).
        zones: the names of the zones, one output channel each.
        decoder: ``"fpn"`` or ``"unet"``.
        decoder_channels: channels of the decoder layers.
        **kwargs: standard model arguments (``name``, ``trainable``).

    Raises:
        TypeError: if ``backbone`` is not a ``keras.Model``.
        ValueError: for a backbone without ``pyramid_outputs`` or with a fixed
            height or width that is not a multiple of 32, empty or repeated
            ``zones``, an unknown ``decoder`` or a bad ``decoder_channels``.

    Example:
    >>> import numpy as np
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(64, 64, 3))
    >>> locator = TextZoneLocator(backbone, decoder_channels=8)
    >>> locator.predict(np.zeros((1, 64, 64, 3), "uint8"), verbose=0).shape
    (1, 64, 64, 2)
    """

    def __init__(
        self,
        backbone: keras.Model,
        *,
        zones: Sequence[str] = DEFAULT_ZONES,
        decoder: str = "fpn",
        decoder_channels: int = 32,
        **kwargs: Any,
    ) -> None:
        check_pyramid_backbone(backbone, type(self).__name__)
        zones = _check_zones(zones)
        check_choice("decoder", decoder, tuple(DECODERS))
        decoder_channels = check_positive_int("decoder_channels", decoder_channels)
        dtype = backbone.dtype_policy

        # === Layers ===
        self.backbone = backbone
        self.pyramid = keras.Model(
            backbone.inputs, backbone.pyramid_outputs, name=f"{backbone.name}_pyramid"
        )
        self.zone_logits = keras.layers.Conv2D(len(zones), 1, name="zone_logits", dtype="float32")

        # === Functional model ===
        images = keras.Input(shape=backbone.input_shape[1:], name="images")
        features, stride = DECODERS[decoder](self.pyramid(images), decoder_channels, dtype=dtype)
        logits = keras.layers.UpSampling2D(
            stride, interpolation="bilinear", name="zone_upsample", dtype="float32"
        )(self.zone_logits(features))
        probabilities = keras.layers.Activation("sigmoid", name="zones", dtype="float32")(logits)
        super().__init__(inputs=images, outputs=probabilities, **kwargs)

        # === Config ===
        self.zones = zones
        self.decoder = decoder
        self.decoder_channels = decoder_channels

    def serving_outputs(self, images: Any) -> dict[str, Any]:
        """The exported output: ``{"zones": (N, H, W, len(zones))}`` probabilities.

        Example:
        >>> import numpy as np
        >>> from finvision.models import create_backbone
        >>> locator = TextZoneLocator(create_backbone("resnet18", input_shape=(32, 32, 3)))
        >>> list(locator.serving_outputs(np.zeros((1, 32, 32, 3), "float32")))
        ['zones']
        """
        return {"zones": self(images, training=False)}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "zones": list(self.zones),
            "decoder": self.decoder,
            "decoder_channels": self.decoder_channels,
        }


def _check_zones(zones: Sequence[str]) -> tuple[str, ...]:
    names = tuple(zones) if not isinstance(zones, str) else ()
    if (
        not names
        or len(set(names)) != len(names)
        or not all(isinstance(n, str) and n for n in names)
    ):
        raise ValueError(
            f"`zones` must be a non-empty list of distinct zone names; received {zones!r}."
        )
    return names
