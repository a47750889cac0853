"""How fast the seeded synthetic generators of ``finvision.data.synthetic`` are.

Samples per second of every generator at its default size, single process:
MRZ records (text only), MRZ line images, MRZ blocks, MICR line images,
cheques, signature pairs, tampered cheques, and MRZ lines with capture nuisance
(``nuisance=0.5``, through ``finvision.preprocessing.DocumentAugmentation``).
Each figure is the median of several rounds after a warm-up round (glyph
caches filled, Keras traced), per wall-clock second and per CPU second of the
process (all its threads): on a shared machine the second is far less disturbed
by other jobs. Target: thousands of MRZ lines per second.

Run with ``.venv/bin/python benchmarks/synthetic.py``; writes
``benchmarks/results/synthetic.json`` (with the machine's load average, since other
jobs on a shared machine slow every figure down).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import PIL
from _results import environment, write_results

from finvision.data import synthetic


def _rates(generate, count: int, rounds: int) -> tuple[float, float]:
    """Samples per wall-clock second and per CPU second (all threads), medians of rounds."""
    generate(count, 0)  # warm-up: glyph caches, Keras tracing
    wall, cpu = [], []
    for round_index in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        generate(count, round_index + 1)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return count / statistics.median(wall), count / statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="samples per round (text)")
    parser.add_argument("--images", type=int, default=200, help="samples per round (images)")
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    font = str(synthetic.find_ocr_b_font())
    load_before = os.getloadavg()[0]
    text, images, rounds = arguments.count, arguments.images, arguments.rounds
    cases = {
        "mrz_records": (lambda n, s: synthetic.random_mrz(n, seed=s), text),
        "mrz_lines": (lambda n, s: synthetic.mrz_lines(n, seed=s), text),
        "mrz_blocks": (lambda n, s: synthetic.mrz_blocks(n, seed=s), text // 2),
        "micr_lines": (lambda n, s: synthetic.micr_lines(n, seed=s), text),
        "cheques": (lambda n, s: synthetic.cheques(n, seed=s), images),
        "signature_pairs": (lambda n, s: synthetic.signature_pairs(n, seed=s), images),
        "tampered_documents": (lambda n, s: synthetic.tampered_documents(n, seed=s), images),
        "mrz_lines_with_nuisance": (
            lambda n, s: synthetic.mrz_lines(n, seed=s, nuisance=0.5),
            images,
        ),
    }
    rates, cpu_rates = {}, {}
    for name, (generate, count) in cases.items():
        wall, cpu = _rates(generate, count, rounds)
        rates[name], cpu_rates[name] = round(wall, 1), round(cpu, 1)
        print(f"{name:26s} {wall:10,.1f} samples/s {cpu:10,.1f} samples/CPU-s")
    line = synthetic.mrz_lines(1, seed=0)[0]
    report = {
        **environment("synthetic"),
        "numpy": np.__version__,
        "pillow": PIL.__version__,
        "font": font,
        "samples_per_round": {"text": text, "images": images},
        "rounds": rounds,
        "sizes": {
            "mrz_line_height": line.image.shape[0],
            "cheque": list(synthetic.cheques(1, seed=0)[0].image.shape),
            "signature": list(synthetic.signature_pairs(1, seed=0)[0].a.shape),
        },
        "samples_per_second": rates,
        "samples_per_cpu_second": cpu_rates,
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
    }
    write_results(report)


if __name__ == "__main__":
    main()
