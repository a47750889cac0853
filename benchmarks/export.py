"""What deployment costs: Keras float32 against TFLite float32, float16, dynamic and int8.

A ``mobilenet_v3_small`` classifier (``weights=None``: ImageNet weights cannot be
downloaded on the benchmark machine, so it trains from scratch with BatchNormalization
momentum 0.9) learns the synthetic document-type task of
:func:`finvision.data.synthetic.document_types` (cheque, ID card, signature card,
tampered cheque; 96 x 128 px) for a few epochs on CPU. Then, side by side:

1. File size: the Keras model's float32 weights (bytes, no optimizer state) and each
   ``.tflite`` file.
2. Batch-1 latency on the same image: Keras ``model.predict`` and a direct
   ``model(x)`` call, and each TFLite interpreter (``invoke`` with the input set),
   median of ``--repeats`` calls per round over ``--rounds`` rounds, the order of the
   variants rotating each round.
3. Accuracy on a held-out set, and each export's :func:`finvision.export.compare`
   report against the Keras model.

Targets: int8 file <= 30% of the float32 TFLite file; accuracy drop <= 1 point;
int8 batch-1 latency <= 1/3 of Keras ``predict``.

Run with ``make bench``; writes ``benchmarks/results/export.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _results import environment, write_results

from finvision import export
from finvision.data.synthetic import document_types
from finvision.export.compare import weights_size
from finvision.models import ImageClassifier, create_backbone

SIZE = (96, 128)
QUANTIZATIONS = (None, "float16", "dynamic", "int8")


def train(train_count: int, epochs: int, font_path: str | None) -> tuple[ImageClassifier, dict]:
    documents = document_types(train_count, seed=0, size=SIZE, font_path=font_path)
    backbone = create_backbone(
        "mobilenet_v3_small", input_shape=(*SIZE, 3), weights=None, bn_momentum=0.9
    )
    model = ImageClassifier(backbone, len(documents.class_names))
    model.compile(
        keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    started = time.perf_counter()
    model.fit(documents.images, documents.labels, batch_size=32, epochs=epochs, verbose=2)
    return model, {
        "train_images": train_count,
        "epochs": epochs,
        "train_seconds": round(time.perf_counter() - started, 1),
    }


def interpreter(path: Path) -> tf.lite.Interpreter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tf.lite.Interpreter(model_path=str(path))


def tflite_predict(path: Path, images: np.ndarray) -> np.ndarray:
    runner = interpreter(path)
    source, target = runner.get_input_details()[0], runner.get_output_details()[0]
    runner.resize_tensor_input(source["index"], images.shape)
    runner.allocate_tensors()
    runner.set_tensor(source["index"], images)
    runner.invoke()
    return runner.get_tensor(target["index"])


def latency_calls(model: keras.Model, paths: dict[str, Path], image: np.ndarray) -> dict:
    calls = {
        "keras_predict": lambda: model.predict(image, verbose=0),
        "keras_call": lambda: model(image, training=False),
    }
    for name, path in paths.items():
        runner = interpreter(path)
        source = runner.get_input_details()[0]
        runner.resize_tensor_input(source["index"], image.shape)
        runner.allocate_tensors()

        def invoke(runner: tf.lite.Interpreter = runner, index: int = source["index"]) -> None:
            runner.set_tensor(index, image)
            runner.invoke()

        calls[name] = invoke
    return calls


def measure(calls: dict, rounds: int, repeats: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for call in calls.values():  # warm-up: tracing, allocation
        for _ in range(3):
            call()
    for round_index in range(rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for name in order:
            for _ in range(repeats):
                started = time.perf_counter()
                calls[name]()
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1e3 for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=1600, help="training images")
    parser.add_argument("--test", type=int, default=400, help="held-out images")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--font-path", default=None, help="a font file instead of OCR-B")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    model, training = train(args.train, args.epochs, args.font_path)
    held_out = document_types(args.test, seed=1, size=SIZE, font_path=args.font_path)
    calibration = document_types(200, seed=2, size=SIZE, font_path=args.font_path).images

    directory = Path(tempfile.mkdtemp())
    paths = {}
    for quantization in QUANTIZATIONS:
        name = f"tflite_{quantization or 'float32'}"
        paths[name] = export.to_tflite(
            model,
            directory / f"{name}.tflite",
            quantization=quantization,
            representative_data=calibration if quantization == "int8" else None,
        )

    keras_scores = model.predict(held_out.images, batch_size=64, verbose=0)
    rows = {
        "keras_float32": {
            "size_bytes": weights_size(model),
            "accuracy": float(np.mean(keras_scores.argmax(1) == held_out.labels)),
        }
    }
    for name, path in paths.items():
        scores = tflite_predict(path, held_out.images)
        report = export.compare(model, path, held_out.images)
        rows[name] = {
            "size_bytes": path.stat().st_size,
            "accuracy": float(np.mean(scores.argmax(1) == held_out.labels)),
            "max_abs_difference": report.max_abs_difference,
            "top1_agreement": report.top1_agreement,
        }

    latency = measure(latency_calls(model, paths, held_out.images[:1]), args.rounds, args.repeats)
    for name, milliseconds in latency.items():
        rows.setdefault("keras_float32" if name.startswith("keras") else name, {})[
            f"latency_ms_{name}" if name.startswith("keras") else "latency_ms"
        ] = round(milliseconds, 3)

    float32, int8, keras_row = rows["tflite_float32"], rows["tflite_int8"], rows["keras_float32"]
    targets = {
        "int8_size_share_of_float32_tflite": int8["size_bytes"] / float32["size_bytes"],
        "int8_size_share_of_keras_weights": int8["size_bytes"] / keras_row["size_bytes"],
        "int8_accuracy_drop_points": 100 * (keras_row["accuracy"] - int8["accuracy"]),
        "int8_latency_share_of_keras_predict": int8["latency_ms"]
        / keras_row["latency_ms_keras_predict"],
    }
    met = {
        "size": targets["int8_size_share_of_float32_tflite"] <= 0.30,
        "accuracy": targets["int8_accuracy_drop_points"] <= 1.0,
        "latency": targets["int8_latency_share_of_keras_predict"] <= 1 / 3,
    }
    print(f"{'variant':<16}{'size MB':>9}{'accuracy':>10}{'batch-1 ms':>12}")
    for name, row in rows.items():
        milliseconds = row.get("latency_ms", row.get("latency_ms_keras_predict"))
        print(
            f"{name:<16}{row['size_bytes'] / 1e6:>9.2f}{row['accuracy']:>10.3f}"
            f"{milliseconds:>12.2f}"
        )
    print(f"keras model(x) call: {keras_row['latency_ms_keras_call']:.2f} ms")
    print({key: round(value, 3) for key, value in targets.items()}, met)
    write_results(
        {
            **environment("export"),
            "task": "document_types (cheque, id_card, signature_card, tampered_cheque), 96x128",
            "backbone": "mobilenet_v3_small, weights=None (trained from scratch, bn_momentum=0.9)",
            "arguments": vars(args),
            "training": training,
            "test_images": args.test,
            "variants": rows,
            "targets": targets,
            "targets_met": met,
        }
    )


if __name__ == "__main__":
    main()
