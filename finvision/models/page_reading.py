"""A page in, fields out: ``read_mrz`` and ``read_micr``.

Each reads a photo or scan of a whole document in four steps:

1. locate: the shipped :class:`~finvision.models.TextZoneLocator` (preset
   ``"zones"``) marks the zone's pixels on the page letterboxed to 256x256;
2. rectify: the largest blob's oriented box, grown by a margin, is cut out of
   the full-resolution page and turned upright (both ways round: a page may
   lie upside down); when what it holds does not pass its checks, the next
   largest blobs (up to three in all) are tried in turn;
3. split: the upright zone's row profile gives its lines, each cropped with
   the glyphs at about 55% of the crop's height, as the readers expect;
4. read: the shipped line readers (presets ``"mrz"`` and ``"micr"``) read the
   lines; an MRZ is decoded under ICAO 9303's character classes and check
   digits (:func:`~finvision.documents.decode_mrz`), a MICR line parsed
   (:func:`~finvision.documents.parse_micr`). The way round the reader is
   surer of is decoded first; the other only when the first does not hold.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Sequence
from typing import Any

import keras
import numpy as np
from PIL import Image

from finvision.documents import (
    ParsedMICR,
    ParsedMRZ,
    decode_mrz,
    parse_micr,
    without_stray_amount_symbol,
)
from finvision.models._zone_geometry import (
    grown,
    letterbox,
    line_bands,
    rectify,
    skew,
    turned,
    zone_candidates,
    zone_quad,
)
from finvision.models.presets import load_preset

#: Side of the square the locator reads.
LOCATOR_SIDE = 256
#: Height of each expected text line in the rectified zone.
_LINE_PIXELS = 48
#: The crop around a line's ink band, its height over the band's, as the
#: shipped readers were trained: OCR-B capitals at 0.3-0.8 of the line height,
#: E-13B glyphs (which fill their box) at 0.62-0.82.
_CROP_OVER_INK = {"mrz": 2.0, "micr": 1.4}
#: The margin above and below the located zone, in zone thicknesses.
_MARGIN = 0.3
#: The margin at both ends of the located zone, in (expected) line heights: a
#: cheque's MICR line lies in a clear band, an MRZ near the card's edge.
_END_MARGIN = {"mrz": 0.8, "micr": 1.5}
#: Line batches are padded with paper to a multiple of this width, and with
#: blank lines to a multiple of this many lines: few shapes, few traces.
_WIDTH_BUCKET = 512
_BATCH_BUCKET = 2
#: The locator's map is read in cells of this many pixels square (its stride).
_CELL = 4
#: The smallest blob, in cells, taken for a zone.
_MIN_ZONE_CELLS = 3
#: How many of the largest blobs may be read, one after another, until one holds.
_CANDIDATES = 3


@dataclasses.dataclass(frozen=True)
class PageReading:
    """What :func:`read_mrz` or :func:`read_micr` read on a page.

    Attributes:
        kind: ``"mrz"`` or ``"micr"``.
        lines: the text lines read, top first.
        parsed: the fields and the checks that failed: a
            :class:`~finvision.documents.ParsedMRZ` or
            :class:`~finvision.documents.ParsedMICR`.
        confidence: in [0, 1]. For an MRZ the chance that the reading is right
            given that its check digits hold (0 when they do not, see
            :class:`~finvision.documents.MRZReading`); for a MICR line the
            line confidence (:func:`~finvision.models.text_recognition.greedy_confidence`).
        quad: float32 ``(4, 2)`` ``(x, y)`` page pixels of the zone's corners
            in reading order: top-left, top-right, bottom-right, bottom-left of
            the text as read.
        zone_probability: the locator's mean probability over the zone's blob.

    Example:
    >>> from finvision.documents import parse_micr
    >>> quad = np.array([[0, 0], [90, 0], [90, 10], [0, 10]], np.float32)
    >>> PageReading("micr", ("T021000021T1234U",), parse_micr("T021000021T1234U"), 0.9,
    ...             quad, 0.8).valid
    True
    """

    kind: str
    lines: tuple[str, ...]
    parsed: ParsedMRZ | ParsedMICR
    confidence: float
    quad: np.ndarray
    zone_probability: float

    @property
    def valid(self) -> bool:
        """Whether every check holds and every field has its form."""
        return self.parsed.valid


def read_mrz(
    image: str | os.PathLike | np.ndarray,
    *,
    locator: keras.Model | None = None,
    reader: keras.Model | None = None,
) -> PageReading | None:
    """Finds, reads and checks the machine-readable zone of a passport, ID card or visa.

    Args:
        image: a path (any format :func:`finvision.data.load_image` reads,
            EXIF orientation applied) or a uint8 array ``(H, W)`` or
            ``(H, W, 1 | 3 | 4)``: a photo or scan of the whole data page or
            card, in any quarter turn, turned up to about 15 degrees more.
        locator: a :class:`~finvision.models.TextZoneLocator` with an ``"mrz"``
            zone; default the shipped preset ``"zones"``.
        reader: an MRZ :class:`~finvision.models.TextLineRecognizer`; default
            the shipped preset ``"mrz"``.

    Returns:
        A :class:`PageReading` (``parsed`` a
        :class:`~finvision.documents.ParsedMRZ`), or None when no MRZ is found.

    Raises:
        ValueError: for an array of another dtype, rank or channel count, or
            a ``locator`` without an ``"mrz"`` zone.
        UnreadableImageError: for a path that is not a readable image.

    Example:
    >>> from finvision.data import synthetic
    >>> page = synthetic.document_pages(1, seed=1, kinds=["TD3"], size=(600, 800))[0]
    >>> reading = read_mrz(page.image)
    >>> reading.lines == page.lines, reading.valid
    (True, True)
    """
    return _read_page(image, "mrz", locator, reader)


def read_micr(
    image: str | os.PathLike | np.ndarray,
    *,
    locator: keras.Model | None = None,
    reader: keras.Model | None = None,
) -> PageReading | None:
    """Finds, reads and parses the MICR line of a cheque.

    Args:
        image: a path or a uint8 array, as for :func:`read_mrz`: a photo or
            scan of the whole cheque.
        locator: a :class:`~finvision.models.TextZoneLocator` with a ``"micr"``
            zone; default the shipped preset ``"zones"``.
        reader: a MICR :class:`~finvision.models.TextLineRecognizer`; default
            the shipped preset ``"micr"``.

    A line that ends in an amount symbol without the amount field before it
    (ten digits between two amount symbols) has that symbol dropped: no
    cheque is printed so, and the reader adds one at the end of some lines.

    Returns:
        A :class:`PageReading` (``parsed`` a
        :class:`~finvision.documents.ParsedMICR`), or None when no MICR line is found.

    Raises:
        ValueError: for an array of another dtype, rank or channel count, or
            a ``locator`` without a ``"micr"`` zone.
        UnreadableImageError: for a path that is not a readable image.

    Example:
    >>> from finvision.data import synthetic
    >>> page = synthetic.document_pages(1, seed=4, kinds=["cheque"], size=(600, 800))[0]
    >>> reading = read_micr(page.image)
    >>> reading.lines == page.lines
    True
    """
    return _read_page(image, "micr", locator, reader)


@functools.cache
def _shipped(name: str) -> keras.Model:
    return load_preset(name)


def _read_page(
    image: Any, kind: str, locator: keras.Model | None, reader: keras.Model | None
) -> PageReading | None:
    locator = locator if locator is not None else _shipped("zones")
    reader = reader if reader is not None else _shipped(kind)
    zones = tuple(getattr(locator, "zones", ()))
    if kind not in zones:
        raise ValueError(f"`locator` must have a {kind!r} zone; its zones are {zones}.")
    page = _page_pixels(image)
    gray = Image.fromarray(np.clip(np.rint(page @ [0.299, 0.587, 0.114]), 0, 255).astype(np.uint8))
    located = _locate(page, locator, zones.index(kind))
    return _first_that_holds(
        _read_zone(gray, quad, probability, kind, reader) for quad, probability in located
    )


def _first_that_holds(readings: Iterable[PageReading | None]) -> PageReading | None:
    """The first reading whose checks hold, else the surest; stops at the first that holds."""
    seen = []
    for reading in readings:
        if reading is not None and reading.valid:
            return reading
        seen += [reading] if reading is not None else []
    return max(seen, key=lambda reading: reading.confidence, default=None)


def _read_zone(
    gray: Image.Image, quad: np.ndarray, probability: float, kind: str, reader: keras.Model
) -> PageReading | None:
    """The zone inside ``quad`` read both ways round: the first that holds, or the surer."""
    upright = _zone_lines(gray, quad, kind)
    if not upright:
        return None
    upside_down = [np.rot90(line, 2) for line in reversed(upright)]
    logits = _logits(reader, upright + upside_down)
    ways = [(logits[: len(upright)], quad), (logits[len(upright) :], quad[[2, 3, 0, 1]])]
    ways.sort(key=lambda way: -_greedy_confidence(reader, way[0]))  # likelier way first
    return _first_that_holds(
        _reading(kind, way_logits, reader, way_quad, probability) for way_logits, way_quad in ways
    )


def _page_pixels(image: Any) -> np.ndarray:
    """The page as float32 RGB ``(H, W, 3)`` in [0, 255]."""
    if isinstance(image, (str, os.PathLike)):
        from finvision.data import load_image  # reads files: TensorFlow's decoders

        return load_image(image)
    pixels = np.asarray(image)
    if (
        pixels.dtype != np.uint8
        or pixels.ndim not in (2, 3)
        or (pixels.ndim == 3 and pixels.shape[2] not in (1, 3, 4))
    ):
        raise ValueError(
            "`image` must be a path or a uint8 array (H, W) or (H, W, 1 | 3 | 4); received "
            f"{pixels.dtype} array of shape {pixels.shape}."
        )
    if min(pixels.shape[:2]) < 16:
        raise ValueError(f"`image` must be at least 16x16 pixels; received {pixels.shape[:2]}.")
    pixels = pixels.reshape(*pixels.shape[:2], -1)[..., :3].astype(np.float32)
    return np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels


def _locate(page: np.ndarray, locator: keras.Model, channel: int) -> list[tuple[np.ndarray, float]]:
    """The candidate zones, likeliest first: quads in page pixels, the mean probability over each.

    The largest blob is the likeliest; the next ones are read only when it does
    not hold (printed fields in bold type that the locator took for a zone).
    """
    square, box = letterbox(page, LOCATOR_SIDE)
    probabilities = np.asarray(locator.predict_on_batch(square[None]))[0, ..., channel]
    cells = LOCATOR_SIDE // _CELL
    pooled = probabilities.reshape(cells, _CELL, cells, _CELL).mean(axis=(1, 3))
    located = []
    for points in zone_candidates(pooled > 0.5, bridge=1, limit=_CANDIDATES):
        if len(points) < _MIN_ZONE_CELLS:
            break
        probability = float(pooled[points[:, 1].astype(int), points[:, 0].astype(int)].mean())
        # cell c covers the pixels 4c .. 4c + 3, whose centres average 4c + 1.5
        located.append((box.to_page(_CELL * zone_quad(points) + (_CELL - 1) / 2), probability))
    return located


def _zone_lines(gray: Image.Image, quad: np.ndarray, kind: str) -> list[np.ndarray]:
    """The line crops of the zone inside ``quad``, top first, in the quad's reading order."""
    thickness = np.linalg.norm(quad[3] - quad[0])
    expected_lines = 3 if kind == "mrz" else 1
    height = round(_LINE_PIXELS * expected_lines * (1 + 2 * _MARGIN))
    along = _END_MARGIN[kind] * thickness / expected_lines
    zone = rectify(gray, grown(quad, along, _MARGIN * thickness), height)
    zone = turned(zone, skew(zone))
    inside = (_MARGIN * height / (1 + 2 * _MARGIN), (1 + _MARGIN) * height / (1 + 2 * _MARGIN))
    bands = [band for band in line_bands(zone) if inside[0] <= sum(band) / 2 <= inside[1]]
    return [_crop(zone, band, _CROP_OVER_INK[kind]) for band in bands]


def _crop(zone: np.ndarray, band: tuple[int, int], over_ink: float) -> np.ndarray:
    """A line's rows, ``over_ink`` times its ink band high, padded with paper."""
    top, bottom = band
    centre, half = (top + bottom) / 2, over_ink * (bottom - top) / 2
    first, last = round(centre - half), round(centre + half)
    padded = np.pad(
        zone, ((max(0, -first), max(0, last - zone.shape[0])), (0, 0)), constant_values=255
    )
    return padded[max(0, first) : max(0, first) + last - first]


def _logits(reader: keras.Model, crops: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The reader's logits per line, from one batch of a few fixed shapes (few traces)."""
    from finvision.models.text_recognition import prepare_lines

    batch = prepare_lines(list(crops), reader.height, reader.channels)
    rows = -(-len(batch) // _BATCH_BUCKET) * _BATCH_BUCKET
    width = -(-batch.shape[2] // _WIDTH_BUCKET) * _WIDTH_BUCKET
    padding = ((0, rows - len(batch)), (0, 0), (0, width - batch.shape[2]), (0, 0))
    batch = np.pad(batch, padding, constant_values=255)
    return list(np.asarray(reader.predict_on_batch(batch))[: len(crops)])


def _greedy_confidence(reader: keras.Model, logits: list[np.ndarray]) -> float:
    """The least of the lines' greedy confidences."""
    return float(reader.decode(np.stack(logits))[1].min())


def _reading(
    kind: str, logits: list[np.ndarray], reader: keras.Model, quad: np.ndarray, probability: float
) -> PageReading | None:
    """The zone read from its lines' logits; None for an MRZ of other than 2 or 3 lines."""
    quad = quad.astype(np.float32)
    if kind == "micr":
        texts, confidence = reader.decode(np.stack(logits[:1]))
        text = without_stray_amount_symbol(texts[0])
        parsed = parse_micr(text)
        return PageReading("micr", (text,), parsed, float(confidence[0]), quad, probability)
    if len(logits) not in (2, 3):
        return None
    decoded = decode_mrz(logits, from_logits=True)
    confidence = float(decoded.confidence)
    return PageReading("mrz", decoded.lines, decoded.parsed, confidence, quad, probability)
