"""Decoding inside the ``tf.data`` graph, with Pillow for what the graph cannot read.

Every page decodes to float32 pixels in [0, 255] at its stored size, then
three steps follow, the same for every format:

- alpha is flattened onto white: ``c * a / 255 + 255 * (1 - a / 255)``;
- the channels are converted to the colour mode: gray repeats into RGB, RGB to
  gray is ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, not rounded);
- the EXIF orientation is applied (the flips and quarter turns of
  ``PIL.ImageOps.exif_transpose``).

16-bit samples are scaled by 255 / 65535, so 65535 maps to 255.0 exactly. JPEG
is decoded with the accurate integer IDCT, which gives the same pixels as Pillow,
and at a reduced DCT scale when the image is at least twice the output size
(see :func:`jpeg_scale`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
import tensorflow as tf
from PIL import Image, ImageOps

from finvision.data.probe import (
    ORIENTATION_TAG,
    PILLOW_ERRORS,
    check_pixel_limit,
    describe_error,
)
from finvision.data.report import LoadReport, UnreadableImageError

#: Factor from 16-bit samples to the [0, 255] pixel scale.
UINT16_SCALE = 255.0 / 65535.0
#: ITU-R BT.601 luma weights, the ones Pillow's ``convert("L")`` uses.
GRAY_WEIGHTS = (0.299, 0.587, 0.114)


def pillow_pixels(source: str | io.BytesIO, page: int, channels: int) -> np.ndarray:
    """Decodes one page with Pillow to upright pixels in [0, 255].

    Args:
        source: the file, a path or a binary stream.
        page: the page to read (multi-page TIFF).
        channels: 1 (gray), 3 (RGB) or 4 (RGBA), as probed.

    Returns:
        A ``(height, width, channels)`` array: uint8, or float32 for 16-bit
        samples (scaled by 255 / 65535).

    Raises:
        OSError: if Pillow cannot decode the page (truncated or corrupt).
        ValueError: if the page exceeds ``PIL.Image.MAX_IMAGE_PIXELS``.

    Example:
    >>> import io
    >>> from PIL import Image, ImageOps
    >>> buffer = io.BytesIO()
    >>> Image.new("I;16", (2, 1), 65535).save(buffer, "TIFF")
    >>> pillow_pixels(buffer, 0, 1).tolist()
    [[[255.0], [255.0]]]
    """
    with Image.open(source) as image:
        image.seek(page)
        check_pixel_limit(image.width, image.height)
        image.load()  # recent Pillow turns a TIFF upright here, older Pillow does not
        if image.getexif().get(ORIENTATION_TAG, 1) != 1:
            image = ImageOps.exif_transpose(image)
        if image.mode.startswith("I;16"):
            pixels = np.asarray(image).astype(np.float32) * np.float32(UINT16_SCALE)
        else:
            mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
            pixels = np.asarray(image if image.mode == mode else image.convert(mode))
    return pixels.reshape(*pixels.shape[:2], channels)


def to_channels(image: tf.Tensor, channels: int, target: int) -> tf.Tensor:
    """Flattens alpha onto white and converts between gray and RGB.

    Args:
        image: pixels ``(height, width, channels)`` in [0, 255]; float32 when
            there is alpha or RGB becomes gray, else any dtype.
        channels: the channels of ``image``: 1, 3 or 4 (RGBA).
        target: 1 (grayscale) or 3 (RGB).

    Returns:
        Pixels ``(height, width, target)``.

    Example:
    >>> rgba = tf.constant([[[0.0, 100.0, 200.0, 51.0]]])
    >>> to_channels(rgba, 4, 3).numpy().tolist()
    [[[204.0, 224.0, 244.0]]]
    """
    if channels == 4:
        alpha = image[..., 3:] / 255.0
        image = (image[..., :3] - 255.0) * alpha + 255.0
        channels = 3
    if channels == target:
        return image
    if target == 3:
        return tf.tile(image, [1, 1, 3])
    return tf.reduce_sum(image * tf.constant(GRAY_WEIGHTS), axis=-1, keepdims=True)


def _bytes(value: bytes | np.ndarray) -> bytes:
    # numpy_function passes strings as bytes in graphs and as 0-d object arrays
    # when run eagerly.
    return value if isinstance(value, bytes) else value.item()


def _transposed(image: tf.Tensor) -> tf.Tensor:
    return tf.transpose(image, [1, 0, 2])


# EXIF orientation 1..8 -> the transform that shows the image upright.
_ORIENTATIONS: tuple[Callable[[tf.Tensor], tf.Tensor], ...] = (
    lambda x: x,
    lambda x: tf.reverse(x, [1]),
    lambda x: tf.reverse(x, [0, 1]),
    lambda x: tf.reverse(x, [0]),
    _transposed,
    lambda x: tf.reverse(_transposed(x), [1]),
    lambda x: tf.reverse(_transposed(x), [0, 1]),
    lambda x: tf.reverse(_transposed(x), [0]),
)


def orient(image: tf.Tensor, orientation: tf.Tensor) -> tf.Tensor:
    """Applies an EXIF orientation (1 to 8) as ``PIL.ImageOps.exif_transpose`` does.

    Args:
        image: pixels ``(height, width, channels)``.
        orientation: scalar int tensor, 1 to 8.

    Returns:
        The upright image; orientations 5 to 8 swap height and width.

    Example:
    >>> image = tf.constant([[[1], [2], [3]]])  # one row, three columns
    >>> orient(image, tf.constant(6))[..., 0].numpy().tolist()  # turned clockwise
    [[1], [2], [3]]
    """
    branches = [lambda f=f: f(image) for f in _ORIENTATIONS]
    return tf.switch_case(tf.cast(orientation, tf.int32) - 1, branches)


def jpeg_scale(height: int, width: int, target: tuple[int, int]) -> int:
    """The largest JPEG DCT scale, 1/1 to 1/8, that still covers ``target``.

    libjpeg can decode a JPEG at 1/2, 1/4 or 1/8 of its size at a fraction of
    the cost (Pillow's ``Image.draft`` does the same); each output pixel then
    averages a block of the original, so the following resize also aliases
    less. The scale is chosen so that the scaled image, ``ceil(size / scale)``,
    is still at least as large as the size it is resized to.

    Args:
        height: upright height of the page.
        width: upright width of the page.
        target: ``(height, width)`` the page is resized to.

    Returns:
        1, 2, 4 or 8.

    Example:
    >>> jpeg_scale(480, 640, (224, 224)), jpeg_scale(480, 640, (480, 640))
    (2, 1)
    """
    for scale in (8, 4, 2):
        if -(-height // scale) >= target[0] and -(-width // scale) >= target[1]:
            return scale
    return 1


class PageDecoder:
    """Decodes pages of the kinds a loader found, to one colour mode, in the graph.

    Only the decoders that the probed files need are built, so a folder of plain
    RGB JPEGs decodes with ``read_file`` and ``decode_jpeg`` alone, and pixels
    stay uint8 until the resize unless a conversion needs arithmetic.

    Args:
        kinds: the ``(decoder, channels, scale)`` triples present, in the order
            of the ``kind`` index given to :meth:`__call__`; ``scale`` is the JPEG
            DCT scale (see :func:`jpeg_scale`), 1 for other decoders.
        target_channels: 1 (grayscale) or 3 (RGB).
        orientations: whether any page has an EXIF orientation other than 1.
        on_error: ``"skip"`` or ``"raise"``, for pages Pillow fails to decode.
        report: where skipped pages are recorded.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image, ImageOps
    >>> path = str(pathlib.Path(tempfile.mkdtemp()) / "a.png")
    >>> Image.new("RGB", (3, 2), (10, 20, 30)).save(path)
    >>> decoder = PageDecoder([("png", 3, 1)], 1, False, "raise", LoadReport(path))
    >>> image, ok = decoder(tf.constant(path), tf.constant(0), tf.constant(0), tf.constant(1))
    >>> image.shape, round(float(image[0, 0, 0]), 2), bool(ok)
    (TensorShape([2, 3, 1]), 18.15, True)
    """

    def __init__(
        self,
        kinds: Sequence[tuple[str, int, int]],
        target_channels: int,
        orientations: bool,
        on_error: str,
        report: LoadReport,
    ) -> None:
        self.kinds = tuple(kinds)
        self.target_channels = target_channels
        self.orientations = orientations
        self.on_error = on_error
        self.report = report
        self._float = any(
            decoder in ("png16", "pillow16") or channels == 4 or channels > target_channels
            for decoder, channels, _ in self.kinds
        )

    def __call__(
        self, path: tf.Tensor, page: tf.Tensor, kind: tf.Tensor, orientation: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        """Returns pixels ``(height, width, target_channels)`` and an ok flag.

        The pixels are uint8 when every kind decodes without arithmetic, else
        float32; either way in [0, 255].
        """
        branches = [
            lambda kind=kind: self._decode(*kind, page=page, path=path) for kind in self.kinds
        ]
        if len(branches) == 1:
            image, ok = branches[0]()
        else:
            image, ok = tf.switch_case(kind, branches)
        if self.orientations:
            image = orient(image, orientation)
        return image, ok

    def _decode(
        self,
        decoder: str,
        channels: int,
        scale: int,
        *,
        page: tf.Tensor,
        path: tf.Tensor,
    ) -> tuple[tf.Tensor, tf.Tensor]:
        ok = tf.constant(True)
        if decoder == "jpeg":
            image = tf.io.decode_jpeg(
                tf.io.read_file(path), channels=channels, ratio=scale, dct_method="INTEGER_ACCURATE"
            )
        elif decoder == "png":
            image = tf.io.decode_png(tf.io.read_file(path), channels=channels)
        elif decoder == "png16":
            image = tf.io.decode_png(tf.io.read_file(path), channels=channels, dtype=tf.uint16)
            image = tf.cast(image, tf.float32) * UINT16_SCALE
        else:  # Pillow reads the file itself: no copy of its bytes through a tensor
            dtype = tf.float32 if decoder == "pillow16" else tf.uint8
            image, ok = tf.numpy_function(
                lambda *args: self._pillow(*args, channels=channels, dtype=dtype.as_numpy_dtype),
                [path, page],
                [dtype, tf.bool],
                name="pillow_decode",
            )
            image.set_shape([None, None, channels])
            ok.set_shape([])
        if self._float:
            image = tf.cast(image, tf.float32)
        return to_channels(image, channels, self.target_channels), ok

    def _pillow(
        self, path: bytes | np.ndarray, page: np.ndarray, *, channels: int, dtype: type
    ) -> tuple[np.ndarray, np.ndarray]:
        page, path = int(page), _bytes(path).decode()
        name = path if page == 0 else f"{path} (page {page})"
        try:
            pixels = pillow_pixels(path, page, channels)
        except PILLOW_ERRORS as error:
            reason = describe_error(error)
            if self.on_error == "raise":
                raise UnreadableImageError(name, reason) from error
            self.report.record_decode_failure(name, reason)
            return np.zeros((1, 1, channels), dtype), np.bool_(False)
        return pixels.astype(dtype, copy=False), np.bool_(True)
