"""Coverage-guided fuzzing of ``finvision.data.load_image`` with atheris (optional).

Run it as a script; it needs ``pip install atheris`` and exits quietly without::

    python -m tests.reliability.fuzz_load_image -runs=10000 -max_len=4096

Each input is written to a file with an image suffix chosen by its first byte
and loaded; anything but pixels or ``UnreadableImageError`` is a finding, and
libFuzzer stops with the input that caused it. Extra arguments go to libFuzzer
(``-runs=``, ``-max_total_time=``, a corpus directory).
"""

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from finvision import data

SUFFIXES = (".png", ".jpg", ".tif", ".bmp", ".gif", ".webp")
WORKDIR = Path(tempfile.gettempdir()) / f"finvision-fuzz-{os.getpid()}"


def check(raw: bytes) -> None:
    """Loads ``raw`` as an image file: pixels in [0, 255] or UnreadableImageError."""
    suffix = SUFFIXES[raw[0] % len(SUFFIXES)] if raw else ".png"
    path = WORKDIR / f"input{suffix}"
    path.write_bytes(raw[1:])
    try:
        pixels = data.load_image(path)
    except data.UnreadableImageError:
        return
    if not (pixels.dtype == np.float32 and np.isfinite(pixels).all()):
        raise AssertionError(f"load_image returned bad pixels for {raw[:32]!r}")
    if pixels.min() < 0 or pixels.max() > 255:
        raise AssertionError(f"load_image returned pixels outside [0, 255] for {raw[:32]!r}")


def main(argv: list[str]) -> int:
    """Runs libFuzzer on :func:`check`; returns 0 without atheris installed."""
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install atheris); nothing to fuzz.")
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    WORKDIR.mkdir(exist_ok=True)
    atheris.Setup([sys.argv[0], *argv], atheris.instrument_func(check))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
