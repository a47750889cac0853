"""Fine-tunes one classifier on one device and mirrored over two CPU devices.

Run as a script (``python tests/transfer/mirrored_comparison.py``): TensorFlow's
devices are configured before anything initialises them, which only a fresh
process allows. Both runs start from the same weights and see the same global
batches. It prints one JSON line: both histories, the largest difference between
the final weights (moving statistics included), the time of each run and the
BatchNormalization layers left synchronised after ``finetune``.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json
import time

import tensorflow as tf

SHAPE = (32, 32, 3)
GLOBAL_BATCH = 8
DEVICES = ["/cpu:0", "/cpu:1"]


def main() -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * len(DEVICES)
    )
    import keras
    import numpy as np

    from finvision import models, transfer

    # Phase 1 runs BatchNormalization frozen (inference mode, as the default recipe
    # does in both phases); phase 2 trains the P4 and P5 BatchNormalization layers,
    # which finetune synchronises across replicas.
    recipe = transfer.FineTuneRecipe(
        head_epochs=2,
        head_learning_rate=1e-2,
        finetune_epochs=2,
        finetune_learning_rate=1e-3,
        unfreeze_from="P4",
        keep_batchnorm_frozen=False,
    )

    seed = int(os.environ.get("FINVISION_COMPARISON_SEED", "0"))
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (32, *SHAPE), dtype="uint8")
    labels = (images[..., 0].mean(axis=(1, 2)) > 127).astype("int64")

    def build() -> keras.Model:
        backbone = models.create_backbone("resnet18", input_shape=SHAPE)
        return models.ImageClassifier(backbone, 2)

    keras.utils.set_random_seed(seed)
    initial = build().get_weights()

    def run(strategy: tf.distribute.Strategy) -> dict:
        with strategy.scope():
            model = build()
        model.set_weights(initial)
        data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(GLOBAL_BATCH)
        start = time.perf_counter()
        history = transfer.finetune(model, data, recipe=recipe, verbose=0)
        return {
            "history": history.history,
            "weights": model.get_weights(),
            "seconds": time.perf_counter() - start,
            "synchronized_after": [
                layer.name
                for layer in model.backbone.layers
                if getattr(layer, "synchronized", False)
            ],
        }

    single = run(tf.distribute.get_strategy())
    mirrored = run(tf.distribute.MirroredStrategy(DEVICES))
    report = {
        "replicas": len(DEVICES),
        "single": single["history"],
        "mirrored": mirrored["history"],
        "max_weight_difference": max(
            float(np.max(np.abs(a - b)))
            for a, b in zip(single["weights"], mirrored["weights"], strict=True)
        ),
        # |a - b| / (1 + |a|): absolute for small weights, relative for large ones
        # (BatchNormalization's moving variances reach the hundreds on raw pixels).
        "max_scaled_weight_difference": max(
            float(np.max(np.abs(a - b) / (1.0 + np.abs(a))))
            for a, b in zip(single["weights"], mirrored["weights"], strict=True)
        ),
        "seconds": {"single": single["seconds"], "mirrored": mirrored["seconds"]},
        "synchronized_after": mirrored["synchronized_after"],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
