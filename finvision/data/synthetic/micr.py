"""Cheque MICR lines in E-13B: glyphs drawn here as vector shapes, lines and transcripts.

E-13B (ISO 1004-1, ANSI X9.100-160) has 14 characters: the digits and four
symbols. Transcripts write the symbols as single letters (:data:`MICR_SYMBOLS`):
``T`` transit, ``A`` amount, ``U`` on-us, ``D`` dash. ``U`` rather than ``O``
keeps on-us apart from the digit zero, and it is how many cheque readers report
the symbol; :func:`micr_to_unicode` gives the Unicode OCR symbols instead.

The glyphs are drawn in this module from rectangles on the E-13B grid: 9
modules of 0.013 inch high, on a character pitch of 1/8 inch. They follow the
standard's style (heavy strokes, heavier lower halves, the symbols built from
bars and squares) but are drawn for training data and are not certified
E-13B artwork; no MICR font is used.
"""

from __future__ import annotations

import bisect
import functools

import numpy as np
from PIL import Image, ImageDraw

from finvision._validation import check_choice, check_fraction, check_non_negative_int
from finvision.data.synthetic._checks import check_height
from finvision.data.synthetic._random import MICR_STREAM, sample_generators
from finvision.data.synthetic.fonts import CellAtlas
from finvision.data.synthetic.nuisance import with_nuisance
from finvision.data.synthetic.text import (
    LAYOUTS,
    LineStyle,
    TextLine,
    capture_cells,
    place_line,
)
from finvision.documents.alphabets import MICR_ALPHABET
from finvision.documents.micr import aba_check_digit

#: What each symbol letter of :data:`MICR_ALPHABET` stands for.
MICR_SYMBOLS = {"T": "transit", "A": "amount", "U": "on-us", "D": "dash"}
#: The Unicode OCR characters of the symbols (U+2446-U+2449).
MICR_UNICODE = {"T": "\u2446", "A": "\u2447", "U": "\u2449", "D": "\u2448"}

# Personal cheque; business cheque with an auxiliary on-us field; Canadian layout.
_LAYOUTS = (
    "T{routing}T{gap}{account}U{gap}{cheque}",
    "U{cheque}U{gap}T{routing}T{gap}{account}U",
    "U{cheque}U{gap}T{branch}D{institution}T{gap}{account}U",
)
_LAYOUT_SHARES = (0.6, 0.85)  # cumulative chances of the first two layouts
# Captured lines are drawn at 2x, not 4x: E-13B's rectangles need less antialiasing, and a
# MICR line is twice as wide as an MRZ line.
_CAPTURE_SUPERSAMPLING = 2
_MODULES_HIGH = 9.0
_PITCH_MODULES = 0.125 / 0.013  # 1/8 inch pitch in 0.013 inch modules
_SUPERSAMPLE = 4
# Rectangles (x0, y0, x1, y1) in modules, y downwards, inside a 9-module-high box.
_GLYPHS: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "0": ((0, 0, 6, 1.2), (0, 7.8, 6, 9), (0, 0, 1.3, 9), (4.7, 0, 6, 9)),
    "1": ((0.8, 0, 3.8, 1.1), (2.6, 0, 3.8, 5.5), (1.2, 5.2, 5.2, 9)),
    "2": ((0, 0, 6, 1.1), (4.9, 0, 6, 4.6), (0, 3.9, 6, 5), (0, 3.9, 2.2, 9), (0, 7.9, 6, 9)),
    "3": (
        (0.3, 0, 5.8, 1.1),
        (4.7, 0, 5.8, 4.6),
        (1.8, 3.9, 6, 5),
        (3.8, 3.9, 6, 9),
        (0, 7.9, 6, 9),
    ),
    "4": ((0, 0, 1.2, 6.4), (0, 5.3, 6, 6.4), (3.6, 2.6, 5.6, 9)),
    "5": ((0, 0, 6, 1.1), (0, 0, 1.1, 4.6), (0, 3.9, 6, 5), (3.8, 3.9, 6, 9), (0, 7.9, 6, 9)),
    "6": ((0, 0, 5.2, 1.1), (0, 0, 1.3, 9), (0, 3.9, 6, 5), (3.8, 3.9, 6, 9), (0, 7.9, 6, 9)),
    "7": ((0, 0, 6, 1.1), (4.9, 0, 6, 4.6), (2.8, 3.9, 5.2, 9)),
    "8": (
        (0.5, 0, 5.5, 1.1),
        (0.5, 0, 1.6, 4.6),
        (4.4, 0, 5.5, 4.6),
        (0, 3.9, 6, 5),
        (0, 3.9, 2.1, 9),
        (3.9, 3.9, 6, 9),
        (0, 7.9, 6, 9),
    ),
    "9": ((0, 0, 6, 1.1), (0, 0, 1.2, 5), (0, 3.9, 6, 5), (4.8, 0, 6, 5), (3.6, 3.9, 5.8, 9)),
    "T": ((0, 0, 1.4, 9), (3.4, 1, 5.6, 3.4), (3.4, 5.6, 5.6, 8)),
    "A": ((2.2, 0, 3.6, 9), (0, 1, 1.6, 3), (4.2, 6, 5.8, 8)),
    "U": ((0, 0, 1.4, 6.5), (2.6, 0, 4, 6.5), (0, 7.4, 4, 9)),
    "D": ((0, 3.6, 1.6, 6), (2.2, 3.6, 3.8, 6), (4.4, 3.6, 6, 6)),
}


def micr_to_unicode(text: str) -> str:
    """Writes the symbol letters of a MICR transcript as Unicode OCR characters.

    Args:
        text: a transcript over :data:`MICR_ALPHABET` (spaces kept).

    Returns:
        The same text with ``T``, ``A``, ``U``, ``D`` replaced by U+2446, U+2447,
        U+2449 and U+2448.

    Example:
    >>> [hex(ord(c)) for c in micr_to_unicode("T1U")]
    ['0x2446', '0x31', '0x2449']
    """
    return text.translate(str.maketrans(MICR_UNICODE))


class MicrCells(CellAtlas):
    """E-13B characters drawn at one glyph height, one 1/8-inch pitch per cell.

    A space is an empty cell. Cells are anti-aliased (drawn 4x larger, then reduced).

    Args:
        height: the glyph height in pixels (9 modules).

    Example:
    >>> cells = micr_cells(18)
    >>> cells.cell("0").shape
    (18, 19)
    """

    def __init__(self, height: int) -> None:
        super().__init__(height)
        self.module = height / _MODULES_HIGH
        self.pitch = round(_PITCH_MODULES * self.module)

    def render(self, character: str) -> np.ndarray:
        """Draws one character.

        Raises:
            ValueError: if ``character`` is neither a space nor in :data:`MICR_ALPHABET`.
        """
        if character != " " and character not in _GLYPHS:
            raise ValueError(
                f"MICR text may hold only {MICR_ALPHABET!r} and spaces; received {character!r}."
            )
        scale = _SUPERSAMPLE * self.module
        image = Image.new("L", (self.pitch * _SUPERSAMPLE, self.height * _SUPERSAMPLE), 0)
        draw = ImageDraw.Draw(image)
        rectangles = _GLYPHS.get(character, ())
        width = max((x1 for _, _, x1, _ in rectangles), default=0.0)
        left = (self.pitch * _SUPERSAMPLE - width * scale) / 2
        for x0, y0, x1, y1 in rectangles:
            draw.rectangle(
                (
                    round(left + x0 * scale),
                    round(y0 * scale),
                    round(left + x1 * scale) - 1,
                    round(y1 * scale) - 1,
                ),
                fill=255,
            )
        return np.asarray(image.reduce(_SUPERSAMPLE), dtype=np.float32) / 255.0


@functools.lru_cache(maxsize=32)
def micr_cells(height: int) -> MicrCells:
    """The shared :class:`MicrCells` of a glyph height.

    Example:
    >>> micr_cells(20) is micr_cells(20)
    True
    """
    return MicrCells(height)


def random_routing_number(rng: np.random.Generator) -> str:
    """A US routing number with a valid check digit and a Federal Reserve prefix.

    Example:
    >>> routing = random_routing_number(np.random.default_rng(0))
    >>> len(routing), aba_check_digit(routing[:8]) == int(routing[8])
    (9, True)
    """
    prefixes = [*range(1, 13), *range(21, 33), *range(61, 73), 80]
    prefix = prefixes[int(rng.integers(len(prefixes)))]
    body = f"{prefix:02d}" + "".join(str(d) for d in rng.integers(0, 10, 6))
    return body + str(aba_check_digit(body))


def _digits(rng: np.random.Generator, low: int, high: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(low, high + 1))))


def random_micr_text(rng: np.random.Generator) -> dict[str, str]:
    """A random, plausible cheque MICR line and its fields.

    Layouts: personal (``T routing T account U cheque``), business (auxiliary
    on-us field first) and Canadian (``T branch D institution T``); accounts may
    hold a dash symbol; one line in three carries an encoded amount field.

    Args:
        rng: the sample's generator.

    Returns:
        A dict with ``printed`` (with spaces, as laid out), ``text`` (the
        transcript: ``printed`` without spaces), ``routing``, ``account``,
        ``cheque`` and ``amount`` (``""`` when not encoded).

    Example:
    >>> fields = random_micr_text(np.random.default_rng(1))
    >>> fields["text"] == fields["printed"].replace(" ", "")
    True
    """
    account = _digits(rng, 6, 12)
    if rng.random() < 0.2:
        cut = int(rng.integers(2, len(account) - 1))
        account = account[:cut] + "D" + account[cut:]
    layout = _LAYOUTS[bisect.bisect(_LAYOUT_SHARES, rng.random())]
    branch, institution = _digits(rng, 5, 5), _digits(rng, 3, 3)
    routing = random_routing_number(rng) if "{routing}" in layout else f"{branch}D{institution}"
    cheque = str(int(rng.integers(100, 100_000))).zfill(int(rng.integers(3, 7)))
    printed = layout.format(
        routing=routing,
        branch=branch,
        institution=institution,
        account=account,
        cheque=cheque,
        gap=" " * int(rng.integers(1, 4)),
    )
    amount = ""
    if rng.random() < 1 / 3:
        amount = f"{int(rng.integers(1, 10**7)):010d}"
        printed += " " * int(rng.integers(2, 5)) + f"A{amount}A"
    return {
        "printed": printed,
        "text": printed.replace(" ", ""),
        "routing": routing,
        "account": account,
        "cheque": cheque,
        "amount": amount,
    }


def micr_coverage(printed: str, glyph_height: int, gaps: np.ndarray | None = None) -> np.ndarray:
    """The ink coverage of a MICR line, one pitch per character or space.

    Args:
        printed: characters of :data:`MICR_ALPHABET` and spaces.
        glyph_height: the glyph height in pixels.
        gaps: optional extra blank columns after each character.

    Returns:
        A float32 array ``(glyph_height, width)`` in [0, 1].

    Raises:
        ValueError: for a character outside :data:`MICR_ALPHABET` and space.

    Example:
    >>> micr_coverage("T1", 18).shape
    (18, 38)
    """
    return micr_cells(glyph_height).line(printed, gaps)


def render_micr_line(printed: str, *, height: int = 32, seed: int | None = None) -> np.ndarray:
    """Renders a MICR line in the E-13B glyphs drawn by this module.

    Args:
        printed: characters of :data:`MICR_ALPHABET` and spaces (a space is
            an empty character position).
        height: the image height in pixels (>= 8).
        seed: ``None`` for the plain style (black on white, glyphs 72% of the
            height), or a seed for a random style (see :class:`LineStyle`).

    Returns:
        A grayscale uint8 image ``(height, width)``.

    Raises:
        ValueError: for a bad ``height`` or character.

    Example:
    >>> render_micr_line("T021000021T 1234567U", height=32).shape
    (32, 516)
    """
    height = check_height(height)
    rng = None if seed is None else np.random.default_rng(check_non_negative_int("seed", seed))
    style = LineStyle() if rng is None else LineStyle.random(rng, height)
    return _draw_micr(printed, height, style, rng)


def _draw_micr(
    printed: str, height: int, style: LineStyle, rng: np.random.Generator | None
) -> np.ndarray:
    coverage = micr_coverage(printed, round(style.fill * height), style.gaps(len(printed), rng))
    return place_line(coverage, height, style)


def micr_lines(
    count: int,
    *,
    seed: int,
    height: int = 32,
    nuisance: float = 0.0,
    layout: str = "classic",
) -> list[TextLine]:
    """Images of random cheque MICR lines with their transcripts.

    With ``layout="capture"`` the lines are cropped as real captures and the
    page reader's zones are (glyphs 0.3-0.8 of the line height anywhere in
    the crop, margins from none to 0.6 line heights, turned up to 3 degrees,
    fixed or loosened pitch; see
    :func:`~finvision.data.synthetic.text.draw_captured_line`).

    Args:
        count: how many lines.
        seed: a non-negative int; line ``i`` depends only on ``seed`` and ``i``.
        height: the image height in pixels; the width follows the text.
        nuisance: strength in [0, 1] of capture nuisance (blur, noise, JPEG,
            perspective, uneven light; see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`), drawn
            for all images of the call together; 0 keeps the clean render.
        layout: ``"classic"`` (glyphs 0.62-0.82 of the height) or
            ``"capture"``.

    Returns:
        ``count`` :class:`~finvision.data.synthetic.text.TextLine` whose ``text``
        is over :data:`MICR_ALPHABET` (no spaces; the symbols delimit the fields).

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``nuisance``, ``height`` or
            ``layout``.

    Example:
    >>> line = micr_lines(1, seed=0)[0]
    >>> set(line.text) <= set(MICR_ALPHABET), line.image.shape[0]
    (True, 32)
    >>> micr_lines(1, seed=0, layout="capture")[0].text == line.text
    True
    """
    height = check_height(height)
    nuisance = check_fraction("nuisance", nuisance)
    check_choice("layout", layout, LAYOUTS)
    captured_cells = micr_cells(height * _CAPTURE_SUPERSAMPLING) if layout == "capture" else None
    samples = []
    for rng in sample_generators(MICR_STREAM, seed, count):
        fields = random_micr_text(rng)
        if captured_cells is not None:
            image = capture_cells(captured_cells, fields["printed"], height, rng)
        else:
            image = _draw_micr(fields["printed"], height, LineStyle.random(rng, height), rng)
        samples.append(TextLine(image, fields["text"]))
    return with_nuisance(samples, nuisance, seed)
