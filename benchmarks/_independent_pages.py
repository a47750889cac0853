"""Whole identity-document pages drawn by a renderer of their own, apart from finvision.

``benchmarks/documents.py`` judges finding and reading the machine-readable zone on a
whole page. Pages from finvision's training generators (``finvision.data.synthetic``)
would flatter the shipped models: they would be tested on the layouts, fonts and
nuisance they learnt. This renderer shares no code with them. It draws with Pillow and
NumPy only, with its own choices:

- the document at ICAO 9303 sizes (TD3 passport data page 125 x 88 mm, TD2 card
  105 x 74 mm, TD1 card 85.6 x 54 mm, its back, where the MRZ is): a guilloche-like
  background of overlapping sine curves, a portrait cropped from a scikit-image photo,
  labels and values in DejaVu Sans;
- the MRZ in OCR-B (Debian ``fonts-ocr-b``) at real proportions: 2.54 mm fixed pitch,
  glyphs 0.9-1.0 of the font's natural size at that pitch (tightly tracked), lines
  4.23 mm apart (TD3, TD2) or 3.7 mm (TD1), centred, near the bottom edge;
- the document laid on a table (a scikit-image photo) or a flat or graded colour, then
  captured under a named condition (:data:`CONDITIONS`): a flat scan, a page turned
  any way up, or a phone photo (perspective, uneven light, blur, noise, JPEG).

Only the MRZ text comes from finvision (``benchmarks/_independent_mrz.mrz_texts``, built
on ``finvision.documents.compose_mrz``), and ``finvision.documents.parse_mrz`` gives the
printed fields of the visual zone the same values.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import skimage.data
from _independent_mrz import FONT as OCR_B
from _independent_mrz import _word, mrz_texts
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from finvision.documents import parse_mrz

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
PITCH_MM = 2.54  # ICAO 9303: 10 characters per inch
OCR_B_ADVANCE = 0.723  # OCR-B's own character advance, in em
FORMATS = ("TD3", "TD1", "TD2")
_PORTRAITS = ("astronaut", "camera", "chelsea")
_TABLES = ("coffee", "rocket", "chelsea", "immunohistochemistry")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where things are on one format, in mm from the top-left corner."""

    size: tuple[float, float]  # width, height
    line_spacing: float  # between MRZ line centres
    bottom_line: float  # centre of the last MRZ line, from the bottom edge
    portrait: tuple[float, float, float, float]  # left, top, right, bottom
    fields: tuple[float, float, float, float]
    title: str
    back: bool  # the back of a card: faded portrait, no holder's name printed


_LAYOUTS = {
    "TD3": _Layout(
        size=(125.0, 88.0),
        line_spacing=4.23,
        bottom_line=6.35,
        portrait=(5, 15, 40, 60),
        fields=(45, 15, 121, 62),
        title="PASSPORT",
        back=False,
    ),
    "TD2": _Layout(
        size=(105.0, 74.0),
        line_spacing=4.23,
        bottom_line=6.35,
        portrait=(4, 13, 30, 47),
        fields=(34, 13, 101, 51),
        title="ID CARD",
        back=False,
    ),
    "TD1": _Layout(
        size=(85.6, 54.0),
        line_spacing=3.7,
        bottom_line=4.5,
        portrait=(64, 4, 81, 26),
        fields=(4, 5, 60, 35),
        title="",
        back=True,
    ),
}


@dataclasses.dataclass(frozen=True)
class Capture:
    """How a page is captured: the ranges that one condition draws from.

    Attributes:
        quadrants: the quarter turns (0-3) the page may lie at.
        tilt: the largest further in-plane rotation, degrees either way.
        perspective: the largest shift of a document corner, a share of its long side.
        light: the largest change of brightness across the page, a share.
        blur: the Gaussian blur radius range, px.
        noise: the range of the sensor noise's standard deviation, grey levels.
        jpeg: the JPEG quality range.
        backgrounds: what the document may lie on: "table", "flat", "gradient".
    """

    quadrants: tuple[int, ...]
    tilt: float
    perspective: float
    light: float
    blur: tuple[float, float]
    noise: tuple[float, float]
    jpeg: tuple[int, int]
    backgrounds: tuple[str, ...]


_ANY_WAY_UP = (0, 1, 2, 3)
_SURFACES = ("table", "flat", "gradient")
CONDITIONS = {
    "scan": Capture(
        quadrants=(0,),
        tilt=2.0,
        perspective=0.0,
        light=0.05,
        blur=(0.0, 0.5),
        noise=(0.5, 2.0),
        jpeg=(85, 95),
        backgrounds=("flat",),
    ),
    "rotated": Capture(
        quadrants=_ANY_WAY_UP,
        tilt=15.0,
        perspective=0.0,
        light=0.05,
        blur=(0.0, 0.5),
        noise=(0.5, 2.0),
        jpeg=(85, 95),
        backgrounds=_SURFACES,
    ),
    "phone": Capture(
        quadrants=_ANY_WAY_UP,
        tilt=15.0,
        perspective=0.06,
        light=0.4,
        blur=(0.3, 1.5),
        noise=(2.0, 8.0),
        jpeg=(50, 90),
        backgrounds=_SURFACES,
    ),
}


class DocumentPage(NamedTuple):
    """One rendered page and what is on it.

    Attributes:
        image: the page, ``(H, W, 3)`` uint8 RGB, 800-1600 px on the long side.
        lines: the MRZ lines printed on the document.
        format: "TD1", "TD2" or "TD3".
        quad: ``(4, 2)`` float, the corners of the MRZ's ink box in image pixels
            (x, y), in the document's own order: top-left, top-right, bottom-right,
            bottom-left as the text reads.
        condition: the capture condition, a key of :data:`CONDITIONS`.
    """

    image: np.ndarray
    lines: tuple[str, ...]
    format: str
    quad: np.ndarray
    condition: str


@functools.cache
def _photo(name: str) -> np.ndarray:
    image = getattr(skimage.data, name)()
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image[..., :3]


@functools.cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(OCR_B if name == "OCR-B" else DEJAVU / name), max(size, 1))


def _crop(photo: np.ndarray, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A random part of ``photo`` with the aspect of ``size`` (w, h), resized to it."""
    height, width = photo.shape[:2]
    crop_h = min(height, width * size[1] / size[0]) * rng.uniform(0.5, 1.0)
    crop_w = crop_h * size[0] / size[1]
    left, top = rng.uniform(0, width - crop_w), rng.uniform(0, height - crop_h)
    box = (left, top, left + crop_w, top + crop_h)
    return Image.fromarray(photo).resize(size, Image.Resampling.BICUBIC, box=box)


def _guilloche(image: Image.Image, paper: np.ndarray, rng: np.random.Generator) -> None:
    """Overlapping sine curves across the document, a few grey levels off the paper."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    x = np.arange(0, width + 4, 2.0)
    for _ in range(int(rng.integers(16, 32))):
        colour = np.clip(paper - rng.uniform(15, 45) * rng.dirichlet([1, 1, 1]) * 3, 0, 255)
        base = rng.uniform(0, height)
        amplitude, period = rng.uniform(0.03, 0.15) * height, rng.uniform(0.1, 0.4) * width
        y = base + amplitude * np.sin(2 * np.pi * x / period + rng.uniform(0, 2 * np.pi))
        draw.line(list(zip(x, y, strict=True)), fill=tuple(int(c) for c in colour), width=1)


def _date(yymmdd: str, century: int) -> str:
    month = _MONTHS[int(yymmdd[2:4]) - 1]
    return f"{yymmdd[4:]} {month} {century + int(yymmdd[:2])}"


def _printed_fields(
    lines: tuple[str, ...], rng: np.random.Generator, back: bool
) -> list[tuple[str, str]]:
    """The labels and values of the visual zone; the front's agree with the MRZ."""
    mrz = parse_mrz(lines)
    issue = f"{rng.integers(1, 29):02d} {rng.choice(_MONTHS)} {rng.integers(2000, 2030)}"
    if back:
        return [
            ("Address / Adresse", f"{rng.integers(1, 200)} {_word(rng, 4, 10)} STREET"),
            ("", f"{rng.integers(10000, 99999)} {_word(rng, 4, 9)}"),
            ("Height / Taille", f"1.{rng.integers(50, 99)} m"),
            ("Date of issue", issue),
            ("Authority / Autorité", _word(rng, 5, 10)),
        ]
    return [
        ("Type", mrz.document_type),
        ("Document No.", mrz.document_number),
        ("Surname / Nom", mrz.surname),
        ("Given names / Prénoms", mrz.given_names),
        ("Nationality", mrz.nationality),
        ("Sex / Sexe", mrz.sex),
        ("Date of birth", _date(mrz.birth_date, 1900)),
        ("Place of birth", _word(rng, 4, 10)),
        ("Date of issue", issue),
        ("Date of expiry", _date(mrz.expiry_date, 2000)),
    ]


def _fitting_font(text: str, size: float, width: float) -> ImageFont.FreeTypeFont:
    """DejaVu Sans Bold at ``size`` px, smaller where ``text`` would be wider than ``width``."""
    length = _font("DejaVuSans-Bold.ttf", 100).getlength(text) / 100  # per px of size
    return _font("DejaVuSans-Bold.ttf", round(min(size, width / length) if length else size))


def _field_grid(
    draw: ImageDraw.ImageDraw,
    fields: list[tuple[str, str]],
    box: Sequence[float],
    scale: float,
    ink: tuple[int, ...],
) -> None:
    """Labels over values, in two columns flowing down the ``box`` (mm)."""
    left, top, right, bottom = (value * scale for value in box)
    rows = (len(fields) + 1) // 2
    step, column = (bottom - top) / rows, (right - left) / 2
    label_font = _font("DejaVuSans.ttf", round(0.3 * step))
    for index, (label, value) in enumerate(fields):
        x, y = left + (index // rows) * column, top + (index % rows) * step
        draw.text((x, y), label, fill=ink, font=label_font)
        value_font = _fitting_font(value, 0.42 * step, 0.95 * column)
        draw.text((x, y + 0.38 * step), value, fill=(20, 20, 30), font=value_font)


def _draw_mrz(
    lines: tuple[str, ...], layout: _Layout, scale: float, rng: np.random.Generator
) -> Image.Image:
    """The MRZ's ink as a mask the size of the document: OCR-B at fixed pitch."""
    width, height = (round(side * scale) for side in layout.size)
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    pitch = PITCH_MM * scale
    font = _font("OCR-B", round(rng.uniform(0.9, 1.0) * pitch / OCR_B_ADVANCE))
    left = (width - pitch * len(lines[0])) / 2 + rng.uniform(-1, 1) * scale
    cap = font.getbbox("H", anchor="ls")[1]  # negative: the cap height above the baseline
    for number, line in enumerate(lines):
        from_bottom = layout.bottom_line + (len(lines) - 1 - number) * layout.line_spacing
        baseline = height - from_bottom * scale - cap / 2
        for index, character in enumerate(line):
            position = (left + (index + 0.5) * pitch, baseline)
            draw.text(position, character, fill=255, font=font, anchor="ms")
    return mask


def _document(
    lines: tuple[str, ...], format: str, scale: float, rng: np.random.Generator
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """The document at ``scale`` px/mm, and its MRZ's ink box (left, top, right, bottom)."""
    layout = _LAYOUTS[format]
    size = tuple(round(side * scale) for side in layout.size)
    paper = rng.uniform(215, 250, 3)
    image = Image.new("RGB", size, tuple(int(c) for c in paper))
    _guilloche(image, paper, rng)
    draw = ImageDraw.Draw(image)
    ink = tuple(int(c) for c in rng.uniform(30, 110, 3))
    if layout.title:
        title_font = _font("DejaVuSans-Bold.ttf", round(5 * scale))
        draw.text((layout.fields[0] * scale, 4 * scale), layout.title, fill=ink, font=title_font)
    left, top, right, bottom = (round(value * scale) for value in layout.portrait)
    portrait = _crop(_photo(str(rng.choice(_PORTRAITS))), (right - left, bottom - top), rng)
    if layout.back:  # the faded second portrait on the back of a card
        paper_behind = image.crop((left, top, right, bottom))
        portrait = Image.blend(portrait.convert("L").convert("RGB"), paper_behind, 0.6)
    image.paste(portrait, (left, top))
    _field_grid(draw, _printed_fields(lines, rng, layout.back), layout.fields, scale, ink)
    mask = _draw_mrz(lines, layout, scale, rng)
    image.paste(tuple(int(c) for c in rng.uniform(10, 50, 3)), mask=mask)
    return image, mask.getbbox()


def _homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 3 x 3 projective map taking four ``source`` points (x, y) to ``target``."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        values += [u, v]
    return np.append(np.linalg.solve(np.array(rows), np.array(values)), 1.0).reshape(3, 3)


def _project(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    mapped = np.c_[points, np.ones(len(points))] @ matrix.T
    return mapped[:, :2] / mapped[:, 2:]


def _corners(left: float, top: float, right: float, bottom: float) -> np.ndarray:
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], dtype=float)


def _placement(
    format: str, capture: Capture, rng: np.random.Generator
) -> tuple[float, np.ndarray, tuple[int, int]]:
    """The document's scale (px/mm), its corners on the page (px) and the page size."""
    width, height = _LAYOUTS[format].size
    angle = np.deg2rad(90 * rng.choice(capture.quadrants) + rng.uniform(-1, 1) * capture.tilt)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = (_corners(0, 0, width, height) - [width / 2, height / 2]) @ rotation.T
    corners += rng.uniform(-1, 1, (4, 2)) * capture.perspective * width
    margins = rng.uniform(0.03, 0.25, 4) * width  # left, top, right, bottom, mm
    corners += margins[:2] - corners.min(axis=0)
    page_mm = corners.max(axis=0) + margins[2:]
    scale = int(rng.integers(800, 1601)) / page_mm.max()
    size = tuple(int(side) for side in np.round(page_mm * scale))
    return scale, corners * scale, size


def _background(kind: str, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    if kind == "table":
        return _crop(_photo(str(rng.choice(_TABLES))), size, rng)
    start, end = rng.uniform(90, 250, 3), rng.uniform(90, 250, 3)
    if kind == "flat":
        end = start
    ramp = np.linspace(0, 1, size[0])[None, :, None]
    pixels = np.broadcast_to(start + (end - start) * ramp, (size[1], size[0], 3))
    return Image.fromarray(pixels.astype(np.uint8))


def _capture_effects(image: Image.Image, capture: Capture, rng: np.random.Generator) -> np.ndarray:
    """Uneven light, blur, sensor noise and JPEG, as the camera or scanner adds them."""
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(*capture.blur)))
    pixels = np.asarray(image, dtype=np.float32)
    height, width = pixels.shape[:2]
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    centre = rng.uniform(0, 1, 2)
    spot = np.exp(-((x - centre[0]) ** 2 + (y - centre[1]) ** 2) / rng.uniform(0.1, 0.5))
    ramp = rng.uniform(-1, 1) * x + rng.uniform(-1, 1) * y
    light = 1 + capture.light * (0.5 * ramp + rng.uniform(-0.5, 0.5) * spot)
    pixels = pixels * light[..., None] + rng.normal(0, rng.uniform(*capture.noise), pixels.shape)
    encoded = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(
        encoded, "JPEG", quality=int(rng.integers(capture.jpeg[0], capture.jpeg[1] + 1))
    )
    return np.asarray(Image.open(encoded).convert("RGB"))


def render_page(seed: int, index: int, *, condition: str, format: str) -> DocumentPage:
    """Page ``index`` of the set ``seed``: the same document under every condition.

    Args:
        seed: the set's seed, an int >= 0.
        index: the page's number in the set, an int >= 0.
        condition: a key of :data:`CONDITIONS`.
        format: "TD1", "TD2" or "TD3".

    Returns:
        The :class:`DocumentPage`.
    """
    capture = CONDITIONS[condition]
    document_rng = np.random.default_rng([seed, index])
    capture_rng = np.random.default_rng([seed, index, list(CONDITIONS).index(condition)])
    lines = mrz_texts(document_rng, format)
    scale, corners, size = _placement(format, capture, capture_rng)
    document, ink_box = _document(lines, format, scale, document_rng)
    source = _corners(0, 0, *document.size)
    to_document = _homography(corners, source)  # Pillow maps page pixels to document ones
    warp = dict(method=Image.Transform.PERSPECTIVE, data=to_document.ravel()[:8])
    flat = document.transform(size, **warp, resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", document.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([(0, 0), document.size], radius=3 * scale, fill=255)
    mask = mask.transform(size, **warp, resample=Image.Resampling.BILINEAR)
    page = _background(str(capture_rng.choice(capture.backgrounds)), size, capture_rng)
    page.paste(flat, mask=mask)
    quad = _project(_homography(source, corners), _corners(*ink_box))
    image = _capture_effects(page, capture, capture_rng)
    return DocumentPage(image, lines, format, quad, condition)


def document_pages(
    count: int, seed: int, *, condition: str, formats: Sequence[str] = FORMATS
) -> Iterator[DocumentPage]:
    """``count`` pages, the formats in turn; page ``i`` depends on ``(seed, i)`` only.

    The arguments are checked at once; the pages are drawn as they are iterated
    (one page is a few MB).

    Args:
        count: the number of pages, an int >= 0.
        seed: the set's seed, an int >= 0.
        condition: how the pages are captured, a key of :data:`CONDITIONS`.
        formats: the documents' formats, among "TD1", "TD2" and "TD3".

    Returns:
        An iterator of :class:`DocumentPage`.

    Raises:
        TypeError: if ``count`` or ``seed`` is not an int.
        ValueError: if ``count`` or ``seed`` is negative, ``condition`` is unknown or
            ``formats`` is empty or holds an unknown format.
    """
    for name, value in (("count", count), ("seed", seed)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"`{name}` must be an int; received {value!r}.")
        if value < 0:
            raise ValueError(f"`{name}` must be >= 0; received {value}.")
    if condition not in CONDITIONS:
        raise ValueError(f"Unknown `condition` {condition!r}; expected one of {list(CONDITIONS)}.")
    formats = [formats] if isinstance(formats, str) else list(formats)
    unknown = [name for name in formats if name not in _LAYOUTS]
    if not formats or unknown:
        raise ValueError(
            f"`formats` must name one or more of {list(FORMATS)}; received {formats!r}."
        )
    return (
        render_page(seed, index, condition=condition, format=formats[index % len(formats)])
        for index in range(count)
    )
