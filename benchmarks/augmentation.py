"""Throughput of a document augmentation pipeline: finvision layers vs. albumentations.

The pipeline, every transform always applied, at 224 x 224 over real photographs
(the colour images scikit-image ships, resized): perspective, brightness/contrast,
Gaussian noise, JPEG quality, motion blur.

1. finvision layers mapped over batches of 32 in ``tf.data`` against the same
   transforms as an ``albumentations.Compose`` through ``albumentations_map``
   (per image, parallel map, then batched), in the same process, alternating
   which runs first in each round; median images/s and the ratio (target >= 1.5).
2. When a GPU is present, the finvision layers inside a Keras model on the GPU.

Run with ``make bench``; writes ``benchmarks/results/augmentation.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import albumentations as A  # noqa: N812 (the library's own convention)
import cv2
import keras
import numpy as np
import tensorflow as tf
from _results import environment, write_results
from PIL import Image
from skimage import data as skimage_data

from finvision import preprocessing

SIZE = 224
BATCH = 32
PHOTOGRAPHS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "retina")


def photographs(count: int) -> np.ndarray:
    """``count`` real photographs at SIZE x SIZE, cycling over scikit-image's colour set."""
    pool = [
        np.asarray(Image.fromarray(getattr(skimage_data, name)()).resize((SIZE, SIZE)))
        for name in PHOTOGRAPHS
    ]
    return np.stack([pool[i % len(pool)] for i in range(count)])


def finvision_layers(seed: int) -> list[keras.layers.Layer]:
    return [
        preprocessing.RandomPerspective(0.08, seed=seed),
        preprocessing.RandomBrightnessContrast(0.2, 0.2, seed=seed + 1),
        preprocessing.RandomGaussianNoise((5.0, 15.0), seed=seed + 2),
        preprocessing.RandomJPEGQuality((50, 90), seed=seed + 3),
        preprocessing.RandomMotionBlur((3, 9), seed=seed + 4),
    ]


def albumentations_pipeline(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.Perspective(scale=(0.02, 0.08), border_mode=cv2.BORDER_CONSTANT, fill=255, p=1.0),
            A.RandomBrightnessContrast(0.2, 0.2, p=1.0),
            A.GaussNoise(std_range=(5 / 255, 15 / 255), p=1.0),
            A.ImageCompression(quality_range=(50, 90), p=1.0),
            A.MotionBlur(blur_limit=(3, 9), p=1.0),
        ],
        seed=seed,
    )


def finvision_dataset(images: np.ndarray, seed: int) -> tf.data.Dataset:
    layers = finvision_layers(seed)

    def augment(batch: tf.Tensor) -> tf.Tensor:
        for layer in layers:
            batch = layer(batch, training=True)
        return batch

    dataset = tf.data.Dataset.from_tensor_slices(images).batch(BATCH)
    return dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def albumentations_dataset(images: np.ndarray, seed: int) -> tf.data.Dataset:
    augment = preprocessing.albumentations_map(albumentations_pipeline(seed), seed=seed)
    dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(BATCH).prefetch(2)


def images_per_second(dataset: tf.data.Dataset, count: int) -> float:
    start = time.perf_counter()
    for _ in dataset:
        pass
    return count / (time.perf_counter() - start)


def side_by_side(images: np.ndarray, rounds: int) -> dict:
    pipelines = {
        "finvision": finvision_dataset(images, seed=0),
        "albumentations": albumentations_dataset(images, seed=0),
    }
    for dataset in pipelines.values():  # warm-up: tracing, thread pools, caches
        images_per_second(dataset, len(images))
    speeds: dict[str, list[float]] = {name: [] for name in pipelines}
    for round_index in range(rounds):
        order = list(pipelines) if round_index % 2 == 0 else list(reversed(pipelines))
        for name in order:
            speeds[name].append(images_per_second(pipelines[name], len(images)))
    median = {name: statistics.median(values) for name, values in speeds.items()}
    return {
        "images": len(images),
        "rounds": rounds,
        "images_per_second": median,
        "all_rounds": speeds,
        "ratio_finvision_over_albumentations": median["finvision"] / median["albumentations"],
    }


def in_model_on_gpu(images: np.ndarray, rounds: int) -> dict | None:
    if not tf.config.list_physical_devices("GPU"):
        return None
    model = keras.Sequential([keras.Input((SIZE, SIZE, 3)), *finvision_layers(seed=0)])
    batch = tf.constant(images[:BATCH])

    @tf.function(jit_compile=False)
    def step(batch: tf.Tensor) -> tf.Tensor:
        return model(batch, training=True)

    step(batch).numpy()
    speeds = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(len(images) // BATCH):
            output = step(batch)
        output.numpy()
        speeds.append((len(images) // BATCH) * BATCH / (time.perf_counter() - start))
    device = tf.config.list_physical_devices("GPU")[0].name
    return {"device": device, "images_per_second": statistics.median(speeds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    images = photographs(arguments.images)
    report = environment("augmentation")
    report["pipeline"] = "perspective, brightness/contrast, Gaussian noise, JPEG, motion blur"
    report["image_size"] = SIZE
    report["batch_size"] = BATCH
    report["cpu_tf_data"] = side_by_side(images, arguments.rounds)
    report["gpu_in_model"] = in_model_on_gpu(images, arguments.rounds)
    cpu = report["cpu_tf_data"]
    print(cpu["images_per_second"], "ratio", cpu["ratio_finvision_over_albumentations"])
    write_results(report)


if __name__ == "__main__":
    main()
