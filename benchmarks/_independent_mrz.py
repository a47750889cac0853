"""MRZ lines drawn by a renderer of their own, apart from finvision's training generator.

The shipped readers are trained on ``finvision.data.synthetic``; judging them on lines
from the same code would flatter them. This renderer shares no code with it: it draws
each line with Pillow straight from the OCR-B font file (Debian ``fonts-ocr-b``) the way
real MRZ crops look, with its own choices of what varies:

- glyph height 0.5-0.7 of the line height (real crops; the training generator uses
  0.38-0.53), true fixed pitch with tracking of -1 to +1 px;
- margins from tight (ink near an edge) to loose, in-plane rotation up to
  ``max_rotation`` degrees;
- grey paper with a lighting gradient, ink 20-90, Gaussian blur, sensor noise and
  JPEG at quality 40-90.

Only the text comes from finvision (``documents.compose_mrz``: ICAO 9303 layouts
with valid check digits), with field values drawn here.
"""

from __future__ import annotations

import io
import string
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from finvision.documents import compose_mrz

FONT = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
_LETTERS = string.ascii_uppercase


def _word(rng: np.random.Generator, low: int, high: int) -> str:
    return "".join(rng.choice(list(_LETTERS), int(rng.integers(low, high + 1))))


def _date(rng: np.random.Generator) -> str:
    return f"{rng.integers(0, 100):02d}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"


def mrz_texts(rng: np.random.Generator, format: str) -> tuple[str, ...]:
    """The lines of one made-up document of ``format`` (TD1, TD2 or TD3)."""
    alphanumeric = list(_LETTERS + string.digits)
    return compose_mrz(
        format,
        document_type="P" if format == "TD3" else str(rng.choice(["ID", "I", "AC"])),
        issuing_state=_word(rng, 3, 3),
        surname=_word(rng, 3, 12),
        given_names=" ".join(_word(rng, 2, 8) for _ in range(int(rng.integers(1, 3)))),
        document_number="".join(rng.choice(alphanumeric, 9)),
        nationality=_word(rng, 3, 3),
        birth_date=_date(rng),
        sex=str(rng.choice(["M", "F", "<"])),
        expiry_date=_date(rng),
        optional_data="".join(rng.choice(alphanumeric, int(rng.integers(0, 8)))),
    )


def render_line(
    text: str, rng: np.random.Generator, *, height: int = 32, max_rotation: float = 1.5
) -> np.ndarray:
    """One grey ``(height, W)`` uint8 crop of ``text``, as a scanner or phone gives it."""
    scale = 4  # drawn large, then reduced: antialiased edges as a real capture has
    glyph = rng.uniform(0.5, 0.7) * height * scale
    font = ImageFont.truetype(str(FONT), round(glyph / 0.77))  # OCR-B digits: 0.77 em
    pitch = font.getlength("0") + rng.uniform(-1, 1) * scale
    margin_x = rng.uniform(0.1, 1.5) * pitch
    width = round(2 * margin_x + pitch * len(text))
    canvas_height = height * scale
    paper = float(rng.uniform(150, 245))
    image = Image.new("L", (width, canvas_height), round(paper))
    draw = ImageDraw.Draw(image)
    ink = int(rng.integers(20, 90))
    slack = (canvas_height - glyph) / 2  # the ink band may sit anywhere inside the crop
    baseline = (canvas_height + glyph) / 2 + rng.uniform(-0.6, 0.6) * slack
    for index, character in enumerate(text):
        draw.text((margin_x + index * pitch, baseline), character, fill=ink, font=font, anchor="ls")
    image = image.rotate(
        rng.uniform(-max_rotation, max_rotation),
        resample=Image.Resampling.BICUBIC,
        fillcolor=round(paper),
    )
    image = image.resize((max(1, round(width / scale)), height), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype="float32")
    gradient = np.linspace(rng.uniform(-25, 0), rng.uniform(0, 25), pixels.shape[1])
    pixels = pixels + gradient[None, :] + rng.normal(0, rng.uniform(1, 6), pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.8)))
    encoded = io.BytesIO()
    image.save(encoded, "JPEG", quality=int(rng.integers(40, 91)))
    return np.asarray(Image.open(encoded).convert("L"))


def mrz_line_set(
    count: int, seed: int, *, formats: tuple[str, ...] = ("TD3", "TD1"), max_rotation: float = 1.5
) -> tuple[list[np.ndarray], list[str]]:
    """``count`` lines (images and texts) from whole documents of ``formats``, in turn."""
    rng = np.random.default_rng(seed)
    images, texts = [], []
    while len(texts) < count:
        for line in mrz_texts(rng, str(rng.choice(list(formats)))):
            images.append(render_line(line, rng, max_rotation=max_rotation))
            texts.append(line)
    return images[:count], texts[:count]
