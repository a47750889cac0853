"""Decoding an encoded image in the graph to the pixels the loaders give for its file.

The serving signatures take image bytes (``input="bytes"``), and a model must see
the same pixels there as in training: :func:`decode_encoded` follows the loaders
(:func:`~finvision.data.load_image`, ``from_directory``, ``from_csv``) step for step.
The EXIF orientation is read from the bytes (a JPEG's APP1 segment, a PNG's eXIf
chunk), a large JPEG is decoded at the same reduced DCT scale, alpha is flattened
onto white, colour is converted with the same weights, and the page is stretched to
the output size without antialiasing. Only what the graph can decode is taken
(JPEG, PNG, GIF, BMP); other formats, and images past a pixel limit, fail with
``tf.errors.InvalidArgumentError`` naming what was received.
"""

from __future__ import annotations

import tensorflow as tf

from finvision.data.decode import UINT16_SCALE, orient, to_channels
from finvision.data.resize import fit_to_size

#: The default pixel limit of :func:`decode_encoded`: a 24-megapixel photo passes.
MAX_PIXELS = 25_000_000
#: The formats the graph decodes, by their first bytes.
_SIGNATURES = (
    ("JPEG", b"\xff\xd8\xff"),
    ("PNG", b"\x89PNG\r\n\x1a\n"),
    ("GIF", b"GIF8"),
    ("BMP", b"BM"),
)
#: Formats the graph cannot decode, named in the error.
_REFUSED = (
    ("TIFF", 0, b"II*\x00"),
    ("TIFF", 0, b"MM\x00*"),
    ("WebP", 8, b"WEBP"),
    ("HEIF/AVIF", 4, b"ftyp"),
)
#: The TIFF headers an EXIF block starts with (little- and big-endian).
_LITTLE_ENDIAN, _BIG_ENDIAN = b"II*\x00", b"MM\x00*"
_ORIENTATION_TAG = 0x0112
#: IFD0 entries searched for the orientation; tags are sorted and 0x0112 comes early.
_MAX_ENTRIES = 64


def image_format(data: tf.Tensor) -> tf.Tensor:
    """The index of an encoded image's format in JPEG, PNG, GIF, BMP; 4 for others.

    Args:
        data: scalar string tensor, the encoded image.

    Returns:
        A scalar int32 tensor.

    Example:
    >>> int(image_format(tf.io.encode_png(tf.zeros((1, 1, 1), tf.uint8))))
    1
    """
    index = tf.constant(len(_SIGNATURES))
    for position, (_, magic) in reversed(list(enumerate(_SIGNATURES))):
        index = tf.where(tf.strings.substr(data, 0, len(magic)) == magic, position, index)
    return index


def _format_name(data: tf.Tensor) -> tf.Tensor:
    # Padded: `substr` fails on a start past the end of a short string.
    padded = tf.strings.join([data, b"\x00" * 12])
    name = tf.constant("an unknown format")
    for label, offset, magic in _REFUSED:
        name = tf.where(tf.strings.substr(padded, offset, len(magic)) == magic, label, name)
    return name


def _unsigned(raw: tf.Tensor, little_endian: tf.Tensor) -> tf.Tensor:
    """Unsigned integers from bytes on the last axis, in either byte order."""
    values = tf.cast(raw, tf.int64)
    weights = tf.constant([256**i for i in range(raw.shape[-1])], tf.int64)
    little = tf.reduce_sum(values * weights, axis=-1)
    big = tf.reduce_sum(values * weights[::-1], axis=-1)
    return tf.where(little_endian, little, big)


def _read(data: tf.Tensor, position: tf.Tensor, length: int) -> tf.Tensor:
    """``length`` bytes from ``position`` as uint8, zero past the end."""
    position = tf.minimum(tf.cast(position, tf.int32), tf.strings.length(data))
    return tf.io.decode_raw(
        tf.strings.substr(data, position, length), tf.uint8, fixed_length=length
    )


def exif_orientation(data: tf.Tensor) -> tf.Tensor:
    """The EXIF orientation (1 to 8) of an encoded JPEG or PNG; 1 when it has none.

    Reads IFD0 of the EXIF block (a JPEG's ``Exif`` APP1 segment, a PNG's eXIf
    chunk) as Pillow does; a missing, malformed or out-of-range value is 1.

    Args:
        data: scalar string tensor, the encoded image.

    Returns:
        A scalar int32 tensor.

    Example:
    >>> import io
    >>> from PIL import Image
    >>> exif = Image.Exif()
    >>> exif[0x0112] = 6
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (4, 2)).save(buffer, "JPEG", exif=exif.tobytes())
    >>> int(exif_orientation(tf.constant(buffer.getvalue())))
    6
    """
    is_jpeg = tf.strings.substr(data, 0, 2) == b"\xff\xd8"
    after_jpeg_marker = tf.strings.split(data, sep="Exif\x00\x00", maxsplit=1)[-1]
    after_png_marker = tf.strings.split(data, sep="eXIf", maxsplit=1)[-1]
    block = tf.where(is_jpeg, after_jpeg_marker, after_png_marker)
    header = tf.strings.substr(block, 0, 4)
    little_endian = header == _LITTLE_ENDIAN
    is_exif = little_endian | (header == _BIG_ENDIAN)
    offset = _unsigned(_read(block, 4, 4), little_endian)
    count = _unsigned(_read(block, offset, 2), little_endian)
    entries = tf.reshape(_read(block, offset + 2, 12 * _MAX_ENTRIES), (_MAX_ENTRIES, 12))
    tags = _unsigned(entries[:, 0:2], little_endian)
    values = _unsigned(entries[:, 8:10], little_endian)  # a SHORT fills the first two bytes
    present = (tf.range(_MAX_ENTRIES, dtype=tf.int64) < count) & (tags == _ORIENTATION_TAG)
    value = tf.reduce_max(tf.where(present, values, 0))
    known = is_exif & tf.reduce_any(present) & (value >= 1) & (value <= 8)
    return tf.where(known, tf.cast(value, tf.int32), 1)


def _stored_size(data: tf.Tensor, kind: tf.Tensor) -> tf.Tensor:
    """``(height, width)`` of the stored image, from its header, without decoding."""
    little = tf.constant(True)
    png = tf.reverse(_unsigned(tf.reshape(_read(data, 16, 8), (2, 4)), ~little), [0])
    gif = tf.reverse(_unsigned(tf.reshape(_read(data, 6, 4), (2, 2)), little), [0])
    bmp = tf.reverse(tf.abs(_bmp_size(data)), [0])
    return tf.switch_case(
        kind,
        [
            lambda: tf.cast(tf.io.extract_jpeg_shape(data)[:2], tf.int64),
            lambda: png,
            lambda: gif,
            lambda: bmp,
        ],
        default=lambda: tf.zeros((2,), tf.int64),
    )


def _bmp_size(data: tf.Tensor) -> tf.Tensor:
    # BITMAPINFOHEADER: signed 32-bit width and height (negative height: top-down).
    raw = _unsigned(tf.reshape(_read(data, 18, 8), (2, 4)), tf.constant(True))
    return tf.where(raw >= 2**31, raw - 2**32, raw)


def _jpeg_ratio(upright: tf.Tensor, size: tuple[int, int]) -> tf.Tensor:
    """The branch index of :func:`~finvision.data.decode.jpeg_scale` (1, 2, 4, 8) in the graph."""
    index = tf.constant(0)
    for position, scale in ((1, 2), (2, 4), (3, 8)):
        covers = (-(-upright[0] // scale) >= size[0]) & (-(-upright[1] // scale) >= size[1])
        index = tf.where(covers, position, index)
    return index


def decode_encoded(
    data: tf.Tensor,
    size: tuple[int, int] | None,
    channels: int,
    *,
    max_pixels: int | None = MAX_PIXELS,
) -> tf.Tensor:
    """Decodes one encoded image to the pixels a loader gives for the same file.

    Args:
        data: scalar string tensor, an encoded JPEG, PNG, GIF or BMP.
        size: ``(H, W)`` of the output (stretched, as the loaders' default);
            None keeps the upright stored size (JPEG decoded at full scale),
            as ``load_image(path)`` does.
        channels: 1 (grayscale) or 3 (RGB).
        max_pixels: the largest stored ``width * height`` decoded; None lifts it.

    Returns:
        float32 pixels ``(H, W, channels)`` in [0, 255].

    Raises:
        tf.errors.InvalidArgumentError: for another format, an image past
            ``max_pixels``, or bytes the decoder finds corrupt.

    Example:
    >>> png = tf.io.encode_png(tf.constant([[[0, 100, 200]]], tf.uint8))
    >>> decode_encoded(png, (1, 2), 1).numpy().round(2).tolist()
    [[[81.5], [81.5]]]
    """
    kind = image_format(data)
    checks = [
        tf.debugging.Assert(
            kind < len(_SIGNATURES),
            [
                "`image_bytes` must be an encoded JPEG, PNG, GIF or BMP; received",
                _format_name(data),
            ],
        )
    ]
    stored = _stored_size(data, kind)
    if max_pixels is not None:
        checks.append(
            tf.debugging.Assert(
                stored[0] * stored[1] <= max_pixels,
                [
                    f"`image_bytes` must hold at most {max_pixels:,} pixels; received "
                    "height x width",
                    stored,
                ],
            )
        )
    with tf.control_dependencies(checks):  # checked before anything is decoded
        data = tf.identity(data)
    orientation = exif_orientation(data)
    upright = tf.where(orientation >= 5, stored[::-1], stored)

    def jpeg() -> tf.Tensor:
        decoders = [
            lambda ratio=ratio: tf.cast(
                tf.io.decode_jpeg(data, channels=3, ratio=ratio, dct_method="INTEGER_ACCURATE"),
                tf.float32,
            )
            for ratio in (1, 2, 4, 8)
        ]
        ratio = tf.constant(0) if size is None else _jpeg_ratio(upright, size)
        return tf.switch_case(ratio, decoders)

    def png() -> tf.Tensor:
        # 16-bit decoding scales 8-bit samples by 257, so both come back to [0, 255].
        pixels = tf.io.decode_png(data, channels=4, dtype=tf.uint16)
        return to_channels(tf.cast(pixels, tf.float32) * UINT16_SCALE, 4, 3)

    def other() -> tf.Tensor:
        pixels = tf.io.decode_image(data, channels=3, expand_animations=False)
        return tf.cast(pixels, tf.float32)

    image = tf.switch_case(kind, [jpeg, png, other, other], default=other)
    image.set_shape([None, None, 3])
    image = orient(to_channels(image, 3, channels), orientation)
    return image if size is None else fit_to_size(image, size)
