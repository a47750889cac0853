"""Does transfer learning earn its keep, and what does the task wrapper cost?

1. Transfer: pretrain ResNet-18 on a synthetic grayscale document task (five
   layouts: cheque, ID card, passport MRZ page, text page, signature), save it
   as a preset, then fine-tune it with ``finetune`` on real handwritten digits
   (scikit-learn's copy of the UCI optical digits, offline) with 10% of the
   labels, against the same network trained from scratch for the same number
   of epochs. Reports test accuracy and wall time of both.
2. Overhead: one ``train_on_batch`` of an ``ImageClassifier`` against the same
   network written by hand as a Keras functional model, same process,
   alternating; target ratio <= 1.03.

Run with ``make bench``; writes ``benchmarks/results/transfer.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import finvision
from finvision import models, transfer

RESULTS = Path(__file__).parent / "results" / "transfer.json"
SIZE = 64
LAYOUTS = ("cheque", "id_card", "passport", "text_page", "signature")


def _text_line(page: np.ndarray, rng: np.random.Generator, row: int, start: int, end: int) -> None:
    column = start
    while column < end - 2:
        width = int(rng.integers(2, 7))
        page[row : row + 2, column : min(column + width, end)] = rng.uniform(0.0, 0.3)
        column += width + int(rng.integers(1, 3))


def synthetic_document(layout: str, rng: np.random.Generator) -> np.ndarray:
    """A 64x64 grayscale page in [0, 255] with the given layout, randomly placed."""
    page = np.full((SIZE, SIZE), rng.uniform(0.75, 1.0))
    if layout == "cheque":
        for row in rng.integers(12, 40, 3):
            page[row, 6:58] = 0.2
        _text_line(page, rng, int(rng.integers(52, 58)), 4, 60)  # the MICR band
    elif layout == "id_card":
        top = int(rng.integers(8, 16))
        page[top : top + 26, 5:24] = rng.uniform(0.2, 0.5)  # the photo
        for row in range(top, top + 26, 6):
            _text_line(page, rng, row, 28, 60)
    elif layout == "passport":
        for row in range(6, 34, 7):
            _text_line(page, rng, row, 24, 60)
        for row in (46, 54):
            page[row : row + 3, 3:61:3] = 0.1  # dense MRZ characters
    elif layout == "text_page":
        for row in range(int(rng.integers(4, 9)), 60, 5):
            _text_line(page, rng, row, 4, int(rng.integers(40, 61)))
    else:
        x = np.linspace(8, 56, 200)
        y = 32 + 10 * np.sin(x / rng.uniform(3, 7) + rng.uniform(0, 6)) * rng.uniform(0.5, 1)
        page[np.clip(y.astype(int), 0, 63), x.astype(int)] = 0.0
        page[np.clip(y.astype(int) + 1, 0, 63), x.astype(int)] = 0.0
    page += rng.normal(0, 0.05, page.shape)
    return np.clip(page * 255, 0, 255)[..., None].astype("float32")


def synthetic_documents(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(LAYOUTS), count)
    return np.stack([synthetic_document(LAYOUTS[label], rng) for label in labels]), labels


def handwritten_digits(seed: int, label_fraction: float):
    digits = load_digits()
    images = tf.image.resize(digits.images[..., None] * (255.0 / 16.0), (SIZE, SIZE)).numpy()
    images = 255.0 - images  # dark ink on a light page, like a scan
    return train_test_split(
        images, digits.target, train_size=label_fraction, stratify=digits.target, random_state=seed
    )


def accuracy(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> float:
    predictions = model.predict(images, batch_size=128, verbose=0).argmax(axis=1)
    return float((predictions == labels).mean())


def transfer_experiment(epochs: int, pretrain_epochs: int, seed: int) -> dict:
    keras.utils.set_random_seed(seed)
    documents, layouts = synthetic_documents(3000, seed)
    start = time.perf_counter()
    pretrained = models.ImageClassifier(
        models.create_backbone("resnet18", input_shape=(SIZE, SIZE, 1)), len(LAYOUTS)
    )
    pretrained.compile(
        optimizer=keras.optimizers.AdamW(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    pretrained.fit(documents, layouts, batch_size=64, epochs=pretrain_epochs, verbose=2)
    held_out = synthetic_documents(500, seed + 1)
    pretrain_seconds = time.perf_counter() - start
    preset = models.save_preset(pretrained, Path(tempfile.mkdtemp()) / "documents-resnet18")

    train_x, test_x, train_y, test_y = handwritten_digits(seed, label_fraction=0.1)
    head_epochs = max(1, epochs // 3)
    recipe = transfer.FineTuneRecipe(
        head_epochs=head_epochs,
        finetune_epochs=epochs - head_epochs,
        head_learning_rate=3e-3,
        finetune_learning_rate=1e-3,
        unfreeze_from="P2",
        batch_size=32,
    )
    start = time.perf_counter()
    finetuned = models.ImageClassifier.from_preset(preset).reset_head(10)
    transfer.finetune(finetuned, (train_x, train_y), recipe=recipe, verbose=2)
    finetune_seconds = time.perf_counter() - start

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    scratch = models.ImageClassifier(
        models.create_backbone("resnet18", input_shape=(SIZE, SIZE, 1)), 10
    )
    scratch.compile(
        optimizer=keras.optimizers.AdamW(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    scratch.fit(train_x, train_y, batch_size=32, epochs=epochs, verbose=2)
    scratch_seconds = time.perf_counter() - start
    return {
        "pretraining": {
            "task": f"synthetic documents, {len(LAYOUTS)} layouts, 3000 images",
            "epochs": pretrain_epochs,
            "held_out_accuracy": accuracy(pretrained, *held_out),
            "seconds": round(pretrain_seconds, 1),
        },
        "target": f"sklearn digits at {SIZE}x{SIZE}, {len(train_y)} labelled (10%), "
        f"{len(test_y)} test images",
        "epochs": epochs,
        "finetuned": {
            "test_accuracy": accuracy(finetuned, test_x, test_y),
            "seconds": round(finetune_seconds, 1),
        },
        "from_scratch": {
            "test_accuracy": accuracy(scratch, test_x, test_y),
            "seconds": round(scratch_seconds, 1),
        },
    }


def overhead_experiment(rounds: int, repeats: int, batch: int = 16, size: int = 224) -> dict:
    backbone = models.create_backbone("mobilenet_v3_small", input_shape=(size, size, 3))
    ours = models.ImageClassifier(backbone, 3)
    reference_backbone = keras.applications.MobileNetV3Small(
        include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg"
    )
    reference = keras.Model(
        reference_backbone.input,
        keras.layers.Dense(3, activation="softmax")(reference_backbone.output),
    )
    reference.set_weights(ours.get_weights())
    images = np.random.default_rng(0).uniform(0, 255, (batch, size, size, 3)).astype("float32")
    labels = np.random.default_rng(1).integers(0, 3, batch)
    for model in (ours, reference):
        model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")
        for _ in range(2):
            model.train_on_batch(images, labels)
    times: dict[str, list[float]] = {"finvision": [], "keras": []}
    for round_index in range(rounds):
        pairs = [("finvision", ours), ("keras", reference)]
        for label, model in pairs if round_index % 2 == 0 else reversed(pairs):
            start = time.perf_counter()
            for _ in range(repeats):
                model.train_on_batch(images, labels)
            times[label].append((time.perf_counter() - start) / repeats)
    ours_s, keras_s = statistics.median(times["finvision"]), statistics.median(times["keras"])
    return {
        "model": f"mobilenet_v3_small + dense head, {size} px, batch {batch}",
        "finvision_image_classifier_s": round(ours_s, 5),
        "keras_functional_s": round(keras_s, 5),
        "ratio": round(ours_s / keras_s, 4),
        "rounds": rounds,
        "repeats_per_round": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--pretrain-epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    report = {
        "benchmark": "transfer",
        "device": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores",
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "finvision": finvision.__version__,
        "overhead": overhead_experiment(arguments.rounds, arguments.repeats),
        "transfer": transfer_experiment(
            arguments.epochs, arguments.pretrain_epochs, arguments.seed
        ),
    }
    print(json.dumps(report, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
