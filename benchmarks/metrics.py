"""Speed of the exact metric functions and cost of the streaming metrics in training.

1. Each exact function of ``finvision.metrics.functional`` on 1,000,000 scores
   (median seconds of several calls; target < 1 s each), and the OCR error
   rates on 10,000 MRZ-length lines.
2. One training step of a ``mobilenet_v3_small`` classifier (96 x 96 px) compiled
   without metrics against the same model (same weights) compiled with all
   seven streaming score metrics, in the same process, alternating which runs
   first in each round; median seconds per step and the ratio (target <= 1.05).

Run with ``make bench``; writes ``benchmarks/results/metrics.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _results import environment, write_results

from finvision import metrics, models
from finvision.metrics import functional


def _median_seconds(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def exact_functions(size: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size)
    scores = rng.normal(labels * 1.5, 1.0)
    genuine, impostor = scores[labels == 1], scores[labels == 0]
    species = rng.choice(["print", "replay", "mask"], size)
    cases = {
        "equal_error_rate": lambda: functional.equal_error_rate(genuine, impostor),
        "fnmr_at_fmr": lambda: functional.fnmr_at_fmr(genuine, impostor, 0.001),
        "det_curve": lambda: functional.det_curve(genuine, impostor),
        "false_match_rate": lambda: functional.false_match_rate(genuine, impostor, 0.5),
        "roc_auc": lambda: functional.roc_auc(labels, scores),
        "ks_statistic": lambda: functional.ks_statistic(labels, scores),
        "recall_at_fpr": lambda: functional.recall_at_fpr(labels, scores, 0.01),
        "f1_score": lambda: functional.f1_score(labels, scores, 0.5),
        "apcer_bpcer": lambda: functional.apcer_bpcer(scores, 1 - labels, species, 0.5),
        "bpcer_at_apcer": lambda: functional.bpcer_at_apcer(scores, 1 - labels, species, 0.05),
    }
    results = {}
    for name, function in cases.items():
        function()  # warm up
        seconds = _median_seconds(function, repeats)
        results[name] = round(seconds, 4)
        print(f"{name:20s} {size:,} scores   {seconds:.3f} s")
    return results


def ocr_functions(lines: int, repeats: int) -> dict:
    rng = np.random.default_rng(1)
    alphabet = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
    references = ["".join(rng.choice(alphabet, 44)) for _ in range(lines)]
    hypotheses = []
    for line in references:
        characters = list(line)
        for position in rng.integers(0, 44, 2):
            characters[position] = rng.choice(alphabet)
        hypotheses.append("".join(characters))
    spaced = [line[:20] + " " + line[20:30] + " " + line[30:] for line in references]
    spaced_guesses = [line[:20] + " " + line[20:30] + " " + line[30:] for line in hypotheses]
    results = {}
    for name, function in {
        "character_error_rate": lambda: functional.character_error_rate(references, hypotheses),
        "word_error_rate": lambda: functional.word_error_rate(spaced, spaced_guesses),
    }.items():
        seconds = _median_seconds(function, repeats)
        results[name] = round(seconds, 4)
        print(f"{name:20s} {lines:,} lines of 44 characters   {seconds:.3f} s")
    return results


def _classifier(size: int) -> keras.Model:
    backbone = models.create_backbone(
        "mobilenet_v3_small", input_shape=(size, size, 3), pooling="avg"
    )
    inputs = keras.Input((size, size, 3))
    outputs = keras.layers.Dense(1, activation="sigmoid")(backbone(inputs))
    return keras.Model(inputs, outputs)


def streaming_overhead(size: int, batch: int, rounds: int, repeats: int) -> dict:
    keras.utils.set_random_seed(0)
    plain = _classifier(size)
    metered = _classifier(size)
    metered.set_weights(plain.get_weights())
    streaming = [
        metrics.EqualErrorRate(),
        metrics.KSStatistic(),
        metrics.RecallAtFPR(),
        metrics.BPCERAtAPCER(),
        metrics.FalseMatchRate(),
        metrics.FalseNonMatchRate(),
        metrics.F1Score(),
    ]
    plain.compile(optimizer=keras.optimizers.SGD(1e-4), loss="binary_crossentropy")
    metered.compile(
        optimizer=keras.optimizers.SGD(1e-4), loss="binary_crossentropy", metrics=streaming
    )
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (batch, size, size, 3)).astype("float32")
    labels = rng.integers(0, 2, (batch, 1)).astype("float32")

    def steps(model: keras.Model) -> float:
        start = time.perf_counter()
        for _ in range(repeats):
            logs = model.train_on_batch(images, labels, return_dict=True)
        float(logs["loss"])  # wait for the device
        return (time.perf_counter() - start) / repeats

    candidates = {"without_metrics": plain, "with_streaming_metrics": metered}
    for model in candidates.values():  # trace, compile and warm up
        steps(model)
    times: dict[str, list[float]] = {label: [] for label in candidates}
    for round_index in range(rounds):
        order = list(candidates) if round_index % 2 == 0 else list(reversed(candidates))
        for label in order:
            times[label].append(steps(candidates[label]))
    without = statistics.median(times["without_metrics"])
    with_metrics = statistics.median(times["with_streaming_metrics"])
    print(
        f"fit step, mobilenet_v3_small {size}px batch {batch}: without metrics {without:.4f}s  "
        f"with {len(streaming)} streaming metrics {with_metrics:.4f}s  "
        f"ratio {with_metrics / without:.3f}"
    )
    return {
        "model": f"mobilenet_v3_small {size}x{size} + Dense(1) head",
        "metrics": [type(metric).__name__ for metric in streaming],
        "num_thresholds": 200,
        "batch": batch,
        "without_metrics_s": round(without, 5),
        "with_streaming_metrics_s": round(with_metrics, 5),
        "ratio": round(with_metrics / without, 4),
        "rounds": rounds,
        "steps_per_round": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--repeats", type=int, default=10)
    arguments = parser.parse_args()
    report = {
        **environment("metrics"),
        "numpy": np.__version__,
        "exact_functions_s": {
            "scores": arguments.scores,
            **exact_functions(arguments.scores, repeats=5),
        },
        "ocr_functions_s": {"lines": arguments.lines, **ocr_functions(arguments.lines, repeats=3)},
        "streaming_fit_step": streaming_overhead(
            arguments.size, arguments.batch, arguments.rounds, arguments.repeats
        ),
    }
    write_results(report)


if __name__ == "__main__":
    main()
