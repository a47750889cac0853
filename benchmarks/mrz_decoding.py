"""Decoding MRZ lines with the layout's structure: greedy CTC against the constrained decoder.

Whole TD1 and TD3 documents (held-out seeds) from finvision's own synthetic
generator: fields from ``synthetic.random_mrz``, each line drawn by
``draw_text_line`` ("classic": the training layout) or ``draw_captured_line``
("capture": caps 0.3-0.8 of the line height, turned up to 3 degrees), then
``synthetic.apply_nuisance``. This is the generator the shipped reader was trained
on, not an independent renderer (``mrz_independent.py`` has one).

The shipped ``mrz`` reader reads every line once, in batches of 64; the same logits
are decoded greedily (``TextLineRecognizer.decode``) and, a document at a time, by
``finvision.documents.decode_mrz`` (character classes and check digits). Reported
per condition and decoder: character error rate, exact lines, exact documents,
documents whose check digits and dates hold ("valid") and the wrong share of those,
the same for documents accepted at operating points 0.5 and 0.9 (valid, and a score at
least that: for greedy the least probability of its lines' texts, summed over
alignments by Keras' CTC loss; for the decoder ``MRZReading.confidence``), how far
the decoder's line log-probabilities are from Keras' CTC loss, digit/letter look-alike
substitutions (0/O, 1/I, 2/Z, 5/S, 8/B) on the lines greedy reads at full length, and
lines/s of decoding alone and of reading plus decoding.

Run with ``make bench``; writes ``benchmarks/results/mrz_decoding.json``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _results import environment, write_results

from finvision.data import synthetic
from finvision.data.synthetic.fonts import resolve_font
from finvision.data.synthetic.text import LineStyle, draw_captured_line, draw_text_line
from finvision.documents import MRZ_ALPHABET, decode_mrz, encode_texts, parse_mrz
from finvision.metrics import functional
from finvision.models import TextLineRecognizer
from finvision.models.presets import preset_digest
from finvision.models.text_recognition import prepare_lines

SEED = 910_000
BATCH = 64
LOOKALIKES = {frozenset(pair) for pair in ("0O", "1I", "2Z", "5S", "8B")}
ACCEPT = (0.5, 0.9)  # the operating points: the least score of an accepted document


def render(count: int, layout: str, nuisance: float, height: int) -> tuple[list, list]:
    """``count`` documents and the images of their lines, top line first."""
    documents = synthetic.random_mrz(count, seed=SEED, formats=("TD1", "TD3"))
    font = resolve_font(None)
    images = []
    for index, mrz in enumerate(documents):
        rng = np.random.default_rng([SEED, index])
        style = LineStyle.random(rng, height)  # one printer per document
        for text in mrz.lines:
            if layout == "capture":
                images.append(draw_captured_line(text, height, font, rng))
            else:
                images.append(draw_text_line(text, height, font, style, rng))
    return documents, synthetic.apply_nuisance(images, strength=nuisance, seed=SEED)


def read(reader: TextLineRecognizer, images: list[np.ndarray]) -> tuple[list, float]:
    """The logits of every line (batches of ``BATCH``) and the seconds it took."""
    shape = reader.height, reader.channels
    reader.predict_on_batch(prepare_lines(images[:8], *shape))  # warm-up: tracing
    start = time.perf_counter()
    batches = [
        np.asarray(reader.predict_on_batch(prepare_lines(images[i : i + BATCH], *shape)))
        for i in range(0, len(images), BATCH)
    ]
    return batches, time.perf_counter() - start


def by_document(values: list, documents: list) -> list[tuple]:
    """Per-line values grouped into documents."""
    values = iter(values)
    return [tuple(next(values) for _ in mrz.lines) for mrz in documents]


def label_probabilities(batches: list, texts: list[str]) -> np.ndarray:
    """Each line's probability of reading ``texts``, by Keras' CTC loss (a separate code)."""
    probabilities, lines = [], iter(texts)
    for logits in batches:
        batch = [next(lines) for _ in logits]
        labels = encode_texts(batch, MRZ_ALPHABET, max(1, *map(len, batch)))
        lengths = np.array([len(text) for text in batch])
        steps = np.full(len(batch), logits.shape[1])
        loss = keras.ops.ctc_loss(labels, logits, lengths, steps, mask_index=0)
        probabilities.extend(np.exp(-keras.ops.convert_to_numpy(loss).astype("float64")))
    return np.array(probabilities)


def greedy(reader: TextLineRecognizer, batches: list) -> tuple[list[str], float]:
    start = time.perf_counter()
    texts = [text for logits in batches for text in reader.decode(logits)[0]]
    return texts, time.perf_counter() - start


def constrained(batches: list, documents: list, candidates: int) -> tuple[list, float]:
    per_document = by_document([logits for batch in batches for logits in batch], documents)
    start = time.perf_counter()
    readings = [
        decode_mrz(logits, from_logits=True, candidates=candidates) for logits in per_document
    ]
    return readings, time.perf_counter() - start


def valid(lines: tuple[str, ...]) -> bool:
    try:
        return parse_mrz(lines).valid
    except ValueError:  # a line read too short or too long
        return False


def lookalikes(truths: list[str], predicted: list[str], counted: list[bool]) -> int:
    """Look-alike substitutions on the ``counted`` lines (those greedy reads at full length)."""
    return sum(
        frozenset((t, p)) in LOOKALIKES
        for truth, line, count in zip(truths, predicted, counted, strict=True)
        if count
        for t, p in zip(truth, line, strict=True)
    )


def wrong_share(right: np.ndarray, accepted: np.ndarray) -> float | None:
    return float(1 - right[accepted].mean()) if accepted.any() else None


def speed(lines: int, read_seconds: float, decode_seconds: float) -> dict:
    return {
        "decode_lines_per_second": lines / decode_seconds,
        "lines_per_second": lines / (read_seconds + decode_seconds),
    }


def figures(
    documents: list, readings: list, scores: list[float], decode_seconds: float, counted: list
) -> dict:
    """Accuracy, and what an operating point accepts: valid documents scoring >= a threshold."""
    truths = [line for mrz in documents for line in mrz.lines]
    predicted = [line for reading in readings for line in reading]
    right = np.array(
        [reading == mrz.lines for mrz, reading in zip(documents, readings, strict=True)]
    )
    checked = np.array([valid(reading) for reading in readings])
    accepted = {f"{at:g}": checked & (np.array(scores) >= at) for at in ACCEPT}
    return {
        "cer": functional.character_error_rate(truths, predicted),
        "exact_lines": float(np.mean([p == t for p, t in zip(predicted, truths, strict=True)])),
        "exact_documents": float(right.mean()),
        "valid_documents": float(checked.mean()),
        "wrong_among_valid": wrong_share(right, checked),
        "accepted": {
            at: {"documents": float(chosen.mean()), "wrong": wrong_share(right, chosen)}
            for at, chosen in accepted.items()
        },
        "lookalike_substitutions": lookalikes(truths, predicted, counted),
        "decode_seconds": decode_seconds,
    }


def measure(reader: TextLineRecognizer, documents: list, images: list, candidates: int) -> dict:
    """Greedy and constrained decoding of the same logits, side by side."""
    batches, read_seconds = read(reader, images)
    texts, seconds = greedy(reader, batches)
    probabilities = by_document(label_probabilities(batches, texts), documents)
    scores = [min(document) for document in probabilities]  # no structure: each line's own
    truths = [line for mrz in documents for line in mrz.lines]
    counted = [len(text) == len(truth) for text, truth in zip(texts, truths, strict=True)]
    by_greedy = figures(documents, by_document(texts, documents), scores, seconds, counted)
    readings, seconds = constrained(batches, documents, candidates)
    lines = [reading.lines for reading in readings]
    scores = [reading.confidence for reading in readings]
    by_layout = figures(documents, lines, scores, seconds, counted)
    by_keras = label_probabilities(batches, [line for reading in lines for line in reading])
    by_layout["proven_documents"] = float(np.mean([reading.proven for reading in readings]))
    by_layout["max_log_probability_difference_to_keras_ctc_loss"] = float(
        np.abs(np.log(by_keras) - [p for r in readings for p in r.line_log_probabilities]).max()
    )
    by_greedy.update(speed(len(images), read_seconds, by_greedy.pop("decode_seconds")))
    by_layout.update(speed(len(images), read_seconds, by_layout.pop("decode_seconds")))
    return {"lines": len(images), "greedy": by_greedy, "constrained": by_layout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200, help="documents per condition")
    parser.add_argument(
        "--conditions", nargs="*", default=["classic:1.0", "capture:0.8"], help="layout:nuisance"
    )
    parser.add_argument("--candidates", type=int, default=32)
    parser.add_argument("--out", help="results file (default: benchmarks/results/...)")
    arguments = parser.parse_args()
    reader = TextLineRecognizer.from_preset("mrz")
    report = environment("mrz_decoding")
    report.update(
        reader_preset_sha256=preset_digest("mrz"),
        documents=arguments.documents,
        formats=["TD1", "TD3"],
        seed=SEED,
        candidates=arguments.candidates,
        accept_at=list(ACCEPT),
        scores=(
            "greedy: the least probability of a line's text (Keras' CTC loss); constrained: "
            "MRZReading.confidence"
        ),
        renderer=(
            "finvision.data.synthetic (random_mrz; draw_text_line or draw_captured_line; "
            "apply_nuisance): the generator the reader was trained on, held-out seeds, "
            "not an independent renderer"
        ),
        conditions={},
    )
    for condition in arguments.conditions:
        layout, nuisance = condition.split(":")
        documents, images = render(arguments.documents, layout, float(nuisance), reader.height)
        report["conditions"][condition] = measure(reader, documents, images, arguments.candidates)
        print(condition, report["conditions"][condition], flush=True)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
