"""A bank engineer's folder, made from images finvision did not draw.

Handwritten digits from scikit-learn (the UCI pen-digits scans) are inked onto crops
of scikit-image's photographs, then written the way real folders mix them: RGB and
grayscale PNG, JPEG, phone JPEGs stored sideways with an EXIF orientation, 16-bit
PNG, LZW-compressed TIFF, and a few broken files that the loaders must skip.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as photos
from sklearn.datasets import load_digits

CLASSES = {"zero": 0, "one": 1, "seven": 7}
SIDE = 48
#: Written in turn; the EXIF JPEG is stored turned a quarter counter-clockwise, with
#: orientation 6 telling a viewer to turn it back (as a phone held upright does).
FORMATS = ("png", "jpeg", "gray_png", "exif_jpeg", "png16", "lzw_tiff")
SUFFIXES = {
    "png": ".png",
    "jpeg": ".jpg",
    "gray_png": ".png",
    "exif_jpeg": ".jpg",
    "png16": ".png",
    "lzw_tiff": ".tif",
}
BROKEN = {"zero/truncated.jpg", "one/notes.png", "seven/empty.tif"}


def _backgrounds() -> list[np.ndarray]:
    return [photos.astronaut(), photos.coffee(), photos.chelsea(), photos.rocket()]


def upright_image(digit: np.ndarray, background: np.ndarray, rng: np.random.Generator):
    """A light photo crop with the digit inked dark on it, ``(SIDE, SIDE, 3)`` uint8."""
    top = rng.integers(0, background.shape[0] - SIDE)
    left = rng.integers(0, background.shape[1] - SIDE)
    paper = 150 + 0.4 * background[top : top + SIDE, left : left + SIDE].astype(np.float32)
    ink = np.kron(digit / 16.0, np.ones((5, 5)))  # 8 x 8 -> 40 x 40
    offset = rng.integers(0, SIDE - 40, 2)
    mask = np.zeros((SIDE, SIDE), np.float32)
    mask[offset[0] : offset[0] + 40, offset[1] : offset[1] + 40] = ink
    return np.clip(paper * (1 - 0.85 * mask[..., None]), 0, 255).astype(np.uint8)


def _write(path: Path, image: np.ndarray, kind: str) -> None:
    picture = Image.fromarray(image)
    if kind == "png":
        picture.save(path)
    elif kind == "jpeg":
        picture.save(path, quality=92)
    elif kind == "gray_png":
        picture.convert("L").save(path)
    elif kind == "exif_jpeg":
        exif = Image.Exif()
        exif[0x0112] = 6
        picture.rotate(90, expand=True).save(path, quality=92, exif=exif.tobytes())
    elif kind == "png16":
        gray = np.asarray(picture.convert("L"), np.uint16) * 257
        Image.fromarray(gray).save(path)
    else:
        picture.save(path, compression="tiff_lzw")


def make_folder(
    root: Path, per_class: int = 60, *, start: int = 0, seed: int = 0
) -> dict[str, np.ndarray]:
    """Writes ``root/<class>/*`` and returns each file's upright RGB pixels by relative path.

    ``start`` skips that many scans of each digit, so two folders can hold different
    writers' digits (a training and a held-out folder).
    """
    digits = load_digits()
    rng = np.random.default_rng(seed)
    backgrounds = _backgrounds()
    written = {}
    for name, digit in CLASSES.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        samples = np.flatnonzero(digits.target == digit)[start : start + per_class]
        for index, sample in enumerate(samples):
            kind = FORMATS[index % len(FORMATS)]
            image = upright_image(digits.images[sample], backgrounds[index % len(backgrounds)], rng)
            relative = f"{name}/{index:03d}_{kind}{SUFFIXES[kind]}"
            _write(root / relative, image, kind)
            written[relative] = image
    good_jpeg = (root / "zero" / "001_jpeg.jpg").read_bytes()
    (root / "zero" / "truncated.jpg").write_bytes(good_jpeg[: len(good_jpeg) // 2])
    (root / "one" / "notes.png").write_text("scanned on the 3rd floor, ask Ana\n")
    (root / "seven" / "empty.tif").write_bytes(b"")
    return written


def write_manifest(root: Path, files: dict[str, np.ndarray], path: Path) -> Path:
    """A CSV manifest of the same folder: ``path,label`` with paths relative to ``root``."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        for relative in sorted(files):
            writer.writerow([relative, relative.split("/")[0]])
    return path
