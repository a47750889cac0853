"""Whole document pages as a camera or scanner sees them, with their text zones marked.

A page is a passport data page (TD3), an ID card (TD1, TD2), a cheque or a
card without a machine-readable zone, drawn flat (security paper, a portrait,
printed fields, the MRZ or MICR line), then placed on a table and photographed:
turned by a quarter turn and up to ``max_rotation`` degrees more, seen in mild
perspective. The zone masks and the zone's quadrilateral follow the same warp
exactly, which is what a text-zone locator
(:class:`~finvision.models.TextZoneLocator`) is trained on.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from finvision._validation import is_number
from finvision.data.synthetic._checks import check_size
from finvision.data.synthetic._random import PAGE_STREAM, pick, sample_generators
from finvision.data.synthetic.cheques import _background, draw_cheque
from finvision.data.synthetic.documents import draw_portrait
from finvision.data.synthetic.fonts import resolve_font
from finvision.data.synthetic.mrz import draw_mrz_block, random_fields
from finvision.documents.mrz import ParsedMRZ

#: What a page can show: the MRZ formats, a cheque (MICR line) or a card with neither.
PAGE_KINDS = ("TD3", "TD1", "TD2", "cheque", "card")
#: The zones marked in :attr:`DocumentPage.zones`, one channel each, in this order.
ZONES = ("mrz", "micr")
#: Width / height of each kind of document (ICAO 9303 sizes; a US cheque).
_ASPECTS = {"TD3": 125 / 88, "TD1": 85.6 / 54, "TD2": 105 / 74, "cheque": 6 / 2.75, "card": 1.586}
#: Drawn at this many times the size they take on the page, then warped down.
_SUPERSAMPLING = 2
#: Documents are drawn at least this wide, however small they appear.
_SMALLEST_WIDTH = 320
_TITLES = ("PASSPORT", "IDENTITY CARD", "RESIDENCE PERMIT", "VISA", "DRIVING LICENCE")
_LABELS = ("Surname", "Given names", "Nationality", "Date of birth", "Sex", "Date of expiry")


@dataclasses.dataclass(frozen=True)
class DocumentPage:
    """A photographed document and where its text zone is.

    Attributes:
        image: RGB uint8 ``(height, width, 3)``.
        kind: one of :data:`PAGE_KINDS`.
        zones: uint8 ``(height, width, len(ZONES))``, 1 inside each zone (the
            band of the MRZ's lines, the MICR line), else 0.
        quad: float32 ``(4, 2)`` ``(x, y)`` image coordinates of the zone's
            corners in reading order (top-left, top-right, bottom-right,
            bottom-left of the text as read), or None for a ``"card"``.
        lines: the zone's text lines (the MRZ lines or the MICR transcript).

    Example:
    >>> page = document_pages(1, seed=0, kinds=["TD1"], size=(128, 128))[0]
    >>> page.image.shape, page.zones.shape, len(page.lines)
    ((128, 128, 3), (128, 128, 2), 3)
    """

    image: np.ndarray
    kind: str
    zones: np.ndarray
    quad: np.ndarray | None
    lines: tuple[str, ...]


def document_pages(
    count: int,
    *,
    seed: int,
    size: Sequence[int] = (256, 256),
    kinds: Sequence[str] = PAGE_KINDS,
    max_rotation: float = 15.0,
    quarter_turns: bool = True,
    font_path: str | os.PathLike | None = None,
) -> list[DocumentPage]:
    """Photos of documents on a table, with their MRZ and MICR zones marked.

    Each page draws a kind from ``kinds`` uniformly, fills 55-95% of the
    frame, is turned by ``k * 90`` degrees (``k`` random when
    ``quarter_turns``) plus up to ``max_rotation`` degrees, and its corners
    move up to 4% of the frame (perspective). The table is a flat, graded,
    textured or cluttered surface. Add capture nuisance (blur, noise, JPEG,
    light) with :class:`~finvision.preprocessing.DocumentAugmentation` in the
    dict form, which moves masks and corners along.

    Args:
        count: how many pages.
        seed: a non-negative int; page ``i`` depends only on ``seed`` and ``i``.
        size: ``(height, width)`` of the photos.
        kinds: the kinds to draw from (see :data:`PAGE_KINDS`).
        max_rotation: the largest turn, in degrees, besides quarter turns, in [0, 45].
        quarter_turns: whether pages may also lie at 90, 180 or 270 degrees.
        font_path: a font file instead of OCR-B for the MRZ and cheques.

    Returns:
        ``count`` :class:`DocumentPage`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``size``, ``kinds`` or ``max_rotation``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> pages = document_pages(2, seed=0, kinds=["TD3", "cheque"], size=(96, 96))
    >>> [(page.kind, page.zones.reshape(-1, 2).max(axis=0).tolist()) for page in pages]
    [('TD3', [1, 0]), ('cheque', [0, 1])]
    """
    height, width = check_size(size, minimum=32)
    kinds = _check_kinds(kinds)
    if not is_number(max_rotation) or not 0 <= max_rotation <= 45:
        raise ValueError(f"`max_rotation` must be a number in [0, 45]; received {max_rotation!r}.")
    font = resolve_font(font_path)
    return [
        _page(rng, pick(rng, kinds), (height, width), max_rotation, quarter_turns, font)
        for rng in sample_generators(PAGE_STREAM, seed, count)
    ]


def _check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    if isinstance(kinds, str) or not kinds or not set(kinds) <= set(PAGE_KINDS):
        raise ValueError(f"`kinds` must be a non-empty list of {PAGE_KINDS}; received {kinds!r}.")
    return tuple(kinds)


def _page(
    rng: np.random.Generator,
    kind: str,
    size: tuple[int, int],
    max_rotation: float,
    quarter_turns: bool,
    font: str,
) -> DocumentPage:
    turns = int(rng.integers(0, 4)) if quarter_turns else 0
    angle = np.deg2rad(90.0 * turns + rng.uniform(-max_rotation, max_rotation))
    corners = _placed_corners(rng, _ASPECTS[kind], angle, size)
    document_width = max(
        _SMALLEST_WIDTH, round(_SUPERSAMPLING * np.linalg.norm(corners[1] - corners[0]))
    )
    document_height = round(document_width / _ASPECTS[kind])
    document, zones, box, lines = _document(rng, kind, (document_height, document_width), font)
    flat = np.array(
        [[0, 0], [document_width, 0], [document_width, document_height], [0, document_height]],
        np.float64,
    )
    to_page = _homography(flat, corners)
    image = _warp(Image.fromarray(document), to_page, size, _table(rng, size))
    masks = [
        np.asarray(_warp(Image.fromarray(mask * 255), to_page, size, Image.new("L", size[::-1])))
        for mask in zones
    ]
    quad = None if box is None else _apply(to_page, box).astype(np.float32)
    return DocumentPage(
        image=np.asarray(image.convert("RGB")),
        kind=kind,
        zones=(np.stack(masks, axis=-1) >= 128).astype(np.uint8),
        quad=quad,
        lines=lines,
    )


def _placed_corners(
    rng: np.random.Generator, aspect: float, angle: float, size: tuple[int, int]
) -> np.ndarray:
    """Where the document's corners land in the photo: turned, scaled, moved, in perspective."""
    height, width = size
    unit = np.array([[-aspect, -1], [aspect, -1], [aspect, 1], [-aspect, 1]], np.float64) / 2
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    turned = unit @ turn.T
    extent = turned.max(axis=0) - turned.min(axis=0)
    scale = rng.uniform(0.55, 0.95) * min(width / extent[0], height / extent[1])
    placed = turned * scale
    slack = np.array([width, height]) - (placed.max(axis=0) - placed.min(axis=0))
    offset = rng.uniform(0.0, 1.0, 2) * slack - placed.min(axis=0)
    jitter = rng.uniform(-0.04, 0.04, (4, 2)) * np.array([width, height])
    return placed + offset + jitter


def _homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3x3 projective map taking the 4 ``source`` points to the 4 ``target`` points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.extend((u, v))
    solution = np.linalg.solve(np.array(rows), np.array(values))
    return np.append(solution, 1.0).reshape(3, 3)


def _apply(homography: np.ndarray, points: np.ndarray) -> np.ndarray:
    projected = np.c_[points, np.ones(len(points))] @ homography.T
    return projected[:, :2] / projected[:, 2:]


def _warp(image: Image.Image, to_page: np.ndarray, size: tuple[int, int], base: Image.Image):
    """``image`` drawn onto ``base`` (the page's size) through ``to_page``."""
    to_document = np.linalg.inv(to_page)
    coefficients = (to_document / to_document[2, 2]).ravel()[:8]
    warped = image.transform(
        size[::-1], Image.Transform.PERSPECTIVE, tuple(coefficients), Image.Resampling.BILINEAR
    )
    inside = Image.new("L", image.size, 255).transform(
        size[::-1], Image.Transform.PERSPECTIVE, tuple(coefficients), Image.Resampling.BILINEAR
    )
    base = base.convert(warped.mode)
    base.paste(warped, (0, 0), inside)
    return base


def _table(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """What the document lies on: flat, graded, textured or cluttered."""
    height, width = size
    colour = rng.uniform(20, 235, 3)
    y = np.linspace(-1, 1, height)[:, None, None]
    x = np.linspace(-1, 1, width)[None, :, None]
    grade = rng.uniform(-40, 40, 3) * x + rng.uniform(-40, 40, 3) * y
    coarse = rng.normal(0, rng.uniform(0, 30), (max(2, height // 16), max(2, width // 16), 3))
    texture = Image.fromarray(np.clip(coarse + 128, 0, 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    pixels = colour + grade + (np.asarray(texture, np.float64) - 128)
    table = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(table)
    for _ in range(int(rng.integers(0, 4))):  # clutter: other papers, printed text
        left, top = rng.uniform(0, width), rng.uniform(0, height)
        right, bottom = left + rng.uniform(0.1, 0.5) * width, top + rng.uniform(0.1, 0.5) * height
        draw.rectangle(
            (left, top, right, bottom), fill=tuple(int(v) for v in rng.integers(150, 256, 3))
        )
        _print(draw, rng, (left, top), max(6.0, rng.uniform(0.02, 0.05) * height), 30)
    return table


def _print(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    at: tuple[float, float],
    size: float,
    ink: int,
) -> None:
    """A few words of printed text in Pillow's own font (not OCR-B)."""
    words = " ".join(pick(rng, _LABELS + _TITLES) for _ in range(int(rng.integers(1, 4))))
    draw.text(at, words, fill=(ink, ink, ink + 10), font=ImageFont.load_default(size))


def _document(
    rng: np.random.Generator, kind: str, size: tuple[int, int], font: str
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray | None, tuple[str, ...]]:
    """The flat document: RGB pixels, a mask per zone, the zone's corners and its lines."""
    height, width = size
    empty = np.zeros((height, width), np.uint8)
    if kind == "cheque":
        cheque = draw_cheque(rng, (height, width), font)
        top, left, bottom, right = cheque.boxes["micr"]
        micr = empty.copy()
        micr[top:bottom, left:right] = 1
        return cheque.image, [empty, micr], _corners(top, left, bottom, right), (cheque.micr,)
    card = Image.fromarray(_background(rng, height, width))
    draw = ImageDraw.Draw(card)
    text_size = max(6.0, height * rng.uniform(0.045, 0.07))
    _print(draw, rng, (width * 0.05, height * 0.03), text_size * 1.3, int(rng.integers(20, 90)))
    photo_bottom = 0.6 if kind != "card" else 0.85
    photo = (
        round(width * 0.04),
        round(height * 0.2),
        round(width * 0.3),
        round(height * photo_bottom),
    )
    draw_portrait(draw, photo, rng)
    if kind == "card":
        for row in range(int(rng.integers(3, 8))):
            _print(draw, rng, (width * 0.34, height * (0.2 + row * 0.1)), text_size, 40)
        return np.asarray(card), [empty, empty], None, ()
    mrz = random_fields(rng, kind)
    _print_fields(draw, mrz, (width * 0.34, height * 0.2), text_size, height * 0.6)
    return _with_mrz(np.asarray(card).copy(), mrz, rng, font)


def _print_fields(
    draw: ImageDraw.ImageDraw, mrz: ParsedMRZ, at: tuple[float, float], size: float, bottom: float
) -> None:
    """The visual zone: labels and values above the MRZ, as far down as ``bottom``."""
    values = (
        mrz.surname,
        mrz.given_names,
        mrz.nationality,
        mrz.birth_date,
        mrz.sex,
        mrz.expiry_date,
    )
    label_font, value_font = ImageFont.load_default(size * 0.6), ImageFont.load_default(size)
    x, y = at
    for label, value in zip(_LABELS, values, strict=True):
        if y + 1.7 * size > bottom:
            return
        draw.text((x, y), label, fill=(90, 90, 110), font=label_font)
        draw.text((x, y + 0.65 * size), value.replace("<", " "), fill=(20, 20, 30), font=value_font)
        y += 1.75 * size


def _with_mrz(
    card: np.ndarray, mrz: ParsedMRZ, rng: np.random.Generator, font: str
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, tuple[str, ...]]:
    """Prints the MRZ across the bottom of ``card``, 86-92% of its width."""
    height, width = card.shape[:2]
    block = draw_mrz_block(mrz, 32, font, rng)
    ink_width = max(right for _, _, _, right in block.line_boxes)
    scale = rng.uniform(0.86, 0.92) * width / ink_width
    zone_width = max(1, round(block.image.shape[1] * scale))
    zone_height = max(len(mrz.lines), round(block.image.shape[0] * scale))
    zone = np.asarray(
        Image.fromarray(block.image)
        .resize((zone_width, zone_height), Image.Resampling.LANCZOS)
        .filter(ImageFilter.GaussianBlur(0.3))
    )
    zone_height = min(zone_height, height - 1)
    top = max(0, height - zone_height - round(height * rng.uniform(0.03, 0.08)))
    left = max(0, round((width - ink_width * scale) / 2))
    zone = zone[:zone_height, : width - left]
    region = card[top : top + zone.shape[0], left : left + zone.shape[1]]
    paper = max(1.0, float(np.percentile(zone, 90)))
    shade = np.minimum(zone.astype(np.float32)[..., None] / paper, 1.0)  # on the card's own paper
    region[...] = np.rint(region * shade).astype(np.uint8)
    bottom, right = top + zone.shape[0], left + min(zone.shape[1], round(ink_width * scale))
    mask = np.zeros((height, width), np.uint8)
    mask[top:bottom, left:right] = 1
    empty = np.zeros_like(mask)
    return card, [mask, empty], _corners(top, left, bottom, right), mrz.lines


def _corners(top: float, left: float, bottom: float, right: float) -> np.ndarray:
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], np.float64)
