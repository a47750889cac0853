"""Fine-tunes one classifier on one device, mirrored over two CPU devices, and over two workers.

Run as a script: TensorFlow's devices and strategies are configured before
anything initialises them, which only a fresh process allows. Every run starts
from the same weights and sees the same global batches.

- ``python mirrored_comparison.py OUT`` trains on the default device and under
  ``MirroredStrategy`` over two logical CPU devices. It writes the initial and the
  single-device weights to ``OUT/initial.npz`` and ``OUT/single.npz`` and prints one
  JSON line: both histories, the largest difference between the final weights
  (moving statistics included), the time of each run and the BatchNormalization
  layers left synchronised after ``finetune``.
- ``python mirrored_comparison.py OUT worker`` is one worker of a
  ``MultiWorkerMirroredStrategy`` cluster described by ``TF_CONFIG``. It starts from
  ``OUT/initial.npz``, reads the data with the documented ``DATA`` auto-shard
  policy, writes its final weights to ``OUT/worker<index>.npz`` and prints its
  history and time as one JSON line.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json
import sys
import time
from pathlib import Path

import tensorflow as tf

SHAPE = (32, 32, 3)
GLOBAL_BATCH = 8
DEVICES = ["/cpu:0", "/cpu:1"]


def main(out: Path, mode: str) -> None:
    if mode == "worker":
        # First: MultiWorkerMirroredStrategy must exist before any other TensorFlow op.
        strategies = {"worker": tf.distribute.MultiWorkerMirroredStrategy()}
    else:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * len(DEVICES)
        )
        strategies = {
            "single": tf.distribute.get_strategy(),
            "mirrored": tf.distribute.MirroredStrategy(DEVICES),
        }
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
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA

    def build() -> keras.Model:
        backbone = models.create_backbone("resnet18", input_shape=SHAPE)
        return models.ImageClassifier(backbone, 2)

    if mode == "worker":
        with np.load(out / "initial.npz") as stored:
            initial = [stored[f"arr_{index}"] for index in range(len(stored.files))]
    else:
        keras.utils.set_random_seed(seed)
        initial = build().get_weights()
        np.savez(out / "initial.npz", *initial)

    def run(strategy: tf.distribute.Strategy) -> dict:
        with strategy.scope():
            model = build()
        model.set_weights(initial)
        dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(GLOBAL_BATCH)
        start = time.perf_counter()
        history = transfer.finetune(model, dataset.with_options(options), recipe=recipe, verbose=0)
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

    runs = {name: run(strategy) for name, strategy in strategies.items()}
    if mode == "worker":
        index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
        np.savez(out / f"worker{index}.npz", *runs["worker"]["weights"])
        report = {
            "replicas": strategies["worker"].num_replicas_in_sync,
            "history": runs["worker"]["history"],
            "seconds": runs["worker"]["seconds"],
            "synchronized_after": runs["worker"]["synchronized_after"],
        }
    else:
        single, mirrored = runs["single"], runs["mirrored"]
        np.savez(out / "single.npz", *single["weights"])
        report = {
            "replicas": len(DEVICES),
            "single": single["history"],
            "mirrored": mirrored["history"],
            "max_weight_difference": max(
                float(np.max(np.abs(a - b)))
                for a, b in zip(single["weights"], mirrored["weights"], strict=True)
            ),
            "max_scaled_weight_difference": scaled_difference(
                single["weights"], mirrored["weights"]
            ),
            "seconds": {"single": single["seconds"], "mirrored": mirrored["seconds"]},
            "synchronized_after": mirrored["synchronized_after"],
        }
    print(json.dumps(report))


def scaled_difference(reference: list, other: list) -> float:
    """The largest ``|a - b| / (1 + |a|)`` between two lists of weight arrays.

    Absolute for small weights, relative for large ones (BatchNormalization's moving
    variances reach the hundreds on raw pixels).
    """
    import numpy as np

    return max(
        float(np.max(np.abs(a - b) / (1.0 + np.abs(a))))
        for a, b in zip(reference, other, strict=True)
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "mirrored")
