"""Cost of carrying preprocessing inside finvision backbones.

For each backbone, times the finvision model (normalisation inside the graph,
fed raw pixels) against the ``keras.applications`` model fed
``preprocess_input(x)``, in the same process, alternating which runs first in
each round. Both are traced with ``tf.function`` and the preprocessing of the
reference runs inside the traced function, so the comparison is of the graphs,
not of Python overhead. Reports median seconds per batch and the ratio
finvision / keras for inference and for one SGD training step.

Run with ``make bench``; writes ``benchmarks/results/backbone_overhead.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _results import environment, write_results

from finvision import models

REFERENCE_PREPROCESS = {
    "resnet50": keras.applications.resnet.preprocess_input,
    "mobilenet_v3_small": keras.applications.mobilenet_v3.preprocess_input,
}


def _inference_step(model, preprocess):
    @tf.function
    def step(images):
        return model(preprocess(images), training=False)

    return step


def _train_step(model, preprocess):
    optimizer = keras.optimizers.SGD(learning_rate=1e-4)

    @tf.function
    def step(images):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(
                tf.square(tf.cast(model(preprocess(images), training=True), tf.float32))
            )
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    return step


def _seconds(step, images, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        result = step(images)
    np.asarray(result)  # wait for the device
    return (time.perf_counter() - start) / repeats


def compare(name: str, size: int, batch: int, rounds: int, repeats: int) -> dict:
    spec = models.get_backbone_spec(name)
    ours = models.create_backbone(name, input_shape=(size, size, 3))
    reference = getattr(keras.applications, spec.keras_application)(
        include_top=False, weights=None, input_shape=(size, size, 3)
    )
    reference.set_weights(ours.get_weights())
    images = tf.constant(
        np.random.default_rng(0).uniform(0, 255, (batch, size, size, 3)), tf.float32
    )
    result = {}
    for kind, make_step in (("inference", _inference_step), ("train_step", _train_step)):
        steps = {
            "finvision": make_step(ours, tf.identity),
            "keras": make_step(reference, REFERENCE_PREPROCESS[name]),
        }
        for step in steps.values():  # trace and warm up
            _seconds(step, images, 2)
        times: dict[str, list[float]] = {"finvision": [], "keras": []}
        for round_index in range(rounds):
            order = list(steps) if round_index % 2 == 0 else list(reversed(steps))
            for label in order:
                times[label].append(_seconds(steps[label], images, repeats))
        ours_s, keras_s = statistics.median(times["finvision"]), statistics.median(times["keras"])
        result[kind] = {
            "finvision_s": round(ours_s, 5),
            "keras_s": round(keras_s, 5),
            "ratio": round(ours_s / keras_s, 4),
            "rounds": rounds,
            "repeats_per_round": repeats,
        }
        print(
            f"{name:20s} {kind:10s} finvision {ours_s:.4f}s  keras {keras_s:.4f}s  "
            f"ratio {ours_s / keras_s:.3f}"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    report = {
        **environment("backbone_overhead"),
        "input_size": arguments.size,
        "batch": arguments.batch,
        "results": {
            name: compare(
                name, arguments.size, arguments.batch, arguments.rounds, arguments.repeats
            )
            for name in REFERENCE_PREPROCESS
        },
    }
    write_results(report)


if __name__ == "__main__":
    main()
