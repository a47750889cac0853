"""A document-type classification set: cheques, ID cards, signature cards, tampered cheques."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from finvision._validation import check_fraction, check_non_negative_int
from finvision.data.synthetic._checks import check_size
from finvision.data.synthetic._random import (
    DOCUMENT_STREAM,
    TAMPER_PAIR_STREAM,
    sample_generators,
)
from finvision.data.synthetic.cheques import _background, cheques
from finvision.data.synthetic.fonts import resolve_font
from finvision.data.synthetic.mrz import mrz_blocks
from finvision.data.synthetic.nuisance import apply_nuisance
from finvision.data.synthetic.signatures import signature_image
from finvision.data.synthetic.tamper import TAMPER_KINDS, edited_cheques, tampered_documents

#: The classes of :func:`document_types`, in label order.
DOCUMENT_TYPES = ("cheque", "id_card", "signature_card", "tampered_cheque")
#: Documents are drawn at this size at least, then resized to the requested one.
_RENDER_SIZE = (144, 320)


@dataclasses.dataclass(frozen=True)
class DocumentImages:
    """Images of documents with their class.

    Attributes:
        images: RGB uint8 ``(N, height, width, 3)``.
        labels: int32 ``(N,)``, indices into ``class_names``.
        class_names: :data:`DOCUMENT_TYPES`.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> documents = document_types(3, seed=0, font_path=dejavu)
    >>> documents.images.shape, documents.class_names[documents.labels[0]]
    ((3, 96, 192, 3), 'id_card')
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]


def document_types(
    count: int,
    *,
    seed: int,
    size: Sequence[int] = (96, 192),
    tampered_share: float = 0.05,
    font_path: str | os.PathLike | None = None,
    nuisance: float = 0.0,
) -> DocumentImages:
    """A seeded, imbalanced document classification set, as a bank's inbox sees it.

    Each sample is a cheque, an ID card (photo, printed fields and a TD1
    machine-readable zone), a signature card or, rarely, a tampered cheque
    (copy-move, splice or replaced digits; see
    :func:`~finvision.data.synthetic.tamper.tampered_documents`). The class of
    sample ``i`` is drawn from ``seed`` and ``i`` alone: ``tampered_share`` for
    tampered cheques, the rest split evenly. Documents are drawn at 144 x 320 px
    (or larger when ``size`` is) and resized to ``size``, so small sizes keep the
    layout but not the fine print: a tampered cheque differs from a genuine one
    only where it was edited, which is the hard, rare class.

    Args:
        count: how many documents.
        seed: a non-negative int.
        size: ``(height, width)`` of the images, at least 16 x 16.
        tampered_share: the probability, in [0, 1], that a sample is a tampered
            cheque.
        font_path: a font file instead of OCR-B.
        nuisance: strength in [0, 1] of capture nuisance (see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`).

    Returns:
        A :class:`DocumentImages`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``size``, ``tampered_share``
            or ``nuisance``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> import numpy as np
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> documents = document_types(8, seed=1, size=(48, 96), font_path=dejavu)
    >>> documents.images.shape, documents.images.dtype.name
    ((8, 48, 96, 3), 'uint8')
    >>> np.bincount(documents.labels, minlength=4).tolist()
    [3, 2, 2, 1]
    """
    count, seed = check_non_negative_int("count", count), check_non_negative_int("seed", seed)
    height, width = check_size(size)
    share = check_fraction("tampered_share", tampered_share)
    font = resolve_font(font_path)
    render = (max(height, _RENDER_SIZE[0]), max(width, _RENDER_SIZE[1]))
    others = (1.0 - share) / 3
    labels = np.array(
        [
            rng.choice(len(DOCUMENT_TYPES), p=[others, others, others, share])
            for rng in sample_generators(DOCUMENT_STREAM, seed, count)
        ],
        dtype=np.int32,
    )
    drawn = _draw(labels, seed, render, font)
    if check_fraction("nuisance", nuisance) > 0:
        drawn = apply_nuisance(drawn, strength=nuisance, seed=seed)
    images = _stacked(drawn, (height, width))
    return DocumentImages(images, labels, DOCUMENT_TYPES)


def tampered_pairs(
    count: int,
    *,
    seed: int,
    size: Sequence[int] = (96, 192),
    font_path: str | os.PathLike | None = None,
    nuisance: float = 0.0,
) -> DocumentImages:
    """Tampered cheques, each followed by its untouched original: paired training negatives.

    A tamper detector learns most from the same cheque with and without the
    edit, where the edit is the only difference; a set of independent cheques
    teaches it the layouts first. Image ``2i`` is a tampered cheque (copy-move,
    splice or replaced digits, as in :func:`document_types`) and image
    ``2i + 1`` the same cheque unedited, labelled ``"cheque"``. Each image gets
    its own nuisance, so the pair differs in capture as well. The cheques come
    from a random stream of their own, apart from those of
    :func:`document_types` and
    :func:`~finvision.data.synthetic.tamper.tampered_documents` (seeded by
    ``(stream, seed, index)``), so pairs can be added to a training split
    without repeating a held-out document.

    Args:
        count: how many pairs.
        seed: a non-negative int; pair ``i`` depends only on ``seed`` and ``i``
            (and, with nuisance, on ``count``).
        size: ``(height, width)`` of the images, at least 16 x 16.
        font_path: a font file instead of OCR-B.
        nuisance: strength in [0, 1] of capture nuisance.

    Returns:
        A :class:`DocumentImages` of ``2 * count`` images with
        :data:`DOCUMENT_TYPES` as class names.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``size`` or ``nuisance``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> import numpy as np
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> pairs = tampered_pairs(2, seed=0, size=(48, 96), font_path=dejavu)
    >>> [pairs.class_names[label] for label in pairs.labels[:2]]
    ['tampered_cheque', 'cheque']
    >>> pairs.images.shape
    (4, 48, 96, 3)
    """
    count, seed = check_non_negative_int("count", count), check_non_negative_int("seed", seed)
    height, width = check_size(size)
    strength = check_fraction("nuisance", nuisance)
    render = (max(height, _RENDER_SIZE[0]), max(width, _RENDER_SIZE[1]))
    generators = sample_generators(TAMPER_PAIR_STREAM, seed, count)
    edited = edited_cheques(generators, TAMPER_KINDS, render, resolve_font(font_path))
    drawn = [image for document in edited for image in (document.image, document.original)]
    if strength > 0:
        drawn = apply_nuisance(drawn, strength=strength, seed=seed)
    images = _stacked(drawn, (height, width))
    labels = np.tile(np.array([DOCUMENT_TYPES.index("tampered_cheque"), 0], np.int32), count)
    return DocumentImages(images, labels, DOCUMENT_TYPES)


def _draw(labels: np.ndarray, seed: int, size: tuple[int, int], font: str) -> list[np.ndarray]:
    """Draws every sample of each class in one call of that class's generator."""
    counts = np.bincount(labels, minlength=len(DOCUMENT_TYPES))
    drawn = {
        0: [
            cheque.image for cheque in cheques(int(counts[0]), seed=seed, size=size, font_path=font)
        ],
        1: _id_cards(int(counts[1]), seed, size, font),
        2: [
            np.repeat(signature_image(seed + j, seed=seed, size=size)[..., None], 3, axis=-1)
            for j in range(int(counts[2]))
        ],
        3: [
            document.image
            for document in tampered_documents(int(counts[3]), seed=seed, size=size, font_path=font)
        ],
    }
    taken = dict.fromkeys(drawn, 0)
    images = []
    for label in labels.tolist():
        images.append(drawn[label][taken[label]])
        taken[label] += 1
    return images


def _id_cards(count: int, seed: int, size: tuple[int, int], font: str) -> list[np.ndarray]:
    """ID cards: security paper, a photo, three printed fields and a TD1 MRZ."""
    height, width = size
    blocks = mrz_blocks(
        count, seed=seed, formats=["TD1"], height=max(8, height // 12), font_path=font
    )
    printed = ImageFont.truetype(font, max(6, height // 11))
    cards = []
    for rng, block in zip(sample_generators(DOCUMENT_STREAM + 1, seed, count), blocks, strict=True):
        card = Image.fromarray(_background(rng, height, width))
        draw = ImageDraw.Draw(card)
        photo = (width // 20, height // 10, width * 3 // 10, height * 6 // 10)
        draw_portrait(draw, photo, rng)
        fields = (block.mrz.surname, block.mrz.given_names, block.mrz.document_number)
        for row, text in enumerate(fields):
            top = height // 10 + row * height // 6
            draw.text((photo[2] + width // 20, top), text, fill=(30, 30, 40), font=printed)
        zone = Image.fromarray(block.image)
        scale = min(0.9 * width / zone.width, 0.3 * height / zone.height)
        zone = zone.resize((max(1, round(zone.width * scale)), max(1, round(zone.height * scale))))
        pixels = np.asarray(card).copy()
        top, left = height - zone.height - height // 20, (width - zone.width) // 2
        region = pixels[top : top + zone.height, left : left + zone.width]
        np.minimum(region, np.asarray(zone)[..., None], out=region)  # ink darkens the paper
        cards.append(pixels)
    return cards


def draw_portrait(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng: np.random.Generator
) -> None:
    """Draws a plain stand-in for an ID photo: a backdrop, a head and shoulders.

    Args:
        draw: where to draw.
        box: ``(left, top, right, bottom)`` of the photo.
        rng: the sample's generator (backdrop and skin colours).

    Example:
    >>> card = Image.new("RGB", (40, 50), "white")
    >>> draw_portrait(ImageDraw.Draw(card), (0, 0, 40, 50), np.random.default_rng(0))
    >>> card.getpixel((0, 0)) != (255, 255, 255)
    True
    """
    draw.rectangle(box, fill=tuple(int(v) for v in rng.integers(150, 210, 3)))
    middle = (box[0] + box[2]) // 2
    face = (box[2] - box[0]) // 4
    skin = tuple(int(v) for v in rng.integers(90, 200, 3))
    draw.ellipse((middle - face, box[1] + face // 2, middle + face, box[1] + 3 * face), skin)
    draw.rectangle((middle - 2 * face, box[1] + 3 * face, middle + 2 * face, box[3]), skin)


def _stacked(images: list[np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """RGB ``images`` resized to ``size`` in one ``(N, height, width, 3)`` array, N >= 0."""
    if not images:
        return np.zeros((0, *size, 3), np.uint8)
    return np.stack([_resized(image, size) for image in images])


def _resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if image.shape[:2] == size:
        return image
    resized = Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.LANCZOS)
    return np.asarray(resized)
