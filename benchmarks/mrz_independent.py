"""The shipped MRZ reader on lines from a renderer kept apart from its training code.

Lines come from ``benchmarks/_independent_mrz.py`` (Pillow and the OCR-B font file
directly; glyphs 0.5-0.7 of the line height, fixed pitch, tight to loose margins,
rotation, grey paper, blur, noise, JPEG), whole TD3 and TD1 documents. Reported per
in-plane rotation limit: character error rate, exact-line rate, lines/s, and how well
the reader's line confidence separates right reads from wrong ones (ROC AUC, the
share of wrong lines accepted at the confidence that accepts 90% of the right ones,
and the lines accepted, and the wrong share among them, at the confidence threshold
that lets through at most 1% wrong lines on a calibration set of other lines), and, on
whole documents, the share read exactly by greedy decoding and by
``documents.decode_mrz`` (the ICAO layout and check digits).

Run with ``make bench``; writes ``benchmarks/results/mrz_independent.json``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _independent_mrz import mrz_line_set, mrz_texts, render_line
from _results import environment, write_results
from sklearn.metrics import roc_auc_score

from finvision.documents import decode_mrz
from finvision.metrics import functional
from finvision.models import TextLineRecognizer
from finvision.models.text_recognition import prepare_lines

SEED = 20_261_204
CALIBRATION_SEED = 777  # other lines, for the acceptance threshold
WRONG_ACCEPTED = 0.01  # the share of accepted lines that may be wrong


def read_lines(reader: TextLineRecognizer, images: list, texts: list[str]) -> tuple:
    """The texts read, their confidences, which are right, and the seconds taken."""
    reader.predict_text(images[:8])  # warm-up: tracing
    start = time.perf_counter()
    predicted, confidence = reader.predict_text(images, batch_size=64, return_confidence=True)
    seconds = time.perf_counter() - start
    right = np.array([p == t for p, t in zip(predicted, texts, strict=True)])
    return predicted, confidence, right, seconds


def accept_threshold(confidence: np.ndarray, right: np.ndarray) -> float:
    """The lowest confidence at which at most ``WRONG_ACCEPTED`` of the accepted lines are wrong.

    1.0 where no threshold holds, as when the surest line is wrong.
    """
    order = np.argsort(-confidence, kind="stable")
    wrong_share = np.cumsum(~right[order]) / np.arange(1, len(order) + 1)
    holding = np.flatnonzero(wrong_share <= WRONG_ACCEPTED)
    return float(confidence[order][holding.max()]) if holding.size else 1.0


def calibrate(reader: TextLineRecognizer, count: int, rotations: list[float]) -> float:
    """The acceptance threshold, from lines of ``CALIBRATION_SEED`` at every rotation."""
    confidences, rights = [], []
    for rotation in rotations:
        images, texts = mrz_line_set(count, CALIBRATION_SEED, max_rotation=rotation)
        _, confidence, right, _ = read_lines(reader, images, texts)
        confidences.append(confidence)
        rights.append(right)
    return accept_threshold(np.concatenate(confidences), np.concatenate(rights))


def measure(reader: TextLineRecognizer, images: list, texts: list[str], threshold: float) -> dict:
    predicted, confidence, right, seconds = read_lines(reader, images, texts)
    accepted = confidence >= threshold
    report = {
        "cer": functional.character_error_rate(texts, predicted),
        "exact_lines": float(right.mean()),
        "lines_per_second": len(images) / seconds,
        "accepted": float(accepted.mean()),
        "wrong_among_accepted": float(np.mean(~right[accepted])) if accepted.any() else 0.0,
    }
    if 0 < right.sum() < len(right):
        accept = np.quantile(confidence[right], 0.1)  # keeps 90% of the right reads
        report["confidence_auroc"] = float(roc_auc_score(right, confidence))
        report["wrong_accepted_at_90pct_right"] = float(np.mean(confidence[~right] >= accept))
    return report


def read_documents(reader: TextLineRecognizer, count: int, rotation: float) -> dict:
    """Exact documents and lines, greedy against ``decode_mrz``, on whole zones."""
    rng = np.random.default_rng(SEED + 1)
    exact = {"greedy": [0, 0], "decode_mrz": [0, 0]}  # documents, lines
    lines = 0
    for _ in range(count):
        texts = list(mrz_texts(rng, str(rng.choice(["TD3", "TD1"]))))
        images = [render_line(text, rng, max_rotation=rotation) for text in texts]
        logits = reader.predict_on_batch(prepare_lines(images, reader.height, 1))
        readings = {
            "greedy": reader.decode(logits)[0],
            "decode_mrz": list(decode_mrz(list(np.asarray(logits)), from_logits=True).lines),
        }
        for name, read in readings.items():
            exact[name][0] += read == texts
            exact[name][1] += sum(r == t for r, t in zip(read, texts, strict=True))
        lines += len(texts)
    return {
        name: {"exact_documents": hits[0] / count, "exact_lines": hits[1] / lines}
        for name, hits in exact.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=400)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--rotations", type=float, nargs="*", default=[0.0, 1.5, 3.0])
    parser.add_argument("--preset", default="mrz", help="the reader: a preset name or directory")
    parser.add_argument("--out", help="results file (default: benchmarks/results/...)")
    arguments = parser.parse_args()
    reader = TextLineRecognizer.from_preset(arguments.preset)
    report = environment("mrz_independent")
    report.update(
        lines=arguments.lines,
        documents=arguments.documents,
        preset=arguments.preset,
        renderer="benchmarks/_independent_mrz.py",
        by_rotation={},
    )
    threshold = calibrate(reader, arguments.lines, arguments.rotations)
    report.update(
        accept_threshold=threshold,
        accept_threshold_from=f"{arguments.lines} lines per rotation, seed {CALIBRATION_SEED}; "
        f"at most {WRONG_ACCEPTED:.0%} of the accepted lines wrong",
    )
    print(f"acceptance threshold {threshold:.3f}", flush=True)
    for rotation in arguments.rotations:
        images, texts = mrz_line_set(arguments.lines, SEED, max_rotation=rotation)
        report["by_rotation"][f"{rotation:g}"] = {
            **measure(reader, images, texts, threshold),
            "documents": read_documents(reader, arguments.documents, rotation),
        }
        print(f"rotation <= {rotation:g} deg", report["by_rotation"][f"{rotation:g}"], flush=True)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
