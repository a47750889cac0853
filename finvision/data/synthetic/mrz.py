"""Random but valid machine-readable zones (TD1, TD2, TD3), as text and as images."""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import os
import string
from collections.abc import Sequence

import numpy as np

from finvision._validation import check_choice, check_fraction
from finvision.data.synthetic._checks import check_height
from finvision.data.synthetic._random import MRZ_STREAM, pick, sample_generators
from finvision.data.synthetic.fonts import resolve_font
from finvision.data.synthetic.nuisance import with_nuisance
from finvision.data.synthetic.text import (
    LAYOUTS,
    LineStyle,
    TextLine,
    draw_captured_line,
    draw_text_line,
)
from finvision.data.synthetic.vocabulary import COUNTRY_CODES, GIVEN_NAMES, SURNAMES
from finvision.documents.mrz import MRZ_FORMATS, ParsedMRZ, compose_mrz, parse_mrz

_DOCUMENT_TYPES = {
    "TD1": ("I", "ID", "AC", "IR", "C"),
    "TD2": ("I", "ID", "AC"),
    "TD3": ("P", "PD"),
}
_ALPHANUMERIC = string.ascii_uppercase + string.digits
_CONSONANTS = "BCDFGHJKLMNPRSTVZ"
_VOWELS = "AEIOUY"
_GIVEN_COUNTS = (0.05, 0.55, 0.9)  # cumulative chances of 0, 1, 2 given names; else 3
_SEX_SHARES = (0.48, 0.96)  # cumulative chances of M, F; else X
_FIRST_BIRTH = datetime.date(1930, 1, 1).toordinal()
_LAST_BIRTH = datetime.date(2015, 12, 31).toordinal()
_FIRST_ISSUE = datetime.date(2012, 1, 1).toordinal()
_LAST_ISSUE = datetime.date(2030, 12, 31).toordinal()


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """Checks a choice of MRZ formats.

    Example:
    >>> check_formats(["TD3"])
    ('TD3',)
    """
    chosen = (formats,) if isinstance(formats, str) else tuple(formats)
    if not chosen or any(name not in MRZ_FORMATS for name in chosen):
        raise ValueError(
            f"`formats` must be a non-empty sequence of {sorted(MRZ_FORMATS)}; "
            f"received {formats!r}."
        )
    return chosen


def _characters(rng: np.random.Generator, alphabet: str, length: int) -> str:
    return "".join(alphabet[i] for i in rng.integers(len(alphabet), size=length))


def _word(rng: np.random.Generator, words: Sequence[str]) -> str:
    """A listed name, or (half the time) a made-up one so that every letter occurs."""
    if rng.random() < 0.5:
        return pick(rng, words)
    syllables = [
        pick(rng, _CONSONANTS) + pick(rng, _VOWELS) for _ in range(int(rng.integers(1, 4)))
    ]
    if rng.random() < 0.5:
        syllables.append(pick(rng, _CONSONANTS))
    return "".join(syllables)


def _names(rng: np.random.Generator, length: int) -> tuple[str, str]:
    """A surname and given names that fit a name field of ``length`` characters."""
    surname = " ".join(_word(rng, SURNAMES) for _ in range(1 + int(rng.random() < 0.2)))
    given = [_word(rng, GIVEN_NAMES) for _ in range(bisect.bisect(_GIVEN_COUNTS, rng.random()))]
    surname = surname[:length]
    while given and len(surname) + 2 + len(" ".join(given)) > length:
        given.pop()
    return surname, " ".join(given)


def _date(ordinal: int) -> str:
    date = datetime.date.fromordinal(ordinal)
    return f"{date.year % 100:02d}{date.month:02d}{date.day:02d}"


def _document_number(rng: np.random.Generator, long: bool) -> str:
    prefix = _characters(rng, string.ascii_uppercase, int(rng.integers(0, 3)))
    length = int(rng.integers(10, 13)) if long else int(rng.integers(7, 10))
    return prefix + _characters(rng, _ALPHANUMERIC, length - len(prefix))


def _optional(rng: np.random.Generator, length: int, empty: float) -> str:
    if length <= 0 or rng.random() < empty:
        return ""
    return _characters(rng, _ALPHANUMERIC, int(rng.integers(1, length + 1)))


def random_fields(rng: np.random.Generator, format: str) -> ParsedMRZ:
    """One random document of a format, with valid check digits.

    Args:
        rng: the sample's generator.
        format: ``"TD1"``, ``"TD2"`` or ``"TD3"``.

    Returns:
        The parsed MRZ (its ``lines`` hold the text).

    Example:
    >>> random_fields(np.random.default_rng(0), "TD3").valid
    True
    """
    name_length = {"TD1": 30, "TD2": 31, "TD3": 39}[format]
    surname, given_names = _names(rng, name_length)
    state = pick(rng, COUNTRY_CODES)
    long_number = format != "TD3" and rng.random() < 0.05
    number = _document_number(rng, long_number)
    issued = int(rng.integers(_FIRST_ISSUE, _LAST_ISSUE))
    years = 10 if rng.random() < 0.6 else 5
    optional_space = {"TD1": 15, "TD2": 7, "TD3": 14}[format]
    if long_number:
        optional_space -= len(number) - 9 + 2  # continuation, its check digit, a filler
    lines = compose_mrz(
        format,
        document_type=pick(rng, _DOCUMENT_TYPES[format]),
        issuing_state=state,
        surname=surname,
        given_names=given_names,
        document_number=number,
        nationality=state if rng.random() < 0.85 else pick(rng, COUNTRY_CODES),
        birth_date=_date(int(rng.integers(_FIRST_BIRTH, _LAST_BIRTH))),
        sex="MFX"[bisect.bisect(_SEX_SHARES, rng.random())],
        expiry_date=_date(issued + round(365.25 * years) - 1),
        optional_data=_optional(rng, optional_space, empty=0.5),
        optional_data_2=_optional(rng, 11, empty=0.7) if format == "TD1" else "",
    )
    return parse_mrz(lines)


def random_mrz(
    count: int, *, seed: int, formats: Sequence[str] = ("TD1", "TD3")
) -> list[ParsedMRZ]:
    """Random but valid machine-readable zones: names, numbers, dates, states.

    Names mix a built-in list with made-up ones; states and nationalities are
    ISO 3166-1 alpha-3 codes; birth dates fall in 1930-2015 and documents are
    valid 5 or 10 years from an issue date in 2012-2030. One TD1/TD2 number in
    20 is longer than 9 characters and continues in the optional data.

    Args:
        count: how many documents.
        seed: a non-negative int; document ``i`` depends only on ``seed`` and ``i``.
        formats: the formats to draw from, uniformly.

    Returns:
        ``count`` :class:`~finvision.documents.mrz.ParsedMRZ`, every check digit valid.

    Raises:
        ValueError: for a bad ``count``, ``seed`` or ``formats``.

    Example:
    >>> mrz = random_mrz(1, seed=0, formats=["TD3"])[0]
    >>> [len(line) for line in mrz.lines], mrz.valid
    ([44, 44], True)
    """
    formats = check_formats(formats)
    return [
        random_fields(rng, pick(rng, formats)) for rng in sample_generators(MRZ_STREAM, seed, count)
    ]


def mrz_lines(
    count: int,
    *,
    seed: int,
    formats: Sequence[str] = ("TD1", "TD3"),
    height: int = 32,
    font_path: str | os.PathLike | None = None,
    nuisance: float = 0.0,
    layout: str = "classic",
) -> list[TextLine]:
    """Images of single MRZ lines with their text, for training a line reader.

    Each sample is one line, drawn at random, of a random document (see
    :func:`random_mrz`), in OCR-B with random size, spacing, margins, position
    and contrast (see :class:`~finvision.data.synthetic.text.LineStyle`). With
    ``layout="capture"`` the lines are cropped as real captures are (caps 0.3-0.8
    of the height, any margin, turned up to 3 degrees; see
    :func:`~finvision.data.synthetic.text.draw_captured_line`).

    Args:
        count: how many lines.
        seed: a non-negative int; line ``i`` depends only on ``seed`` and ``i``.
        formats: the document formats to draw from.
        height: the image height in pixels; the width follows the text.
        font_path: a font file instead of OCR-B.
        nuisance: strength in [0, 1] of capture nuisance (blur, noise, JPEG,
            perspective, uneven light; see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`), drawn
            for all images of the call together; 0 keeps the clean render.
        layout: ``"classic"`` (a centred glyph box) or ``"capture"``.

    Returns:
        ``count`` :class:`~finvision.data.synthetic.text.TextLine`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``nuisance``, ``formats``,
            ``height`` or ``layout``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> line = mrz_lines(1, seed=0, formats=["TD1"], font_path=dejavu)[0]
    >>> len(line.text), line.image.shape[0]
    (30, 32)
    """
    formats, height, font = check_formats(formats), check_height(height), resolve_font(font_path)
    nuisance = check_fraction("nuisance", nuisance)
    check_choice("layout", layout, LAYOUTS)
    samples = []
    for rng in sample_generators(MRZ_STREAM, seed, count):
        lines = random_fields(rng, pick(rng, formats)).lines
        text = pick(rng, lines)
        if layout == "capture":
            image = draw_captured_line(text, height, font, rng)
        else:
            image = draw_text_line(text, height, font, LineStyle.random(rng, height), rng)
        samples.append(TextLine(image, text))
    return with_nuisance(samples, nuisance, seed)


@dataclasses.dataclass(frozen=True)
class MRZBlock:
    """A rendered machine-readable zone.

    Attributes:
        image: grayscale uint8 ``(height, width)``: the lines one above the other.
        mrz: the document's fields and lines.
        line_boxes: ``(top, left, bottom, right)`` of each line's band in ``image``.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> block = mrz_blocks(1, seed=0, formats=["TD1"], font_path=dejavu)[0]
    >>> len(block.line_boxes), block.mrz.format
    (3, 'TD1')
    """

    image: np.ndarray
    mrz: ParsedMRZ
    line_boxes: tuple[tuple[int, int, int, int], ...]


def mrz_blocks(
    count: int,
    *,
    seed: int,
    formats: Sequence[str] = ("TD1", "TD3"),
    height: int = 32,
    font_path: str | os.PathLike | None = None,
    nuisance: float = 0.0,
) -> list[MRZBlock]:
    """Images of whole machine-readable zones (2 or 3 lines) with their fields.

    The lines of a block share one random style (one printer), are left-aligned
    and separated by up to half a line of paper.

    Args:
        count: how many blocks.
        seed: a non-negative int; block ``i`` depends only on ``seed`` and ``i``.
        formats: the document formats to draw from.
        height: the height of one line in pixels.
        font_path: a font file instead of OCR-B.
        nuisance: strength in [0, 1] of capture nuisance (blur, noise, JPEG,
            perspective, uneven light; see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`), drawn
            for all images of the call together; 0 keeps the clean render.

    Returns:
        ``count`` :class:`MRZBlock`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``nuisance``, ``formats`` or ``height``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> block = mrz_blocks(1, seed=0, formats=["TD3"], font_path=dejavu)[0]
    >>> block.image.shape[0] >= 2 * 32, block.mrz.valid
    (True, True)
    """
    formats, height, font = check_formats(formats), check_height(height), resolve_font(font_path)
    nuisance = check_fraction("nuisance", nuisance)
    blocks = [
        draw_mrz_block(random_fields(rng, pick(rng, formats)), height, font, rng)
        for rng in sample_generators(MRZ_STREAM, seed, count)
    ]
    return with_nuisance(blocks, nuisance, seed)


def draw_mrz_block(
    mrz: ParsedMRZ, height: int, font_path: str, rng: np.random.Generator
) -> MRZBlock:
    """Draws the lines of ``mrz`` in one random style (see :func:`mrz_blocks`).

    Args:
        mrz: the document whose lines are drawn.
        height: the height of one line in pixels.
        font_path: a resolved font file.
        rng: the sample's generator.

    Returns:
        An :class:`MRZBlock`.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> mrz = random_mrz(1, seed=0, formats=["TD2"])[0]
    >>> len(draw_mrz_block(mrz, 16, dejavu, np.random.default_rng(0)).line_boxes)
    2
    """
    style = LineStyle.random(rng, height)
    rows = [draw_text_line(text, height, font_path, style, rng) for text in mrz.lines]
    spacing = int(rng.integers(0, height // 2 + 1))
    tops = [index * (height + spacing) for index in range(len(rows))]
    image = np.full((tops[-1] + height, max(row.shape[1] for row in rows)), style.paper, np.uint8)
    for top, row in zip(tops, rows, strict=True):
        image[top : top + height, : row.shape[1]] = row
    boxes = tuple((top, 0, top + height, row.shape[1]) for top, row in zip(tops, rows, strict=True))
    return MRZBlock(image, mrz, boxes)
