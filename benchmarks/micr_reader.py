"""The MICR line reader on held-out lines, as drawn and as captured, and on whole cheques.

There is no E-13B font to render lines apart from finvision's own glyphs, so every
line here comes from ``finvision.data.synthetic`` at seeds no reader was trained on:

- classic lines (``micr_lines``, glyphs 0.62-0.82 of the height) at nuisance 0.5 and
  0.8, the same 1,000 lines ``benchmarks/ocr.py`` reads;
- captured lines (``micr_lines(layout="capture")``: glyphs 0.3-0.8 of the height
  anywhere in the crop, margins from none to 0.6 line heights, turned up to 3 degrees)
  at nuisance 0.5;
- photos of cheques at 600x800 (``document_pages(kinds=("cheque",))``) read by
  ``models.read_micr``, which finds, rectifies and crops the line itself: found, read
  exactly, and the routing number's check digit holding.

Each ``--preset`` (a built-in name or a preset directory) is measured on the same lines
and pages in one run, so two readers compare side by side.

Run with ``make bench``; writes ``benchmarks/results/micr_reader.json``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _results import environment, write_results

from finvision.data import synthetic
from finvision.metrics import functional
from finvision.models import TextLineRecognizer, read_micr
from finvision.models.presets import preset_digest

HELD_OUT_SEED = 900_000  # as benchmarks/ocr.py
PAGE_SEED = 99
LINE_SETS = {
    "drawn, nuisance 0.5": {"nuisance": 0.5},
    "drawn, nuisance 0.8": {"nuisance": 0.8},
    "captured, nuisance 0.5": {"nuisance": 0.5, "layout": "capture"},
}


def read_lines(reader: TextLineRecognizer, lines: list) -> dict:
    images, texts = [line.image for line in lines], [line.text for line in lines]
    reader.predict_text(images[:8])  # warm-up: tracing
    start = time.perf_counter()
    predicted = reader.predict_text(images, batch_size=64)
    seconds = time.perf_counter() - start
    return {
        "cer": functional.character_error_rate(texts, predicted),
        "exact_lines": float(np.mean([p == t for p, t in zip(predicted, texts, strict=True)])),
        "lines_per_second": len(images) / seconds,
    }


def read_cheques(reader: TextLineRecognizer, pages: list) -> dict:
    read_micr(pages[0].image, reader=reader)  # warm-up: tracing
    start = time.perf_counter()
    readings = [read_micr(page.image, reader=reader) for page in pages]
    seconds = time.perf_counter() - start
    read = [(r, page) for r, page in zip(readings, pages, strict=True) if r is not None]
    return {
        "found": len(read) / len(pages),
        "exact": sum(r.lines[0] == page.lines[0] for r, page in read) / len(pages),
        "routing_holds": sum(r.valid for r, _ in read) / len(pages),
        "pages_per_second": len(pages) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument(
        "--preset", action="append", help="a reader (name or directory); repeat to compare"
    )
    parser.add_argument("--out", help="results file (default: benchmarks/results/...)")
    arguments = parser.parse_args()
    presets = arguments.preset or ["micr"]
    line_sets = {
        name: synthetic.micr_lines(arguments.lines, seed=HELD_OUT_SEED, **options)
        for name, options in LINE_SETS.items()
    }
    pages = synthetic.document_pages(
        arguments.pages, seed=PAGE_SEED, size=(600, 800), kinds=("cheque",)
    )
    report = environment("micr_reader")
    report.update(lines=arguments.lines, pages=arguments.pages, readers={})
    for preset in presets:
        reader = TextLineRecognizer.from_preset(preset)
        figures = {name: read_lines(reader, lines) for name, lines in line_sets.items()}
        figures["cheque pages"] = read_cheques(reader, pages)
        report["readers"][preset] = {"preset_sha256": preset_digest(preset), **figures}
        print(preset, figures, flush=True)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
