"""Fixture folders made once per session: every image format and every kind of bad file."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageOps

HEIGHT, WIDTH = 16, 24
GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])


@dataclasses.dataclass
class Zoo:
    """Good images (name -> path), bad files (name -> path) and 16-bit sources."""

    root: Path
    good: dict[str, Path]
    bad: dict[str, Path]
    rgb16: np.ndarray


def _noise(rng, channels=3, height=HEIGHT, width=WIDTH):
    shape = (height, width) if channels == 1 else (height, width, channels)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def _photo(rng, height=HEIGHT, width=WIDTH):
    """Smooth colours plus noise: JPEG-friendly, unlike pure noise."""
    low = Image.fromarray(_noise(rng, 3, 3, 4)).resize((width, height), Image.BILINEAR)
    return np.clip(np.asarray(low, float) + rng.normal(0, 20, (height, width, 3)), 0, 255).astype(
        np.uint8
    )


def _exif(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def make_good(folder: Path, rng) -> tuple[dict[str, Path], np.ndarray]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {}

    def save(name, image, **options):
        files[name] = folder / name
        image.save(files[name], **options)

    save("rgb.jpg", Image.fromarray(_photo(rng)), quality=90)
    save("gray.jpg", Image.fromarray(_photo(rng)).convert("L"), quality=90)
    save("cmyk.jpg", Image.fromarray(_photo(rng)).convert("CMYK"), quality=90)
    for orientation in range(2, 9):
        save(f"exif_{orientation}.jpg", Image.fromarray(_photo(rng)), exif=_exif(orientation))
    save("rgb.png", Image.fromarray(_noise(rng)))
    save("gray.png", Image.fromarray(_noise(rng, 1)))
    save("rgba.png", Image.fromarray(_noise(rng, 4), "RGBA"))
    save("la.png", Image.fromarray(_noise(rng, 2), "LA"))
    palette = Image.fromarray(_noise(rng)).quantize(16)
    save("palette.png", palette)
    save("palette_transparent.png", palette, transparency=3)
    save("bilevel.png", Image.fromarray(_noise(rng, 1) > 127))
    save("gray16.png", Image.fromarray(rng.integers(0, 65536, (HEIGHT, WIDTH), dtype=np.uint16)))
    rgb16 = rng.integers(0, 65536, (HEIGHT, WIDTH, 3), dtype=np.uint16)
    files["rgb16.png"] = folder / "rgb16.png"
    files["rgb16.png"].write_bytes(tf.io.encode_png(rgb16).numpy())
    save("g4.tif", Image.fromarray(_noise(rng, 1) > 127), compression="group4")
    save("lzw.tif", Image.fromarray(_noise(rng)), compression="tiff_lzw")
    save("gray16.tif", Image.fromarray(rng.integers(0, 65536, (HEIGHT, WIDTH), dtype=np.uint16)))
    save("rgba.tif", Image.fromarray(_noise(rng, 4), "RGBA"))
    save("oriented.tif", Image.fromarray(_noise(rng)), tiffinfo={0x0112: 6})
    pages = [
        Image.fromarray(_noise(rng)),
        Image.fromarray(_noise(rng, 1)),
        Image.fromarray(_noise(rng, 1) > 127),
    ]
    save("multipage.tif", pages[0], save_all=True, append_images=pages[1:])
    save("rgb.bmp", Image.fromarray(_noise(rng)))
    save("palette.gif", Image.fromarray(_noise(rng)).quantize(32))
    save("lossless.webp", Image.fromarray(_noise(rng)), lossless=True)
    return files, rgb16


def make_bad(folder: Path, rng) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bad = {name: folder / name for name in ("empty.png", "text.jpg", "trunc.png", "trunc.jpg")}
    bad["empty.png"].write_bytes(b"")
    bad["text.jpg"].write_text("customer_id,amount\n1,100\n")
    for name, extension in (("trunc.png", "PNG"), ("trunc.jpg", "JPEG"), ("trunc.tif", "TIFF")):
        bad[name] = folder / name
        whole = folder / f"whole_{name}"
        Image.fromarray(_noise(rng, 3, 64, 64)).save(whole, extension)
        data = whole.read_bytes()
        whole.unlink()
        if extension == "TIFF":  # uncompressed strips: cut inside the pixel data
            bad[name].write_bytes(data[: len(data) // 3])
        else:
            bad[name].write_bytes(data[: len(data) // 2])
    return bad


@pytest.fixture(scope="session")
def zoo(tmp_path_factory) -> Zoo:
    root = tmp_path_factory.mktemp("zoo")
    rng = np.random.default_rng(7)
    good, rgb16 = make_good(root / "good", rng)
    bad = make_bad(root / "bad", rng)
    return Zoo(root, good, bad, rgb16)


def oracle(path: Path, zoo: Zoo, page: int = 0, color_mode: str = "rgb") -> np.ndarray:
    """Expected float pixels at stored size: Pillow decoding, NumPy arithmetic."""
    if path.name == "rgb16.png":  # Pillow reads 16-bit RGB as 8 bits; the source is known
        rgb = zoo.rgb16 * (255.0 / 65535.0)
    else:
        with Image.open(path) as image:
            image.seek(page)
            image.load()  # Pillow >= 11 turns a TIFF upright while loading
            image = ImageOps.exif_transpose(image)
            if image.mode.startswith("I;16"):
                gray = np.asarray(image).astype(np.float64) * (255.0 / 65535.0)
                rgb = np.repeat(gray[..., None], 3, axis=-1)
            elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = np.asarray(image.convert("RGBA")).astype(np.float64)
                alpha = rgba[..., 3:] / 255.0
                rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
            else:
                rgb = np.asarray(image.convert("RGB")).astype(np.float64)
    if color_mode == "grayscale":
        return (rgb @ GRAY_WEIGHTS)[..., None]
    return rgb


def digest(folder: Path) -> dict[str, tuple[str, float]]:
    """Content hash and modification time of every file under ``folder``."""
    return {
        str(path): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
