"""``ConditionalDiscriminator``: a DCGAN discriminator with a class projection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from finvision._validation import check_positive_int
from finvision.generative._checks import check_image_shape
from finvision.generative._config import base_config
from finvision.models.task import from_config_keeping_frozen

_LEAK = 0.2


@keras.saving.register_keras_serializable(package="finvision")
class ConditionalDiscriminator(keras.Model):
    """Scores how real an image looks for its class: a projection discriminator.

    Conditioning: the projection of Miyato and Koyama (2018). The image's
    feature vector ``h`` gives one logit ``w . h + b + e(y) . h``, where
    ``e(y)`` is a learned embedding of the label. The class term is the inner
    product of a class vector with the features, the form the log density
    ratio of a conditional model takes, so each class only has to learn one
    direction in feature space: a rare class with a few dozen real images
    shares every convolution with the common ones. Concatenating the label to
    the input image instead would give the class its own input channels, which
    the network may ignore, and it trains less stably.

    Architecture: pixels rescaled to [-1, 1], then three stride-2 convolutions
    (4 x 4 kernels, ``width``, 2x and 4x ``width`` filters) with leaky ReLU
    (slope 0.2), flattened; every convolution and the dense logit are
    spectrally normalised (``keras.layers.SpectralNormalization``), as in the
    projection discriminator's paper, which keeps its gradients bounded
    without BatchNormalization.

    Args:
        num_classes: the number of classes the labels index.
        image_shape: ``(height, width, channels)``: sides multiples of 8 from
            32 to 64, 1 (grayscale) or 3 (RGB) channels.
        width: filters of the first stage (the next have 2x and 4x).
        **kwargs: standard model arguments (``name``, ``trainable``, ``dtype``).

    Inputs and output:
        ``[images, labels]``: pixels in [0, 255] ``(N, height, width, channels)``
        (float or uint8) and int ``(N,)``; float32 logits ``(N, 1)`` come out,
        higher meaning more real for that class.

    Example:
    >>> import numpy as np
    >>> discriminator = ConditionalDiscriminator(2, image_shape=(32, 32, 1), width=4)
    >>> discriminator.predict([np.zeros((3, 32, 32, 1)), np.array([0, 1, 1])], verbose=0).shape
    (3, 1)
    """

    def __init__(
        self,
        num_classes: int,
        image_shape: Sequence[int] = (32, 32, 3),
        width: int = 64,
        **kwargs: Any,
    ) -> None:
        num_classes = check_positive_int("num_classes", num_classes)
        image_shape = check_image_shape(image_shape)
        width = check_positive_int("width", width)

        # === Layers ===
        images = keras.Input(shape=image_shape, name="images")
        labels = keras.Input(shape=(), dtype="int32", name="labels")
        x = keras.layers.Rescaling(1.0 / 127.5, offset=-1.0, name="centred")(images)
        for stage, filters in enumerate((width, 2 * width, 4 * width), start=1):
            convolution = keras.layers.Conv2D(
                filters, 4, strides=2, padding="same", name=f"down{stage}"
            )
            x = keras.layers.SpectralNormalization(convolution, name=f"down{stage}_sn")(x)
            x = keras.layers.LeakyReLU(_LEAK, name=f"down{stage}_leaky_relu")(x)
        features = keras.layers.Flatten(name="features", dtype="float32")(x)
        unconditional = keras.layers.SpectralNormalization(
            keras.layers.Dense(1, name="logit", dtype="float32"), name="logit_sn", dtype="float32"
        )(features)
        class_vectors = keras.layers.Embedding(
            num_classes, features.shape[-1], name="class_projection", dtype="float32"
        )(labels)
        projection = keras.layers.Dot(axes=1, name="projection", dtype="float32")(
            [class_vectors, features]
        )
        logits = keras.layers.Add(name="logits", dtype="float32")([unconditional, projection])
        super().__init__(inputs=[images, labels], outputs=logits, **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.image_shape = image_shape
        self.width = width

    def get_config(self) -> dict[str, Any]:
        return {
            **base_config(self),
            "num_classes": self.num_classes,
            "image_shape": self.image_shape,
            "width": self.width,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ConditionalDiscriminator:
        return from_config_keeping_frozen(cls, config)
