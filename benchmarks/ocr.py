"""Reading MRZ and MICR lines: the shipped finvision readers against Tesseract and RapidOCR.

1,000 held-out synthetic lines per reader (seeds never used in training), rendered with
heavier capture nuisance than the training augmentation, read by:

- finvision: ``TextLineRecognizer.from_preset(name)``, batches of 64;
- Tesseract 5 (Debian ``tesseract-ocr``, ``--psm 7``, a character whitelist), one
  process per line as its command line works, when ``tesseract`` is on the PATH;
- RapidOCR (``rapidocr_onnxruntime``), MRZ only, when it is installed.

Reported: character error rate, exact-line rate and lines/s (wall clock, same process
and machine), for every engine at ``--nuisance`` and, for the finvision readers, also at
the nuisance levels of ``--levels`` (clean renders, the training range, heavier).
Tesseract has no model of the four E-13B symbols, so on MICR lines it can read the
digits only; the symbols count as its errors.

Run with ``make bench``; writes ``benchmarks/results/ocr.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import shutil
import subprocess
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _results import environment, write_results
from PIL import Image

from finvision.data import synthetic
from finvision.metrics import functional
from finvision.models import ALPHABETS, TextLineRecognizer
from finvision.models.presets import list_builtin_presets

GENERATORS = {"mrz": synthetic.mrz_lines, "micr": synthetic.micr_lines}
HELD_OUT_SEED = 900_000


def finvision_reader(name: str) -> Callable[[list[np.ndarray]], list[str]]:
    reader = TextLineRecognizer.from_preset(name)
    return lambda images: reader.predict_text(images, batch_size=64)


def tesseract_reader(name: str) -> Callable[[list[np.ndarray]], list[str]]:
    whitelist = ALPHABETS[name]

    def read(images: list[np.ndarray]) -> list[str]:
        texts = []
        for image in images:
            png = io.BytesIO()
            Image.fromarray(image).save(png, "PNG")
            command = ["tesseract", "stdin", "stdout", "--psm", "7", "-l", "eng"]
            command += ["-c", f"tessedit_char_whitelist={whitelist}"]
            result = subprocess.run(command, input=png.getvalue(), capture_output=True)
            texts.append(result.stdout.decode("utf8", "replace").strip().replace(" ", ""))
        return texts

    return read


def rapidocr_reader() -> Callable[[list[np.ndarray]], list[str]]:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()

    def read(images: list[np.ndarray]) -> list[str]:
        texts = []
        for image in images:
            found, _ = engine(np.stack([image] * 3, axis=-1))
            texts.append("".join(box[1] for box in found or []).replace(" ", ""))
        return texts

    return read


def measure(read: Callable, images: list[np.ndarray], texts: list[str]) -> dict:
    read(images[:8])  # warm-up: tracing, model loading
    start = time.perf_counter()
    predicted = read(images)
    seconds = time.perf_counter() - start
    return {
        "cer": functional.character_error_rate(texts, predicted),
        "exact_lines": float(np.mean([p == t for p, t in zip(predicted, texts, strict=True)])),
        "lines_per_second": len(images) / seconds,
    }


def available_readers(name: str) -> dict[str, Callable]:
    readers = {"finvision": finvision_reader(name)}
    if shutil.which("tesseract"):
        readers["tesseract"] = tesseract_reader(name)
    if name == "mrz" and importlib.util.find_spec("rapidocr_onnxruntime"):
        readers["rapidocr"] = rapidocr_reader()
    return readers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--nuisance", type=float, default=0.8)
    parser.add_argument("--levels", type=float, nargs="*", default=[0.0, 0.5, 0.8])
    parser.add_argument("--out", help="results file (default: benchmarks/results/ocr.json)")
    arguments = parser.parse_args()
    report = environment("ocr")
    report.update(lines=arguments.lines, nuisance=arguments.nuisance, readers={}, levels={})
    for name in (n for n in GENERATORS if n in list_builtin_presets()):
        images, texts = held_out(name, arguments.lines, arguments.nuisance)
        report["readers"][name] = {
            engine: measure(read, images, texts) for engine, read in available_readers(name).items()
        }
        print(name, report["readers"][name], flush=True)
        read = finvision_reader(name)
        report["levels"][name] = {
            f"{level:.1f}": measure(read, *held_out(name, arguments.lines, level))
            for level in arguments.levels
        }
        print(name, "by nuisance", report["levels"][name], flush=True)
    write_results(report, arguments.out)


def held_out(name: str, count: int, nuisance: float) -> tuple[list[np.ndarray], list[str]]:
    """Lines no reader was trained on (their own seed), with capture nuisance."""
    lines = GENERATORS[name](count, seed=HELD_OUT_SEED, nuisance=nuisance)
    return [line.image for line in lines], [line.text for line in lines]


if __name__ == "__main__":
    main()
