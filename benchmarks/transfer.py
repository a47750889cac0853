"""Does transfer learning earn its keep, and what does the task wrapper cost?

1. Transfer: pretrain ResNet-18 on a synthetic document task (recognising the
   37 printed characters of passport MRZ lines, rendered with Pillow's font at
   random sizes, weights, offsets and rotations on noisy paper), save it as a
   preset, then fine-tune it with ``finetune`` on real handwritten digits
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
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _results import environment, results_path, write_results
from PIL import Image, ImageDraw, ImageFont
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from finvision import models, transfer

RESULTS = results_path("transfer")
SIZE = 64
MRZ_CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def printed_character(character: str, rng: np.random.Generator) -> np.ndarray:
    """A 64x64 grayscale crop of one printed MRZ character, as a scanner sees it."""
    font = ImageFont.load_default(size=int(rng.integers(30, 50)))
    paper = int(rng.integers(190, 256))
    page = Image.new("L", (SIZE, SIZE), paper)
    draw = ImageDraw.Draw(page)
    offset = rng.integers(-6, 7, 2) + SIZE // 2
    draw.text(
        tuple(int(v) for v in offset),
        character,
        fill=int(rng.integers(0, 80)),
        font=font,
        anchor="mm",
        stroke_width=int(rng.integers(0, 3)),
        stroke_fill=int(rng.integers(0, 80)),
    )
    page = page.rotate(float(rng.uniform(-12, 12)), fillcolor=paper)
    pixels = np.asarray(page, dtype="float32") + rng.normal(0, 12, (SIZE, SIZE))
    return np.clip(pixels, 0, 255)[..., None]


def printed_characters(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(MRZ_CHARACTERS), count)
    return np.stack([printed_character(MRZ_CHARACTERS[i], rng) for i in labels]), labels


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


def transfer_experiment(
    epochs: int, pretrain_epochs: int, seed: int, unfreeze_from: str, train_batchnorm: bool
) -> dict:
    keras.utils.set_random_seed(seed)
    characters, labels = printed_characters(3000, seed)
    start = time.perf_counter()
    pretrained = models.ImageClassifier(
        models.create_backbone("resnet18", input_shape=(SIZE, SIZE, 1)), len(MRZ_CHARACTERS)
    )
    pretrained.compile(
        optimizer=keras.optimizers.AdamW(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    pretrained.fit(characters, labels, batch_size=64, epochs=pretrain_epochs, verbose=2)
    held_out = printed_characters(500, seed + 1)
    pretrain_seconds = time.perf_counter() - start
    preset = models.save_preset(pretrained, Path(tempfile.mkdtemp()) / "mrz-characters-resnet18")

    train_x, test_x, train_y, test_y = handwritten_digits(seed, label_fraction=0.1)
    head_epochs = max(1, epochs // 3)
    recipe = transfer.FineTuneRecipe(
        head_epochs=head_epochs,
        finetune_epochs=epochs - head_epochs,
        head_learning_rate=3e-3,
        finetune_learning_rate=1e-3,
        unfreeze_from=unfreeze_from,
        keep_batchnorm_frozen=not train_batchnorm,
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
            "task": f"printed MRZ characters, {len(MRZ_CHARACTERS)} classes, 3000 images",
            "epochs": pretrain_epochs,
            "held_out_accuracy": accuracy(pretrained, *held_out),
            "seconds": round(pretrain_seconds, 1),
        },
        "target": f"sklearn digits at {SIZE}x{SIZE}, {len(train_y)} labelled (10%), "
        f"{len(test_y)} test images",
        "epochs": epochs,
        "recipe": {"unfreeze_from": unfreeze_from, "train_batchnorm": train_batchnorm},
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
    parser.add_argument("--unfreeze-from", default="P1")
    parser.add_argument("--train-batchnorm", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--parts", nargs="+", choices=("overhead", "transfer"), default=None)
    arguments = parser.parse_args()
    report = {
        **environment("transfer"),
    }
    # A partial run (--parts) keeps the other part's figures from the last full run.
    parts = arguments.parts or ["overhead", "transfer"]
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    report["overhead"] = (
        overhead_experiment(arguments.rounds, arguments.repeats)
        if "overhead" in parts
        else previous.get("overhead")
    )
    report["transfer"] = (
        transfer_experiment(
            arguments.epochs,
            arguments.pretrain_epochs,
            arguments.seed,
            arguments.unfreeze_from,
            arguments.train_batchnorm,
        )
        if "transfer" in parts
        else previous.get("transfer")
    )
    print(json.dumps(report, indent=2))
    write_results(report)


if __name__ == "__main__":
    main()
