"""Where the OCR-B font lives, and glyphs rendered once per font and size.

Machine-readable zones are printed in OCR-B (ISO 1073-2). Debian and Ubuntu
ship it in the package ``fonts-ocr-b``; it is looked up at run time, never
bundled. Every text renderer also takes ``font_path=`` for another font.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: The Debian/Ubuntu package that provides OCR-B.
OCR_B_PACKAGE = "fonts-ocr-b"
#: File names of the regular OCR-B face, as the package and other sources name it.
OCR_B_FILES = ("OCRB.otf", "OCRB.ttf", "OCR-B.otf", "OCR-B.ttf", "ocrb.otf", "ocrb.ttf")
#: Directories searched, the package's own first.
FONT_DIRECTORIES = (
    "/usr/share/fonts/opentype/ocr-b",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
)


_NO_CHARACTER = "\uffff"  # a noncharacter: fonts draw their "missing glyph" box for it


class FontNotFoundError(FileNotFoundError):
    """Raised when no OCR-B font is installed and no ``font_path`` was given.

    Example:
    >>> issubclass(FontNotFoundError, FileNotFoundError)
    True
    """


def _search(directories: Iterable[str]) -> Path | None:
    for directory in directories:
        root = Path(directory).expanduser()
        if not root.is_dir():
            continue
        for name in OCR_B_FILES:
            if (root / name).is_file():
                return root / name
        for name in OCR_B_FILES:
            found = sorted(root.rglob(name))
            if found:
                return found[0]
    return None


@functools.lru_cache(maxsize=1)
def find_ocr_b_font() -> Path:
    """Finds the regular OCR-B font file installed on this machine.

    Searches the directory of the ``fonts-ocr-b`` package, then the usual font
    directories (recursively) for a file named like ``OCRB.otf``. The answer is
    cached for the life of the process.

    Returns:
        The path of the font file.

    Raises:
        FontNotFoundError: if none is found; the message names the package to
            install and the ``font_path=`` argument.

    Example:
    >>> try:
    ...     path = find_ocr_b_font()
    ... except FontNotFoundError:
    ...     path = None
    >>> path is None or path.suffix in (".otf", ".ttf")
    True
    """
    found = _search(FONT_DIRECTORIES)
    if found is None:
        raise FontNotFoundError(
            "No OCR-B font found. Install it (Debian/Ubuntu: `apt-get install "
            f"{OCR_B_PACKAGE}`) or pass `font_path=` to a TrueType/OpenType font file."
        )
    return found


def resolve_font(font_path: str | os.PathLike | None) -> str:
    """Returns the font file to use: ``font_path`` if given, else OCR-B.

    Args:
        font_path: a TrueType/OpenType file, or ``None`` for OCR-B.

    Returns:
        The font file's path as a string.

    Raises:
        FileNotFoundError: if ``font_path`` is not a file.
        FontNotFoundError: if ``font_path`` is ``None`` and OCR-B is not installed.

    Example:
    >>> resolve_font("x.ttf")
    Traceback (most recent call last):
    ...
    FileNotFoundError: `font_path` must be a font file; received 'x.ttf', which does not exist.
    """
    if font_path is None:
        return str(find_ocr_b_font())
    path = Path(font_path)
    if not path.is_file():
        raise FileNotFoundError(
            f"`font_path` must be a font file; received {str(font_path)!r}, which does not exist."
        )
    return str(path)


class CellAtlas:
    """Character cells rendered once and kept side by side in one array.

    A cell is a float32 ink-coverage array in [0, 1] of the atlas height and
    the character's advance width. A line of text is its cells side by side,
    gathered with one indexing operation. Subclasses say how a cell is drawn.

    Args:
        height: the height of every cell in pixels.

    Example:
    >>> class Bars(CellAtlas):
    ...     def render(self, character):
    ...         return np.ones((self.height, int(character)), np.float32)
    >>> Bars(2).line("12", np.array([1, 0])).tolist()
    [[1.0, 0.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0]]
    """

    def __init__(self, height: int) -> None:
        self.height = height
        self._entries: dict[str, tuple[int, int]] = {}
        self._columns = np.zeros((height, 1), np.float32)  # column 0 stays blank

    def render(self, character: str) -> np.ndarray:
        """Draws one cell; called once per character."""
        raise NotImplementedError

    def _entry(self, character: str) -> tuple[int, int]:
        entry = self._entries.get(character)
        if entry is None:
            cell = self.render(character)
            entry = self._entries[character] = (self._columns.shape[1], cell.shape[1])
            self._columns = np.concatenate([self._columns, cell], axis=1)
        return entry

    def cell(self, character: str) -> np.ndarray:
        """The coverage cell of one character.

        Returns:
            A float32 array ``(height, advance)``.
        """
        start, width = self._entry(character)
        return self._columns[:, start : start + width].copy()

    def line(self, text: str, gaps: np.ndarray | None = None) -> np.ndarray:
        """The coverage of a line of text: its cells side by side.

        Args:
            text: the characters.
            gaps: optional blank columns added after each character (ints >= 0).

        Returns:
            A float32 array ``(height, width)`` in [0, 1].
        """
        entries = np.array([self._entry(c) for c in text], np.int64).reshape(-1, 2)
        starts, widths = entries[:, 0], entries[:, 1]
        lengths = widths if gaps is None else widths + np.asarray(gaps, np.int64)
        owner = np.repeat(np.arange(len(text)), lengths)
        offset = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        columns = np.where(offset < widths[owner], starts[owner] + offset, 0)
        return self._columns[:, columns]


class GlyphCells(CellAtlas):
    """The glyphs of one font at one size, as cells of a :class:`CellAtlas`.

    Cells are the font's line height (ascent + descent) high and the glyph's
    advance wide, rounded to whole pixels; kerning is not applied (MRZ fonts are
    monospaced) and ink outside the advance is cut.

    Args:
        font_path: the font file.
        size: the font size in pixels.

    Raises:
        OSError: if Pillow cannot read the font.

    Example:
    >>> cells = glyph_cells(resolve_font("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), 20)
    >>> cells.cell("A").shape[0] == cells.height
    True
    """

    def __init__(self, font_path: str, size: int) -> None:
        # The basic layout engine draws the same pixels with or without libraqm.
        self.font = ImageFont.truetype(font_path, size, layout_engine=ImageFont.Layout.BASIC)
        self.font_path = font_path
        ascent, descent = self.font.getmetrics()
        super().__init__(ascent + descent)

    def _draw(self, character: str) -> np.ndarray:
        width = max(1, round(self.font.getlength(character)))
        image = Image.new("L", (width, self.height), 0)
        ImageDraw.Draw(image).text((0, 0), character, fill=255, font=self.font)
        return np.asarray(image, dtype=np.float32) / 255.0

    def render(self, character: str) -> np.ndarray:
        """Draws one glyph.

        Raises:
            ValueError: if the font has no glyph for ``character`` (it draws
                nothing, or the same as for a code point no font has).
        """
        cell = self._draw(character)
        if not character.isspace():
            missing = self._draw(_NO_CHARACTER)
            if not cell.any() or (missing.any() and np.array_equal(cell, missing)):
                raise ValueError(
                    f"The font {Path(self.font_path).name} has no glyph for {character!r}; "
                    "pass `font_path=` to a font that has."
                )
        return cell


@functools.lru_cache(maxsize=64)
def glyph_cells(font_path: str, size: int) -> GlyphCells:
    """The shared :class:`GlyphCells` of a font file at a pixel size.

    Args:
        font_path: the font file (see :func:`resolve_font`).
        size: the font size in pixels.

    Returns:
        A cached :class:`GlyphCells`.

    Example:
    >>> path = resolve_font("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    >>> glyph_cells(path, 12) is glyph_cells(path, 12)
    True
    """
    return GlyphCells(font_path, size)


@functools.lru_cache(maxsize=16)
def line_height_ratio(font_path: str) -> float:
    """The font's line height (ascent + descent) per pixel of font size.

    Example:
    >>> ratio = line_height_ratio(resolve_font("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    >>> 1.0 < ratio < 1.5
    True
    """
    return glyph_cells(font_path, 100).height / 100.0
