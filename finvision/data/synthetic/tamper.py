"""Tampered documents: copy-move, splice and replaced digits, each with its exact mask.

The mask marks every pixel the edit wrote; every pixel outside it is
bit-identical to the input. Inside the mask a written pixel may happen to keep
its value (paper pasted onto paper): the mask is the edit, not the visible
difference. The input image is never modified.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from finvision._validation import check_non_negative_int
from finvision.data.synthetic._random import TAMPER_STREAM, pick, sample_generators
from finvision.data.synthetic.cheques import check_cheque_size, draw_cheque
from finvision.data.synthetic.fonts import glyph_cells, line_height_ratio, resolve_font
from finvision.data.synthetic.text import LineStyle, draw_text_line, paint

#: The edits :func:`tamper` makes.
TAMPER_KINDS = ("copy_move", "splice", "replace_digits")
_MIN_SIDE = 16


@dataclasses.dataclass(frozen=True)
class TamperedImage:
    """An edited image, where it was edited and how.

    Attributes:
        image: the edited image, uint8, the input's shape.
        mask: bool ``(H, W)``: the pixels the edit wrote.
        kind: one of :data:`TAMPER_KINDS`.
        original: the image before the edit (for authentic negatives).

    Example:
    >>> page = np.full((64, 96), 235, np.uint8)
    >>> edited = tamper(page, "splice", seed=0, donor=np.zeros((64, 96), np.uint8))
    >>> bool((edited.image != page)[~edited.mask].any()), edited.kind
    (False, 'splice')
    """

    image: np.ndarray
    mask: np.ndarray
    kind: str
    original: np.ndarray


def _check_image(image: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or array.shape[2:] not in ((), (3,)):
        raise ValueError(
            f"`{name}` must be a uint8 array (H, W) or (H, W, 3); "
            f"received {array.dtype} {array.shape}."
        )
    if min(array.shape[:2]) < _MIN_SIDE:
        raise ValueError(
            f"`{name}` must be at least {_MIN_SIDE} x {_MIN_SIDE} pixels; received {array.shape}."
        )
    return array


def _region_shape(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A bool mask ``(height, width)``: a rectangle, an ellipse or a polygon in the box."""
    form = rng.random()
    if form < 0.5:
        return np.ones((height, width), bool)
    image = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(image)
    if form < 0.75:
        draw.ellipse((0, 0, width - 1, height - 1), fill=1)
    else:
        angles = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(5, 9))))
        radius = rng.uniform(0.6, 1.0, angles.size)
        x = (0.5 + 0.5 * radius * np.cos(angles)) * (width - 1)
        y = (0.5 + 0.5 * radius * np.sin(angles)) * (height - 1)
        draw.polygon(list(zip(x.tolist(), y.tolist(), strict=True)), fill=1)
    shape = np.asarray(image, dtype=bool)
    return shape if shape.any() else np.ones((height, width), bool)


def _patch_size(rng: np.random.Generator, height: int, width: int) -> tuple[int, int]:
    return (
        max(4, round(rng.uniform(0.1, 0.3) * height)),
        max(4, round(rng.uniform(0.1, 0.3) * width)),
    )


def _corner(rng: np.random.Generator, image: np.ndarray, size: tuple[int, int]) -> tuple[int, int]:
    return (
        int(rng.integers(0, image.shape[0] - size[0] + 1)),
        int(rng.integers(0, image.shape[1] - size[1] + 1)),
    )


def _busiest_corner(
    rng: np.random.Generator, image: np.ndarray, size: tuple[int, int], tries: int = 8
) -> tuple[int, int]:
    """Of a few random patch positions, the one with the most contrast (text, not paper)."""
    corners = [_corner(rng, image, size) for _ in range(tries)]
    return max(
        corners, key=lambda c: float(image[c[0] : c[0] + size[0], c[1] : c[1] + size[1]].std())
    )


def _paste(
    target: np.ndarray,
    mask: np.ndarray,
    patch: np.ndarray,
    shape: np.ndarray,
    corner: tuple[int, int],
) -> None:
    top, left = corner
    window = (slice(top, top + patch.shape[0]), slice(left, left + patch.shape[1]))
    target[window][shape] = patch[shape]
    mask[window] |= shape


def _copy_move(
    rng: np.random.Generator, image: np.ndarray, edited: np.ndarray, mask: np.ndarray
) -> None:
    size = _patch_size(rng, *image.shape[:2])
    source = _busiest_corner(rng, image, size)
    for _ in range(20):
        target = _corner(rng, image, size)
        if abs(target[0] - source[0]) >= size[0] or abs(target[1] - source[1]) >= size[1]:
            break
    patch = image[source[0] : source[0] + size[0], source[1] : source[1] + size[1]]
    _paste(edited, mask, patch, _region_shape(rng, *size), target)


def _text_donor(rng: np.random.Generator, shape: tuple[int, ...], font_path: str) -> np.ndarray:
    """Another document: lines of random figures on differently tinted paper."""
    height, width = shape[:2]
    style = LineStyle.random(rng, 32)
    rows = []
    while sum(row.shape[0] for row in rows) < height:
        text = "".join(pick(rng, "0123456789 ,.") for _ in range(int(rng.integers(8, 30))))
        row = draw_text_line(text, 32, font_path, style, rng)[:, :width]
        rows.append(np.pad(row, ((0, 0), (0, width - row.shape[1])), constant_values=style.paper))
    donor = np.vstack(rows)[:height]
    return donor if len(shape) == 2 else np.repeat(donor[..., None], shape[2], axis=2)


def _like(donor: np.ndarray, image: np.ndarray) -> np.ndarray:
    """The donor in the image's channel layout, at least the image's size."""
    picture = Image.fromarray(donor).convert("RGB" if image.ndim == 3 else "L")
    scale = max(image.shape[0] / picture.height, image.shape[1] / picture.width, 1.0)
    if scale > 1.0:
        picture = picture.resize(
            (round(picture.width * scale + 0.5), round(picture.height * scale + 0.5))
        )
    return np.asarray(picture)


def _splice(
    rng: np.random.Generator,
    image: np.ndarray,
    edited: np.ndarray,
    mask: np.ndarray,
    donor: np.ndarray,
) -> None:
    donor = _like(donor, image)
    size = _patch_size(rng, *image.shape[:2])
    source = _busiest_corner(rng, donor, size)
    patch = donor[source[0] : source[0] + size[0], source[1] : source[1] + size[1]]
    _paste(edited, mask, patch, _region_shape(rng, *size), _corner(rng, image, size))


def _check_box(box: Sequence[int], image: np.ndarray) -> tuple[int, int, int, int]:
    values = tuple(box) if isinstance(box, Sequence) else ()
    height, width = image.shape[:2]
    if not (
        len(values) == 4
        and all(isinstance(v, int | np.integer) for v in values)
        and 0 <= values[0] < values[2] <= height
        and 0 <= values[1] < values[3] <= width
    ):
        raise ValueError(
            f"`box` must be (top, left, bottom, right) ints inside the {height} x {width} "
            f"image with top < bottom and left < right; received {box!r}."
        )
    return tuple(int(v) for v in values)  # type: ignore[return-value]


def _replace_digits(
    rng: np.random.Generator,
    image: np.ndarray,
    edited: np.ndarray,
    mask: np.ndarray,
    box: tuple[int, int, int, int] | None,
    font_path: str,
) -> None:
    height, width = image.shape[:2]
    if box is None:
        box_height = int(np.clip(round(rng.uniform(0.06, 0.14) * height), 8, height))
        box_width = int(min(width, round(box_height * rng.uniform(1.5, 5.0))))
        top, left = _corner(rng, image, (box_height, box_width))
        box = (top, left, top + box_height, left + box_width)
    top, left, bottom, right = box
    region = image[top:bottom, left:right].reshape(bottom - top, right - left, -1)
    paper = np.percentile(region, 90, axis=(0, 1))
    ink = np.percentile(region, 5, axis=(0, 1))
    if float(np.mean(paper - ink)) < 60:
        ink = paper * 0.25
    size = max(4, round(0.95 * (bottom - top) / line_height_ratio(font_path)))
    cells = glyph_cells(font_path, size)
    count = max(1, round((right - left) / max(1, cells.cell("0").shape[1])))
    digits = "".join(pick(rng, "0123456789") for _ in range(count))
    window = edited[top:bottom, left:right].reshape(region.shape)
    window[:] = np.rint(paper).astype(np.uint8)
    coverage = cells.line(digits)[: bottom - top, : right - left]
    paint(window, coverage, (bottom - top - coverage.shape[0]) // 2, 0, tuple(ink.tolist()))
    mask[top:bottom, left:right] = True


def tamper(
    image: np.ndarray,
    kind: str,
    *,
    seed: int,
    donor: np.ndarray | None = None,
    box: Sequence[int] | None = None,
    font_path: str | os.PathLike | None = None,
) -> TamperedImage:
    """Edits an image the way forgers do, and returns the exact mask of the edit.

    - ``"copy_move"``: a region (rectangle, ellipse or polygon; 10-30% of each
      side) with the most contrast among a few candidates is copied elsewhere in
      the same image.
    - ``"splice"``: such a region comes from ``donor`` (resized up if smaller),
      or from a made-up document of figures on other paper.
    - ``"replace_digits"``: ``box`` (or a random text-sized box) is painted
      over with the paper's colour (its 90th percentile) and new random digits
      are written in the ink's colour (5th percentile) with the font.

    Args:
        image: uint8 ``(H, W)`` or ``(H, W, 3)``, at least 16 x 16; not modified.
        kind: one of :data:`TAMPER_KINDS`.
        seed: a non-negative int.
        donor: for ``"splice"``: the image to take the region from (uint8,
            grayscale or RGB; converted to the image's layout).
        box: for ``"replace_digits"``: ``(top, left, bottom, right)`` of the
            digits to replace, e.g. a field box of a
            :class:`~finvision.data.synthetic.cheques.Cheque`.
        font_path: font of the new digits and made-up donors (OCR-B by default).

    Returns:
        A :class:`TamperedImage`.

    Raises:
        ValueError: for a bad image, kind, seed, donor or box, or ``donor``/``box``
            with another kind.
        FontNotFoundError: if the edit needs a font, OCR-B is not installed and
            no ``font_path`` is given.

    Example:
    >>> page = np.full((64, 96, 3), 235, np.uint8)
    >>> edited = tamper(page, "replace_digits", seed=1, box=(10, 20, 30, 60),
    ...                 font_path="/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
    >>> np.argwhere(edited.mask).min(axis=0).tolist(), np.argwhere(edited.mask).max(axis=0).tolist()
    ([10, 20], [29, 59])
    """
    image = _check_image(image, "image")
    if kind not in TAMPER_KINDS:
        raise ValueError(f"`kind` must be one of {TAMPER_KINDS}; received {kind!r}.")
    if donor is not None and kind != "splice":
        raise ValueError(f"`donor` applies to kind 'splice' only; received kind {kind!r}.")
    if box is not None and kind != "replace_digits":
        raise ValueError(f"`box` applies to kind 'replace_digits' only; received kind {kind!r}.")
    rng = np.random.default_rng((TAMPER_STREAM, check_non_negative_int("seed", seed)))
    return _edit(rng, image, kind, donor, box, font_path)


def _edit(
    rng: np.random.Generator,
    image: np.ndarray,
    kind: str,
    donor: np.ndarray | None,
    box: Sequence[int] | None,
    font_path: str | os.PathLike | None,
) -> TamperedImage:
    edited = image.copy()
    mask = np.zeros(image.shape[:2], bool)
    if kind == "copy_move":
        _copy_move(rng, image, edited, mask)
    elif kind == "splice":
        if donor is None:
            donor = _text_donor(rng, image.shape, resolve_font(font_path))
        _splice(rng, image, edited, mask, _check_image(donor, "donor"))
    else:
        checked = None if box is None else _check_box(box, image)
        _replace_digits(rng, image, edited, mask, checked, resolve_font(font_path))
    return TamperedImage(edited, mask, kind, image.copy())


def tampered_documents(
    count: int,
    *,
    seed: int,
    kinds: Sequence[str] = TAMPER_KINDS,
    size: Sequence[int] = (288, 640),
    font_path: str | os.PathLike | None = None,
) -> list[TamperedImage]:
    """Cheques (see :func:`~finvision.data.synthetic.cheques.cheques`) with one edit each.

    Replaced digits target part of the courtesy amount or the date, as a
    forger would; copy-move and splice regions land anywhere. ``original`` holds
    the untouched cheque, an authentic negative of the same layout.

    Args:
        count: how many documents.
        seed: a non-negative int; document ``i`` depends only on ``seed`` and ``i``.
        kinds: the edits to draw from, uniformly.
        size: ``(height, width)`` of the cheques.
        font_path: a font file instead of OCR-B.

    Returns:
        ``count`` :class:`TamperedImage`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``kinds`` or ``size``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> document = tampered_documents(1, seed=0, size=(144, 320), font_path=dejavu)[0]
    >>> document.image.shape, bool(document.mask.any())
    ((144, 320, 3), True)
    """
    chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    if not chosen or any(kind not in TAMPER_KINDS for kind in chosen):
        raise ValueError(
            f"`kinds` must be a non-empty sequence of {TAMPER_KINDS}; received {kinds!r}."
        )
    size, font = check_cheque_size(size), resolve_font(font_path)
    return edited_cheques(sample_generators(TAMPER_STREAM, seed, count), chosen, size, font)


def edited_cheques(
    generators: Sequence[np.random.Generator],
    kinds: Sequence[str],
    size: tuple[int, int],
    font: str,
) -> list[TamperedImage]:
    """One edited cheque per generator; the arguments are checked by the callers.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> [document.kind for document in edited_cheques(
    ...     [np.random.default_rng(0)], ["splice"], (144, 320), dejavu)]
    ['splice']
    """
    documents = []
    for rng in generators:
        cheque = draw_cheque(rng, size, font)
        kind = pick(rng, kinds)
        box = None
        if kind == "replace_digits":
            top, left, bottom, right = cheque.boxes[pick(rng, ("courtesy_amount", "date"))]
            span = right - left
            start = left + int(rng.integers(0, max(1, span // 2)))
            box = (
                top,
                start,
                bottom,
                min(right, start + max(8, round(span * rng.uniform(0.3, 0.6)))),
            )
        documents.append(_edit(rng, cheque.image, kind, None, box, font))
    return documents
