"""JPEG compression round trip in the graph (TensorFlow only)."""

from __future__ import annotations

from typing import Any

import keras

from finvision.preprocessing._layers import PIXEL_MAX


def require_tensorflow(layer_name: str) -> None:
    """Raises a clear error when Keras runs on a backend without JPEG coding.

    Example:
    >>> require_tensorflow("ErrorLevelAnalysis")  # the default backend
    """
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"{layer_name} encodes JPEG with TensorFlow ops and needs the TensorFlow backend; "
            f"Keras is running on {backend!r}. Set KERAS_BACKEND=tensorflow, or apply it in a "
            "tf.data pipeline."
        )


def jpeg_round_trip(images: Any, quality: Any) -> Any:
    """Encodes each image as JPEG at its quality and decodes it again.

    Pixels are rounded to uint8 first, as any JPEG file stores them. Decoding
    uses the accurate integer DCT, so the result equals Pillow's
    ``save(quality=q)`` followed by ``open`` on the same pixels.

    Args:
        images: a float batch ``(N, H, W, C)`` in [0, 255] with 1 or 3 channels.
        quality: one int in [1, 100], or one per image, shape ``(N,)``.

    Returns:
        The decoded batch as float32, same shape.

    Example:
    >>> import numpy as np
    >>> flat = np.full((2, 16, 16, 3), 120.0, dtype="float32")
    >>> jpeg_round_trip(flat, 75).numpy().max()
    np.float32(120.0)
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images)
    pixels = tf.cast(tf.round(tf.clip_by_value(images, 0.0, PIXEL_MAX)), tf.uint8)
    qualities = tf.broadcast_to(tf.cast(quality, tf.int32), tf.shape(pixels)[:1])
    channels = pixels.shape[-1]

    def round_trip(pair: tuple[Any, Any]) -> Any:
        image, image_quality = pair
        encoded = tf.raw_ops.EncodeJpegVariableQuality(images=image, quality=image_quality)
        decoded = tf.io.decode_jpeg(encoded, channels=channels, dct_method="INTEGER_ACCURATE")
        return tf.ensure_shape(decoded, image.shape)

    decoded = tf.map_fn(
        round_trip,
        (pixels, qualities),
        fn_output_signature=tf.TensorSpec(pixels.shape[1:], tf.uint8),
    )
    return tf.cast(decoded, "float32")
