"""Text line images: dark ink on light paper, a fixed height, width following the text."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from PIL import Image

from finvision._validation import check_non_negative_int
from finvision.data.synthetic._checks import check_height
from finvision.data.synthetic.fonts import (
    CellAtlas,
    glyph_cells,
    line_height_ratio,
    resolve_font,
)


@dataclasses.dataclass(frozen=True)
class TextLine:
    """A rendered line of text and its transcript.

    Attributes:
        image: grayscale uint8 ``(height, width)``; white paper, dark ink.
        text: the transcript.

    Example:
    >>> line = TextLine(np.zeros((32, 90), np.uint8), "P<UTO")
    >>> line.text
    'P<UTO'
    """

    image: np.ndarray
    text: str


@dataclasses.dataclass(frozen=True)
class LineStyle:
    """How a line is laid out and inked; drawn at random per sample.

    Attributes:
        fill: the glyph box's height as a fraction of the line height.
        tracking: blank columns added after every character.
        jitter: the probability of one more blank column after a character.
        margins: blank space left and right, in line heights.
        vertical: where the glyph box sits in the free height (0 top, 1 bottom).
        ink: the ink's gray level.
        paper: the paper's gray level.

    Example:
    >>> LineStyle().paper
    255
    """

    fill: float = 0.72
    tracking: int = 0
    jitter: float = 0.0
    margins: tuple[float, float] = (0.25, 0.25)
    vertical: float = 0.5
    ink: int = 0
    paper: int = 255

    @classmethod
    def random(cls, rng: np.random.Generator, height: int) -> LineStyle:
        """A random style: size, spacing, margins, position and contrast vary.

        Args:
            rng: the sample's generator.
            height: the line height in pixels.

        Returns:
            A :class:`LineStyle`.

        Example:
        >>> style = LineStyle.random(np.random.default_rng(0), 32)
        >>> 0.6 < style.fill < 0.85 and style.paper - style.ink >= 110
        True
        """
        ink = int(rng.integers(0, 71))
        return cls(
            fill=float(rng.uniform(0.62, 0.82)),
            tracking=int(rng.integers(0, max(1, height // 16) + 1)),
            jitter=float(rng.uniform(0.0, 0.2)),
            margins=(float(rng.uniform(0.1, 0.6)), float(rng.uniform(0.1, 0.6))),
            vertical=float(rng.uniform(0.15, 0.85)),
            ink=ink,
            paper=int(rng.integers(ink + 110, 256)),
        )

    def gaps(self, count: int, rng: np.random.Generator | None) -> np.ndarray:
        """Blank columns after each of ``count`` characters."""
        gaps = np.full(count, self.tracking, np.int64)
        if rng is not None and self.jitter > 0:
            gaps += rng.random(count) < self.jitter
        return gaps


def ink_on_paper(coverage: np.ndarray, ink: float, paper: float) -> np.ndarray:
    """Turns ink coverage in [0, 1] into gray levels between ``paper`` and ``ink``.

    Args:
        coverage: float array in [0, 1].
        ink: the gray level of full coverage.
        paper: the gray level of no coverage.

    Returns:
        A uint8 array of the same shape.

    Example:
    >>> ink_on_paper(np.array([0.0, 0.5, 1.0]), 0, 255).tolist()
    [255, 128, 0]
    """
    return np.rint(np.float32(paper) - coverage * np.float32(paper - ink)).astype(np.uint8)


def paint(
    canvas: np.ndarray, coverage: np.ndarray, top: int, left: int, color: tuple[float, ...]
) -> tuple[int, int, int, int]:
    """Paints ink of ``color`` onto an image, in place, where ``coverage`` says.

    Args:
        canvas: uint8 ``(H, W, C)`` image, changed in place.
        coverage: float ``(h, w)`` in [0, 1]; parts outside the canvas are dropped.
        top: the row of the coverage's top edge.
        left: the column of its left edge.
        color: ``C`` channel values of the ink.

    Returns:
        ``(top, left, bottom, right)`` of the painted box, clipped to the canvas.

    Example:
    >>> canvas = np.full((4, 4, 3), 255, np.uint8)
    >>> paint(canvas, np.ones((2, 2)), 1, 3, (0, 0, 0)), int(canvas[1, 3, 0])
    ((1, 3, 3, 4), 0)
    """
    bottom = min(canvas.shape[0], top + coverage.shape[0])
    right = min(canvas.shape[1], left + coverage.shape[1])
    top_clip, left_clip = max(top, 0), max(left, 0)
    if bottom <= top_clip or right <= left_clip:
        return (top_clip, left_clip, top_clip, left_clip)
    alpha = coverage[top_clip - top : bottom - top, left_clip - left : right - left, None]
    region = canvas[top_clip:bottom, left_clip:right].astype(np.float32)
    ink = np.asarray(color, np.float32)
    canvas[top_clip:bottom, left_clip:right] = np.rint(region + alpha * (ink - region))
    return (top_clip, left_clip, bottom, right)


def place_line(coverage: np.ndarray, height: int, style: LineStyle) -> np.ndarray:
    """Places a coverage strip on a line of paper with the style's margins.

    Args:
        coverage: float ``(h, w)`` with ``h <= height``.
        height: the line height.
        style: margins, vertical position, ink and paper.

    Returns:
        A uint8 image ``(height, margins + w)``.

    Example:
    >>> place_line(np.ones((2, 3)), 4, LineStyle(margins=(0.25, 0.5))).shape
    (4, 6)
    """
    strip_height, strip_width = coverage.shape
    left, right = (round(margin * height) for margin in style.margins)
    top = round(style.vertical * (height - strip_height))
    image = np.full((height, left + strip_width + right), style.paper, np.uint8)
    image[top : top + strip_height, left : left + strip_width] = ink_on_paper(
        coverage, style.ink, style.paper
    )
    return image


def draw_text_line(
    text: str, height: int, font_path: str, style: LineStyle, rng: np.random.Generator | None
) -> np.ndarray:
    """Renders ``text`` in a resolved font file with a given style (see :func:`render_text_line`).

    Example:
    >>> path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    >>> draw_text_line("12", 20, path, LineStyle(), None).shape[0]
    20
    """
    size = max(4, round(style.fill * height / line_height_ratio(font_path)))
    cells = glyph_cells(font_path, size)
    coverage = cells.line(text, style.gaps(len(text), rng))
    return place_line(coverage[:height], height, style)


#: How a line generator lays lines out: see :func:`draw_captured_line`.
LAYOUTS = ("classic", "capture")
#: The spread of a captured crop: cap height per line height, side margins in line
#: heights, in-plane rotation in degrees.
CAPTURE_GLYPH_HEIGHT = (0.3, 0.8)
CAPTURE_MARGINS = (0.0, 0.6)
CAPTURE_ROTATION = 3.0
#: How much larger than the crop a captured line's glyphs are drawn.
CAPTURE_SUPERSAMPLING = 4


def draw_captured_line(
    text: str, height: int, font_path: str, rng: np.random.Generator
) -> np.ndarray:
    """Renders ``text`` as a scanner, a phone or a zone detector crops a real line.

    Where :func:`draw_text_line` centres a glyph box of 0.62-0.82 of the line
    (caps at 0.38-0.53 of it), real crops are tighter and less tidy: the cap
    height is 0.3-0.8 of the line height, the band sits anywhere in the crop
    (ink may touch an edge), the side margins are 0-0.6 line heights, the line
    is turned up to 3 degrees in the crop (which holds most of the drift of its
    ends, as a zone detector's box does; the rest clips), and the pitch is
    the font's own (fixed for OCR-B) or loosened by up to a tenth of a
    character. The line is drawn at 4x and reduced, so edges are antialiased.

    Args:
        text: the characters to draw.
        height: the crop height in pixels.
        font_path: a resolved font file.
        rng: the sample's generator.

    Returns:
        A grayscale uint8 image ``(height, width)``.

    Example:
    >>> path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> image = draw_captured_line("P<UTO", 32, path, np.random.default_rng(0))
    >>> image.shape[0], image.dtype.name, int(image.min()) < 100
    (32, 'uint8', True)
    """
    size = max(4, round(height * CAPTURE_SUPERSAMPLING / line_height_ratio(font_path)))
    return capture_cells(glyph_cells(font_path, size), text, height, rng)


def capture_cells(cells: CellAtlas, text: str, height: int, rng: np.random.Generator) -> np.ndarray:
    """Lays out a line of glyph cells as a captured crop (see :func:`draw_captured_line`).

    Args:
        cells: the glyphs, drawn a few times larger than the crop (the
            line is reduced to ``height``; :func:`draw_captured_line` uses
            :data:`CAPTURE_SUPERSAMPLING`).
        text: the characters to draw; ``cells`` must hold each of them.
        height: the crop height in pixels.
        rng: the sample's generator.

    Returns:
        A grayscale uint8 image ``(height, width)``.

    Example:
    >>> path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> cells = glyph_cells(path, 96)
    >>> capture_cells(cells, "P<UTO", 24, np.random.default_rng(0)).shape[0]
    24
    """
    loose = rng.random() < 0.5
    tracking = round(rng.uniform(0, 0.1) * cells.cell("0").shape[1]) if loose else 0
    strip = cells.line(text, np.full(len(text), tracking, np.int64))
    rows = np.flatnonzero(strip.max(axis=1) > 0.5)
    band_top, band_height = rows[0], rows[-1] - rows[0] + 1
    angle = rng.uniform(-CAPTURE_ROTATION, CAPTURE_ROTATION)
    # A turned line's ends drift up and down by `drift`; a crop holds most of that, as
    # a zone detector's box does, so the glyphs of a turned line come out smaller.
    drift = abs(np.tan(np.radians(angle))) * strip.shape[1] / 2
    held = band_height + rng.uniform(1.8, 2.6) * drift
    crop_height = max(band_height / rng.uniform(*CAPTURE_GLYPH_HEIGHT), held)
    left, right = (rng.uniform(*CAPTURE_MARGINS) * crop_height for _ in range(2))
    slack = max(crop_height - band_height, 0.0)
    top = band_top - (slack / 2 + rng.uniform(-0.4, 0.4) * slack)  # the crop's top row
    pad = round(crop_height)
    canvas = np.zeros((strip.shape[0] + 2 * pad, strip.shape[1] + 2 * pad), np.float32)
    canvas[pad : pad + strip.shape[0], pad : pad + strip.shape[1]] = strip
    turned = Image.fromarray(canvas).rotate(angle, Image.Resampling.BILINEAR)
    box = (pad - left, pad + top, pad + strip.shape[1] + right, pad + top + crop_height)
    width = max(1, round((box[2] - box[0]) * height / crop_height))
    coverage = np.asarray(turned.resize((width, height), Image.Resampling.BOX, box=box))
    style = LineStyle.random(rng, height)
    return ink_on_paper(np.clip(coverage, 0.0, 1.0), style.ink, style.paper)


def render_text_line(
    text: str,
    *,
    height: int = 32,
    font_path: str | os.PathLike | None = None,
    seed: int | None = None,
) -> np.ndarray:
    """Renders one line of text in OCR-B (or another font) on white paper.

    With ``seed=None`` the line is plain: black ink on white, the glyph box 72%
    of the height, centred, margins of a quarter height. With a seed the size,
    letter spacing, margins, position and contrast vary, reproducibly.

    Args:
        text: the characters to draw; each must exist in the font.
        height: the image height in pixels (>= 8).
        font_path: a TrueType/OpenType file; ``None`` looks up OCR-B.
        seed: ``None`` for the plain style, or a seed for a random style.

    Returns:
        A grayscale uint8 image ``(height, width)``, width proportional to the text.

    Raises:
        ValueError: for a bad ``height`` or a character the font lacks.
        FontNotFoundError: if ``font_path`` is ``None`` and OCR-B is not installed.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> image = render_text_line("P<UTO", height=32, font_path=dejavu)
    >>> image.shape[0], image.dtype.name, int(image.min()) < 64, int(image[0].min())
    (32, 'uint8', True, 255)
    """
    height = check_height(height)
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string; received {text!r}.")
    rng = None if seed is None else np.random.default_rng(check_non_negative_int("seed", seed))
    style = LineStyle() if rng is None else LineStyle.random(rng, height)
    return draw_text_line(text, height, resolve_font(font_path), style, rng)
