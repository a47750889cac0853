"""Liveness from frame order: SequenceClassifier (LSTM, GRU, attention) against a per-frame model.

Data: ``finvision.data.synthetic.blink_clips``, 8 frames of 32 x 32 px per clip. A
``live_blink`` clip closes and opens the eyes once; a ``shuffled_frames`` clip holds
the same kinds of frames in random order. Both classes have the same frames in the
same proportions, so only the order tells them apart. Every epoch trains on fresh
clips (seeds 100, 101, ...); the test set is seed 1, never trained on.

Systems, all on ``mobilenet_v3_small`` from random weights (``bn_momentum=0.9``),
Adam 1e-3, batches of 16 clips:

- ``per_frame``: ``ImageClassifier`` trained on single frames, each labelled with its
  clip's class; a clip's score is the mean of its frames' probabilities;
- ``lstm``, ``gru``, ``attention``: ``SequenceClassifier(temporal=..., units=32)``.

Figures: test accuracy with a 95% Wilson interval, ROC AUC (cross-checked against
``sklearn.metrics.roc_auc_score``), training seconds and inference clips per second.
Also, side by side: seconds per training epoch of the GRU model with
``PerFrame`` against the same model with ``keras.layers.TimeDistributed``.

Run with ``.venv/bin/python benchmarks/sequence.py``; writes
``benchmarks/results/sequence.json`` (``--out`` writes elsewhere).
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _results import environment, write_results
from sklearn.metrics import roc_auc_score

from finvision.data.synthetic import blink_clips
from finvision.metrics.functional import roc_auc
from finvision.models import ImageClassifier, SequenceClassifier, create_backbone

SYSTEMS = ("per_frame", "lstm", "gru", "attention")
TEST_SEED = 1
FIRST_TRAIN_SEED = 100


def wilson_interval(correct: int, total: int) -> list[float]:
    """The 95% Wilson score interval of a proportion."""
    z, share = 1.96, correct / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return [
        round(centre - spread / (1 + z * z / total), 4),
        round(centre + spread / (1 + z * z / total), 4),
    ]


def build(system: str, backbone_name: str, size: int) -> keras.Model:
    backbone = create_backbone(backbone_name, input_shape=(size, size, 3), bn_momentum=0.9)
    if system == "per_frame":
        model = ImageClassifier(backbone, 2)
    else:
        model = SequenceClassifier(backbone, 2, temporal=system, units=32)
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return model


def as_frames(clips: np.ndarray) -> np.ndarray:
    return clips.reshape(-1, *clips.shape[2:])


def train(model: keras.Model, system: str, arguments: argparse.Namespace) -> float:
    """Trains on fresh clips every epoch; returns the seconds taken."""
    start = time.perf_counter()
    for epoch in range(arguments.epochs):
        data = blink_clips(
            arguments.train_clips, seed=FIRST_TRAIN_SEED + epoch, size=(arguments.size,) * 2
        )
        if system == "per_frame":
            frames = data.clips.shape[1]
            x, y, batch = as_frames(data.clips), np.repeat(data.labels, frames), 16 * frames
        else:
            x, y, batch = data.clips, data.labels, 16
        history = model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        print(f"{system} epoch {epoch + 1}: loss {history.history['loss'][-1]:.4f}", flush=True)
    return time.perf_counter() - start


def clip_scores(model: keras.Model, system: str, clips: np.ndarray) -> np.ndarray:
    """Probability of ``shuffled_frames`` per clip."""
    if system == "per_frame":
        frames = model.predict(as_frames(clips), batch_size=256, verbose=0)
        return frames.reshape(len(clips), clips.shape[1], 2).mean(axis=1)[:, 1]
    return model.predict(clips, batch_size=32, verbose=0)[:, 1]


def evaluate(model: keras.Model, system: str, test, seconds: float) -> dict:
    clip_scores(model, system, test.clips[:32])  # trace before timing
    start = time.perf_counter()
    scores = clip_scores(model, system, test.clips)
    clips_per_second = len(scores) / (time.perf_counter() - start)
    correct = int(np.sum((scores > 0.5) == (test.labels == 1)))
    auc = float(roc_auc(test.labels, scores))
    return {
        "accuracy": round(correct / len(scores), 4),
        "accuracy_95ci": wilson_interval(correct, len(scores)),
        "roc_auc": round(auc, 4),
        "roc_auc_sklearn": round(float(roc_auc_score(test.labels, scores)), 4),
        "training_seconds": round(seconds, 1),
        "clips_per_second": round(clips_per_second, 1),
    }


def time_distributed_twin(model: SequenceClassifier) -> keras.Model:
    """The same layers, the backbone wrapped in keras.layers.TimeDistributed instead."""
    clips = keras.Input(model.input_shape[1:])
    features = keras.layers.TimeDistributed(model.backbone)(clips)
    features = keras.layers.TimeDistributed(keras.layers.GlobalAveragePooling2D())(features)
    twin = keras.Model(clips, model.head(model.get_layer("temporal_gru")(features)))
    twin.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    return twin


def per_frame_speed(arguments: argparse.Namespace) -> dict:
    """Seconds for the first (traced) and a second epoch, PerFrame against TimeDistributed."""
    data = blink_clips(arguments.speed_clips, seed=FIRST_TRAIN_SEED, size=(arguments.size,) * 2)
    model = build("gru", arguments.backbone, arguments.size)
    results = {}
    for name, candidate in (("PerFrame", model), ("TimeDistributed", time_distributed_twin(model))):
        epochs = []
        for _ in range(2):
            start = time.perf_counter()
            candidate.fit(data.clips, data.labels, batch_size=16, epochs=1, verbose=0)
            epochs.append(round(time.perf_counter() - start, 2))
        results[name] = {"first_epoch_seconds": epochs[0], "second_epoch_seconds": epochs[1]}
    results["second_epoch_ratio"] = round(
        results["TimeDistributed"]["second_epoch_seconds"]
        / results["PerFrame"]["second_epoch_seconds"],
        2,
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--train-clips", type=int, default=1024, help="fresh clips per epoch")
    parser.add_argument("--test-clips", type=int, default=512)
    parser.add_argument("--speed-clips", type=int, default=256)
    parser.add_argument("--backbone", default="mobilenet_v3_small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="results file (default: benchmarks/results)")
    arguments = parser.parse_args()
    test = blink_clips(arguments.test_clips, seed=TEST_SEED, size=(arguments.size,) * 2)

    systems = {}
    for system in SYSTEMS:
        keras.utils.set_random_seed(arguments.seed)
        model = build(system, arguments.backbone, arguments.size)
        seconds = train(model, system, arguments)
        systems[system] = evaluate(model, system, test, seconds)
        print(system, systems[system], flush=True)

    report = environment("sequence")
    report["setup"] = {
        "data": "blink_clips, 8 frames",
        "frame_size": arguments.size,
        "backbone": f"{arguments.backbone} from random weights, bn_momentum=0.9",
        "epochs": arguments.epochs,
        "training_clips_per_epoch": arguments.train_clips,
        "test_clips": arguments.test_clips,
        "test_share_shuffled": round(float(test.labels.mean()), 4),
        "seed": arguments.seed,
    }
    report["systems"] = systems
    report["per_frame_vs_time_distributed"] = per_frame_speed(arguments)
    print(report["per_frame_vs_time_distributed"])
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
