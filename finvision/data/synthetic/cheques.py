"""Cheque images with their field values: payee, amounts, date, MICR line, signature."""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Sequence

import numpy as np

from finvision._validation import check_fraction
from finvision.data.synthetic._checks import check_size
from finvision.data.synthetic._random import CHEQUE_STREAM, pick, sample_generators
from finvision.data.synthetic.fonts import glyph_cells, line_height_ratio, resolve_font
from finvision.data.synthetic.micr import micr_coverage, random_micr_text
from finvision.data.synthetic.nuisance import with_nuisance
from finvision.data.synthetic.signatures import signature_coverage, signature_writer
from finvision.data.synthetic.text import paint
from finvision.data.synthetic.vocabulary import (
    BANKS,
    GIVEN_NAMES,
    NUMBER_WORDS,
    PAYEES,
    SURNAMES,
    TENS_WORDS,
)

_DATE_FORMATS = ("{y}-{m:02d}-{d:02d}", "{m:02d}/{d:02d}/{y}", "{d:02d}.{m:02d}.{y}")
_FIRST_DATE = datetime.date(2015, 1, 1).toordinal()
_LAST_DATE = datetime.date(2030, 12, 31).toordinal()
#: The fields whose boxes :class:`Cheque` records.
CHEQUE_FIELDS = ("payee", "courtesy_amount", "legal_amount", "date", "micr", "signature")


def _below_thousand(number: int) -> list[str]:
    words = []
    if number >= 100:
        words += [NUMBER_WORDS[number // 100], "HUNDRED"]
        number %= 100
    if number >= 20:
        tens, ones = divmod(number, 10)
        words.append(TENS_WORDS[tens] + (f"-{NUMBER_WORDS[ones]}" if ones else ""))
    elif number or not words:
        words.append(NUMBER_WORDS[number])
    return words


def amount_in_words(cents: int) -> str:
    """Writes an amount the way the legal-amount line of a cheque does.

    Args:
        cents: the amount in cents, 0 to 999,999,999.

    Returns:
        English words for the whole units and the cents as a fraction of 100.

    Raises:
        ValueError: if ``cents`` is out of range.

    Example:
    >>> amount_in_words(123456)
    'ONE THOUSAND TWO HUNDRED THIRTY-FOUR AND 56/100'
    """
    if not 0 <= cents < 10**9:
        raise ValueError(f"`cents` must be in [0, 1e9); received {cents!r}.")
    units, fraction = divmod(cents, 100)
    thousands, rest = divmod(units, 1000)
    words = [*_below_thousand(thousands), "THOUSAND"] if thousands else []
    if rest or not thousands:
        words += _below_thousand(rest)
    return f"{' '.join(words)} AND {fraction:02d}/100"


@dataclasses.dataclass(frozen=True)
class Cheque:
    """A rendered cheque and what is written on it.

    Attributes:
        image: RGB uint8 ``(height, width, 3)``.
        payee: the payee's name.
        amount: the amount, ``"1234.56"``.
        courtesy_amount: the figures in the amount box, e.g. ``"1,234.56"``.
        legal_amount: the amount in words.
        date: the date as printed.
        micr: the MICR transcript over
            :data:`~finvision.data.synthetic.micr.MICR_ALPHABET`.
        routing_number: the routing (transit) field of the MICR line.
        account_number: the account field (may hold the dash symbol ``D``).
        cheque_number: the serial number.
        signature_writer: the writer id of the signature.
        boxes: ``(top, left, bottom, right)`` of each field in :data:`CHEQUE_FIELDS`.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> cheque = cheques(1, seed=0, font_path=dejavu)[0]
    >>> cheque.image.shape, sorted(cheque.boxes) == sorted(CHEQUE_FIELDS)
    ((288, 640, 3), True)
    """

    image: np.ndarray
    payee: str
    amount: str
    courtesy_amount: str
    legal_amount: str
    date: str
    micr: str
    routing_number: str
    account_number: str
    cheque_number: str
    signature_writer: int
    boxes: dict[str, tuple[int, int, int, int]]


def _background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Pastel paper with a faint wavy security pattern."""
    tint = (255.0 - rng.uniform(8, 45, 3)).astype(np.float32)
    angle, period = rng.uniform(0, np.pi), rng.uniform(4, 12)
    bend, bend_period = rng.uniform(2, 6), rng.uniform(15, 40)
    strength = np.float32(rng.uniform(3, 12))
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    rows = y * np.float32(np.sin(angle) / period) + np.float32(bend) * np.sin(y / bend_period)
    wave = np.sin(x * np.float32(np.cos(angle) / period) + rows)
    pattern = strength * (0.5 + 0.5 * wave)
    return (tint - pattern[..., None]).astype(np.uint8)  # stays within [198, 247]


class _Writer:
    """Writes text onto a cheque in one font, sizes given as fractions of the height."""

    def __init__(self, canvas: np.ndarray, font_path: str) -> None:
        self.canvas = canvas
        self.font_path = font_path
        self.height = canvas.shape[0]

    def coverage(self, text: str, size: float, max_width: int | None = None) -> np.ndarray:
        pixels = max(6, round(size * self.height / line_height_ratio(self.font_path)))
        coverage = glyph_cells(self.font_path, pixels).line(text)
        while max_width is not None and coverage.shape[1] > max_width and pixels > 6:
            pixels -= 1
            coverage = glyph_cells(self.font_path, pixels).line(text)
        return coverage

    def write(
        self,
        text: str,
        top: float,
        left: float,
        size: float,
        color: tuple[float, ...],
        *,
        max_width: int | None = None,
        align_right: bool = False,
    ) -> tuple[int, int, int, int]:
        coverage = self.coverage(text, size, max_width)
        column = round(left) - (coverage.shape[1] if align_right else 0)
        return paint(self.canvas, coverage, round(top), column, color)

    def rule(self, row: float, left: float, right: float, color: tuple[float, ...]) -> None:
        self.canvas[round(row), round(left) : round(right)] = color


def check_cheque_size(size: Sequence[int]) -> tuple[int, int]:
    """Checks a cheque size ``(height, width)``: at least ``(96, 192)``.

    Example:
    >>> check_cheque_size((288, 640))
    (288, 640)
    """
    checked = check_size(size)
    if checked[0] < 96 or checked[1] < 192:
        raise ValueError(f"`size` must be at least (96, 192); received {size!r}.")
    return checked


def draw_cheque(rng: np.random.Generator, size: tuple[int, int], font_path: str) -> Cheque:
    """Draws one random cheque (see :func:`cheques`).

    Args:
        rng: the sample's generator.
        size: ``(height, width)``, checked with :func:`check_cheque_size`.
        font_path: a resolved font file.

    Returns:
        A :class:`Cheque`.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> draw_cheque(np.random.default_rng(0), (144, 320), dejavu).image.shape
    (144, 320, 3)
    """
    height, width = size
    canvas = _background(rng, height, width)
    writer = _Writer(canvas, font_path)
    printed = tuple(float(v) for v in rng.uniform(20, 70, 3))
    handwritten = tuple(float(v) for v in rng.uniform((0, 0, 60), (40, 40, 140)))
    jitter = rng.uniform(-0.01, 0.01, 2)
    h, w = height * (1 + jitter[0]), width * (1 + jitter[1])
    micr = random_micr_text(rng)
    drawer = f"{pick(rng, GIVEN_NAMES)} {pick(rng, SURNAMES)}"
    payee = (
        pick(rng, PAYEES)
        if rng.random() < 0.5
        else f"{pick(rng, GIVEN_NAMES)} {pick(rng, SURNAMES)}"
    )
    cents = int(np.exp(rng.uniform(np.log(100), np.log(10**7))))
    amount = f"{cents // 100}.{cents % 100:02d}"
    courtesy = ("**" if rng.random() < 0.3 else "") + f"{cents / 100:,.2f}"
    legal = amount_in_words(cents)
    day = datetime.date.fromordinal(int(rng.integers(_FIRST_DATE, _LAST_DATE)))
    date = pick(rng, _DATE_FORMATS).format(y=day.year, m=day.month, d=day.day)
    writer_id = int(rng.integers(1_000_000))

    canvas[2:-2, [2, -3]] = printed
    canvas[[2, -3], 2:-2] = printed
    writer.write(drawer, 0.05 * h, 0.04 * w, 0.05, printed)
    writer.write(pick(rng, BANKS), 0.62 * h, 0.04 * w, 0.045, printed)
    writer.write(micr["cheque"], 0.05 * h, 0.96 * w, 0.05, printed, align_right=True)
    writer.write("DATE", 0.22 * h, 0.58 * w, 0.04, printed)
    writer.write("PAY TO THE ORDER OF", 0.36 * h, 0.04 * w, 0.035, printed)
    writer.write("$", 0.34 * h, 0.72 * w, 0.06, printed)
    writer.write("MEMO", 0.78 * h, 0.04 * w, 0.035, printed)
    writer.rule(0.44 * h, 0.28 * w, 0.70 * w, printed)
    writer.rule(0.58 * h, 0.04 * w, 0.96 * w, printed)
    writer.rule(0.82 * h, 0.12 * w, 0.45 * w, printed)
    writer.rule(0.82 * h, 0.58 * w, 0.96 * w, printed)
    for row in (0.31 * h, 0.45 * h):
        writer.rule(row, 0.76 * w, 0.96 * w, printed)
    canvas[round(0.31 * h) : round(0.45 * h), [round(0.76 * w), round(0.96 * w)]] = printed

    ink = handwritten
    boxes = {
        "date": writer.write(date, 0.20 * h, 0.67 * w, 0.065, ink),
        "payee": writer.write(payee, 0.33 * h, 0.29 * w, 0.065, ink, max_width=round(0.41 * w)),
        "courtesy_amount": writer.write(
            courtesy, 0.335 * h, 0.955 * w, 0.065, ink, max_width=round(0.19 * w), align_right=True
        ),
        "legal_amount": writer.write(
            legal, 0.49 * h, 0.05 * w, 0.06, ink, max_width=round(0.9 * w)
        ),
    }
    signature_box = (round(0.6 * h), round(0.6 * w), round(0.84 * h), round(0.94 * w))
    signature = signature_coverage(
        signature_writer(writer_id),
        rng,
        (signature_box[2] - signature_box[0], signature_box[3] - signature_box[1]),
        forged=False,
    )
    boxes["signature"] = paint(canvas, signature, signature_box[0], signature_box[1], handwritten)
    glyph_height = round(0.055 * height)  # smaller when a long line would not fit
    coverage = micr_coverage(micr["printed"], glyph_height)
    while coverage.shape[1] > 0.92 * width and glyph_height > 1:
        glyph_height -= 1
        coverage = micr_coverage(micr["printed"], glyph_height)
    boxes["micr"] = paint(
        canvas,
        coverage,
        round(0.88 * height),
        round(0.95 * width) - coverage.shape[1],
        (10, 10, 10),
    )
    return Cheque(
        image=canvas,
        payee=payee,
        amount=amount,
        courtesy_amount=courtesy,
        legal_amount=legal,
        date=date,
        micr=micr["text"],
        routing_number=micr["routing"],
        account_number=micr["account"],
        cheque_number=micr["cheque"],
        signature_writer=writer_id,
        boxes=boxes,
    )


def cheques(
    count: int,
    *,
    seed: int,
    size: Sequence[int] = (288, 640),
    font_path: str | os.PathLike | None = None,
    nuisance: float = 0.0,
) -> list[Cheque]:
    """Cheque images with their payee, amounts, date, MICR line and signature.

    The layout is a US personal cheque (6 x 2.75 inches at the default size)
    on pastel paper with a wavy security pattern. Printed labels and the
    filled-in values use the font (OCR-B unless ``font_path`` is given), the
    signature comes from :mod:`~finvision.data.synthetic.signatures` and the MICR
    line from :mod:`~finvision.data.synthetic.micr`. The courtesy amount is in
    US dollars. Long values shrink to fit their space.

    Args:
        count: how many cheques.
        seed: a non-negative int; cheque ``i`` depends only on ``seed`` and ``i``.
        size: ``(height, width)`` in pixels, at least ``(96, 192)``.
        font_path: a font file instead of OCR-B.
        nuisance: strength in [0, 1] of capture nuisance (blur, noise, JPEG,
            perspective, uneven light; see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`), drawn
            for all images of the call together; 0 keeps the clean render.

    Returns:
        ``count`` :class:`Cheque`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``nuisance`` or ``size``.
        FontNotFoundError: if OCR-B is not installed and no ``font_path`` is given.

    Example:
    >>> dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    >>> cheque = cheques(1, seed=3, size=(144, 320), font_path=dejavu)[0]
    >>> cheque.image.shape, cheque.micr == cheque.micr.replace(" ", "")
    ((144, 320, 3), True)
    """
    size, font = check_cheque_size(size), resolve_font(font_path)
    nuisance = check_fraction("nuisance", nuisance)
    drawn = [draw_cheque(rng, size, font) for rng in sample_generators(CHEQUE_STREAM, seed, count)]
    return with_nuisance(drawn, nuisance, seed)
