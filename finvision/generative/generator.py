"""``ConditionalGenerator``: a DCGAN generator drawing images of a requested class."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_positive_int
from finvision.generative._checks import SIDE_STEP, check_image_shape
from finvision.generative._config import base_config
from finvision.models.task import from_config_keeping_frozen

#: Upsampling stages: the seed map is ``image side / 8``.
_STAGES = 3
#: BatchNormalization momentum: the moving statistics follow the moving generator.
_BN_MOMENTUM = 0.9


@keras.saving.register_keras_serializable(package="finvision")
class ConditionalGenerator(keras.Model):
    """Draws images of a class from noise: a DCGAN generator conditioned on the label.

    Conditioning: a learned embedding of the label (``latent_dim`` wide) is
    concatenated with the noise vector before the first dense layer, as in the
    conditional GAN of Mirza and Osindero (2014). The class then steers the
    whole image from the seed map on, which is what a rare class that differs
    from the common ones in content (an edit, a stamp, another layout) needs,
    and it costs one small table. The discriminator
    (:class:`ConditionalDiscriminator`) uses a projection instead.

    Architecture: dense to a ``(height / 8, width / 8, 4 * width)`` seed map,
    then three stride-2 transposed convolutions (4 x 4 kernels, 2x, 1x
    ``width`` filters then the image's channels), BatchNormalization and ReLU
    between them, ``tanh`` at the end, rescaled to pixels.

    Output range: float32 pixels in [0, 255] (``127.5 * tanh + 127.5``), the
    range finvision backbones and the discriminator take; round and cast to
    ``uint8`` to store them (:func:`~finvision.generative.synthesize` does).

    Args:
        num_classes: the number of classes the labels index.
        image_shape: ``(height, width, channels)``: sides multiples of 8 from
            32 to 64, 1 (grayscale) or 3 (RGB) channels.
        latent_dim: the width of the noise vector (and of the label embedding).
        width: filters of the last stage (the stages before have 2x and 4x);
            64 is DCGAN's, small values make tiny models for tests.
        **kwargs: standard model arguments (``name``, ``trainable``, ``dtype``).

    Inputs:
        ``[noise, labels]``: float ``(N, latent_dim)`` and int ``(N,)``.

    Example:
    >>> import numpy as np
    >>> generator = ConditionalGenerator(2, image_shape=(32, 32, 1), latent_dim=8, width=4)
    >>> pixels = generator.predict([np.zeros((3, 8)), np.array([0, 1, 1])], verbose=0)
    >>> pixels.shape, bool(pixels.min() >= 0.0 and pixels.max() <= 255.0)
    ((3, 32, 32, 1), True)
    """

    def __init__(
        self,
        num_classes: int,
        image_shape: Sequence[int] = (32, 32, 3),
        latent_dim: int = 128,
        width: int = 64,
        **kwargs: Any,
    ) -> None:
        num_classes = check_positive_int("num_classes", num_classes)
        image_shape = check_image_shape(image_shape)
        latent_dim = check_positive_int("latent_dim", latent_dim)
        width = check_positive_int("width", width)
        height, image_width, channels = image_shape
        seed_shape = (height // SIDE_STEP, image_width // SIDE_STEP, 4 * width)

        # === Layers ===
        noise = keras.Input(shape=(latent_dim,), name="noise")
        labels = keras.Input(shape=(), dtype="int32", name="labels")
        embedded = keras.layers.Embedding(num_classes, latent_dim, name="label_embedding")(labels)
        x = keras.layers.Concatenate(name="condition")([noise, embedded])
        x = keras.layers.Dense(
            seed_shape[0] * seed_shape[1] * seed_shape[2], use_bias=False, name="stem"
        )(x)
        x = keras.layers.Reshape(seed_shape, name="stem_map")(x)
        x = _normalised(x, "stem")
        for stage, filters in enumerate((2 * width, width), start=1):
            x = keras.layers.Conv2DTranspose(
                filters, 4, strides=2, padding="same", use_bias=False, name=f"up{stage}"
            )(x)
            x = _normalised(x, f"up{stage}")
        x = keras.layers.Conv2DTranspose(
            channels, 4, strides=2, padding="same", name=f"up{_STAGES}", dtype="float32"
        )(x)
        x = keras.layers.Activation("tanh", name="tanh", dtype="float32")(x)
        pixels = keras.layers.Rescaling(127.5, offset=127.5, name="pixels", dtype="float32")(x)
        super().__init__(inputs=[noise, labels], outputs=pixels, **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.width = width

    def get_config(self) -> dict[str, Any]:
        return {
            **base_config(self),
            "num_classes": self.num_classes,
            "image_shape": self.image_shape,
            "latent_dim": self.latent_dim,
            "width": self.width,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ConditionalGenerator:
        return from_config_keeping_frozen(cls, config)


def _normalised(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    x = keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)
