"""The checks run on every file before loading: Pillow reads what each page holds.

Each page gets a :class:`PageInfo`: its size, its EXIF orientation, and which
decoder reads it. JPEG and PNG decode inside the ``tf.data`` graph
(``tf.io.decode_jpeg`` / ``decode_png``); every other format, and a JPEG that
does not end with its end-of-image marker (likely truncated), is read by Pillow.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import struct
import warnings
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from finvision.data.report import UnreadableImageError

#: File name endings the folder loader reads (compared in lower case).
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")

#: EXIF tag of the orientation (values 1 to 8).
ORIENTATION_TAG = 0x0112

_GRAY_MODES = {"1", "L", "I;16", "I;16B", "I;16L", "I;16N"}
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
_UNSUPPORTED_MODES = {"I": "32-bit integer", "F": "32-bit float"}


@dataclasses.dataclass(frozen=True)
class PageInfo:
    """How one page of an image file is decoded.

    Attributes:
        page: the page index (0 for single-page files).
        height: height of the decoder's output, in pixels.
        width: width of the decoder's output, in pixels.
        decoder: ``"jpeg"``, ``"png"`` (8 bits per sample), ``"png16"`` (16 bits),
            ``"pillow"`` or ``"pillow16"`` (16-bit gray).
        channels: samples per pixel the decoder yields: 1 (gray), 3 (RGB) or 4
            (RGB with alpha).
        orientation: the EXIF orientation still to apply to the decoder's output,
            1 (none) to 8. Pillow applies a page's orientation itself, so pages
            it decodes have orientation 1 and their upright size.

    Example:
    >>> PageInfo(0, 480, 640, "jpeg", 3, orientation=6).upright_size
    (640, 480)
    """

    page: int
    height: int
    width: int
    decoder: str
    channels: int
    orientation: int = 1

    @property
    def upright_size(self) -> tuple[int, int]:
        """``(height, width)`` once the EXIF orientation is applied."""
        return (self.width, self.height) if self.orientation >= 5 else (self.height, self.width)


def check_pixel_limit(width: int, height: int) -> None:
    """Raises if a page is larger than Pillow's decompression-bomb limit.

    The limit is ``PIL.Image.MAX_IMAGE_PIXELS`` (set it to None to lift it).

    Args:
        width: page width in pixels.
        height: page height in pixels.

    Raises:
        ValueError: if ``width * height`` exceeds the limit.

    Example:
    >>> check_pixel_limit(640, 480)
    """
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > limit:
        raise ValueError(
            f"decompression bomb: {width} x {height} = {width * height:,} pixels exceeds "
            f"PIL.Image.MAX_IMAGE_PIXELS ({limit:,})"
        )


def channels_for_mode(mode: str, transparency: bool) -> int:
    """The channels a Pillow mode is read as: 1, 3 or 4 (with alpha).

    Args:
        mode: a Pillow image mode.
        transparency: whether the image has a transparent colour or palette entry.

    Returns:
        1 for gray modes (bilevel, 8- and 16-bit), 4 when there is alpha or
        transparency, else 3.

    Raises:
        ValueError: for 32-bit integer and float modes, which have no pixel scale.

    Example:
    >>> [channels_for_mode(mode, False) for mode in ("1", "I;16", "CMYK", "LA")]
    [1, 1, 3, 4]
    >>> channels_for_mode("P", True)
    4
    """
    if mode in _UNSUPPORTED_MODES:
        raise ValueError(f"unsupported pixel mode {mode!r} ({_UNSUPPORTED_MODES[mode]})")
    if mode in _ALPHA_MODES or transparency:
        return 4
    return 1 if mode in _GRAY_MODES else 3


def _orientation(image: Image.Image) -> int:
    # A PNG keeps its EXIF in an eXIf chunk before the pixel data; Pillow would
    # decode the whole image to look for one after it, so only that case is read.
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    value = image.getexif().get(ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _ends_with_eoi(handle: BinaryIO) -> bool:
    position = handle.tell()
    handle.seek(-2, os.SEEK_END)
    tail = handle.read(2)
    handle.seek(position)
    return tail == b"\xff\xd9"


def _stored_size(image: Image.Image) -> tuple[int, int]:
    # Recent Pillow reports a TIFF's upright size; its tags keep the stored one.
    if image.format == "TIFF":
        return image.tag_v2.get(257, image.height), image.tag_v2.get(256, image.width)
    return image.height, image.width


def _page_info(image: Image.Image, page: int, handle: BinaryIO) -> PageInfo:
    check_pixel_limit(image.width, image.height)
    channels = channels_for_mode(image.mode, "transparency" in image.info)
    height, width = _stored_size(image)
    orientation = _orientation(image)
    if image.format == "JPEG" and _ends_with_eoi(handle):
        return PageInfo(page, height, width, "jpeg", channels, orientation)
    if image.format == "PNG":
        rawmode = str(image.tile[0][3]) if image.tile else ""
        decoder = "png16" if ";16" in rawmode or image.mode.startswith("I;16") else "png"
        return PageInfo(page, height, width, decoder, channels, orientation)
    if orientation >= 5:
        height, width = width, height
    decoder = "pillow16" if image.mode.startswith("I;16") else "pillow"
    return PageInfo(page, height, width, decoder, channels)


#: What Pillow raises on a corrupt file: beside OSError and ValueError, its
#: plugins let KeyError, TypeError, IndexError and struct.error escape from
#: malformed tags (found by fuzzing TIFF files).
PILLOW_ERRORS = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    KeyError,
    TypeError,
    IndexError,
    struct.error,
    Image.DecompressionBombError,
)


def describe_error(error: Exception) -> str:
    """Says in plain words why a file could not be read.

    Args:
        error: what opening, checking or decoding the file raised.

    Returns:
        A short reason for reports and error messages.

    Example:
    >>> describe_error(FileNotFoundError("x.png"))
    'file not found'
    """
    if isinstance(error, FileNotFoundError):
        return "file not found"
    if isinstance(error, IsADirectoryError):
        return "a folder, not a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, UnidentifiedImageError):
        return "not an image file Pillow can identify"
    if isinstance(error, Image.DecompressionBombError):
        return f"decompression bomb ({error})"
    if isinstance(error, ValueError):
        return str(error)
    return f"corrupt or truncated ({type(error).__name__}: {error})"


def probe_image(path: str, *, all_pages: bool = True) -> list[PageInfo]:
    """Reads what an image file holds, without decoding its pixels.

    Pillow opens the file and reads each page's header; a PNG's chunk checksums
    are verified to the end of the file. Nothing is written.

    Args:
        path: the file.
        all_pages: read every page of a multi-page TIFF; False reads the first.

    Returns:
        One :class:`PageInfo` per page.

    Raises:
        UnreadableImageError: if the file is missing, empty, not an image,
            larger than ``PIL.Image.MAX_IMAGE_PIXELS``, corrupt, or truncated in a
            way the header or checksums show.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gray.png"
    >>> Image.new("L", (4, 3)).save(path)
    >>> probe_image(str(path))
    [PageInfo(page=0, height=3, width=4, decoder='png', channels=1, orientation=1)]
    """
    try:
        kind = _special_file_kind(path)
        if kind:  # opening a named pipe would wait for a writer forever
            raise ValueError(f"not a regular file but {kind}")
        if os.path.getsize(path) == 0:
            raise ValueError("empty file (0 bytes)")
        with open(path, "rb") as handle, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:
                pages = [_page_info(image, 0, handle)]
                count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
                for page in range(1, count if all_pages else 1):
                    image.seek(page)
                    pages.append(_page_info(image, page, handle))
            if pages[0].decoder.startswith("png"):
                handle.seek(0)
                with Image.open(handle) as image:
                    image.verify()
    except PILLOW_ERRORS as error:
        raise UnreadableImageError(path, describe_error(error)) from error
    return pages


def _special_file_kind(path: str) -> str:
    """What ``path`` is when it is a pipe, socket or device ("" otherwise).

    Directories are left to the checks that follow, which name them.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""  # missing or unreadable: reported by the checks that follow
    kinds = {
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    return next((kind for test, kind in kinds.items() if test(mode)), "")
