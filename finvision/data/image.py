"""``load_image``: one file, loaded exactly as the dataset loaders load it."""

from __future__ import annotations

import os
import re

import numpy as np
import tensorflow as tf

from finvision._validation import check_choice
from finvision.data import _checks
from finvision.data.decode import PageDecoder
from finvision.data.pipeline import plan_page
from finvision.data.probe import probe_image
from finvision.data.report import LoadReport, UnreadableImageError
from finvision.data.resize import fit_to_size


def load_image(
    path: str | os.PathLike,
    *,
    image_size: tuple[int, int] | None = None,
    color_mode: str = "rgb",
    keep_aspect: bool = False,
    interpolation: str = "bilinear",
    page: int = 0,
) -> np.ndarray:
    """Loads one image file with the checks and pixel conventions of the loaders.

    Use it to serve a model trained on :func:`from_directory` or
    :func:`from_csv` data: a file gives the same pixels here as in the dataset.

    Args:
        path: the file.
        image_size: ``(height, width)`` to resize to; None keeps the upright
            stored size (and decodes JPEG at full scale).
        color_mode: ``"rgb"`` or ``"grayscale"``.
        keep_aspect: letterbox onto white instead of stretching.
        interpolation: a ``tf.image.resize`` method.
        page: the page of a multi-page TIFF.

    Returns:
        float32 pixels ``(height, width, C)`` in [0, 255].

    Raises:
        UnreadableImageError: if the file is missing, empty, not an image, too
            large for ``PIL.Image.MAX_IMAGE_PIXELS``, corrupt or truncated.
        ValueError: for invalid arguments or a page the file does not have.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "id.png"
    >>> Image.new("RGBA", (4, 2), (0, 0, 0, 0)).save(path)  # fully transparent
    >>> load_image(path, color_mode="grayscale")[..., 0].tolist()
    [[255.0, 255.0, 255.0, 255.0], [255.0, 255.0, 255.0, 255.0]]
    """
    path = os.fspath(path)
    channels = _checks.COLOR_MODES[check_choice("color_mode", color_mode, ("rgb", "grayscale"))]
    size = None if image_size is None else _checks.image_size(image_size)
    interpolation = check_choice("interpolation", interpolation, _checks.INTERPOLATIONS)
    pages = probe_image(path, all_pages=page != 0)
    if not isinstance(page, int) or not 0 <= page < len(pages):
        raise ValueError(
            f"`page` must be an int in [0, {len(pages)}) for {path!r}, received {page!r}."
        )
    info = pages[page]
    scale, content = (1, None) if size is None else plan_page(info, size, keep_aspect)
    decoder = PageDecoder(
        [(info.decoder, info.channels, scale)],
        channels,
        info.orientation != 1,
        "raise",
        LoadReport(path),
    )
    try:
        image, _ = decoder(
            tf.constant(path), tf.constant(page), tf.constant(0), tf.constant(info.orientation)
        )
    except tf.errors.InvalidArgumentError as error:  # TensorFlow's JPEG or PNG decoder
        reason = re.sub(r"\{\{.*?\}\}\s*|\s*\[Op:.*$", "", error.message)
        raise UnreadableImageError(path, f"corrupt or truncated ({reason})") from error
    if size is not None:
        image = fit_to_size(
            image, size, content=tf.constant(content) if keep_aspect else None, method=interpolation
        )
    return tf.cast(image, tf.float32).numpy()
