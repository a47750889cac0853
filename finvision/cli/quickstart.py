"""``finvision quickstart``: the main job end to end, offline, on built-in synthetic data."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from finvision.cli._common import (
    HelpFormatter,
    UsageError,
    output_directory,
    save_model,
    write_json,
)

DEFAULT_OUT = Path("finvision-runs") / "quickstart"
TAMPERED_SHARE = 0.2
#: Training pairs (a tampered cheque and its untouched original) per document.
PAIRS_PER_DOCUMENT = 0.75
POSITIVE_CLASS = "tampered_cheque"


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``quickstart`` command."""
    parser = commands.add_parser(
        "quickstart",
        parents=parents,
        formatter_class=HelpFormatter,
        help="fine-tune a document classifier on synthetic data and export it, offline",
        description=(
            "Generates a synthetic set of bank documents (cheques, ID cards, signature "
            "cards and, a fifth of them, tampered cheques), holds out a fifth of it, "
            "fine-tunes mobilenet_v3_small on the rest and on pairs of tampered cheques "
            "with their untouched originals with finvision.transfer.finetune, prints an "
            "evaluation report and writes the model (.keras), a preset, an int8 .tflite, "
            "plots and report.json to --out."
        ),
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--images", type=int, default=800, help="synthetic images in all")
    parser.add_argument("--epochs", type=int, default=10, help="fine-tuning epochs")
    parser.add_argument(
        "--image-size",
        type=int,
        nargs=2,
        default=(96, 192),
        metavar=("HEIGHT", "WIDTH"),
        help="image size",
    )
    parser.add_argument(
        "--weights",
        default=None,
        help="backbone weights: none (offline, from scratch), 'imagenet' or a file/preset path",
    )
    parser.add_argument("--seed", type=int, default=0, help="data, split and training seed")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Runs the quickstart; see ``finvision quickstart --help``."""
    out = output_directory(arguments.out, arguments.overwrite)
    if arguments.images < 40:
        raise UsageError(f"--images must be at least 40; received {arguments.images}.")
    import keras

    from finvision import models, transfer
    from finvision.cli._report import evaluate_predictions
    from finvision.data import synthetic

    keras.utils.set_random_seed(arguments.seed)
    started = time.perf_counter()
    print(f"[1/5] Generating {arguments.images} synthetic documents ...", flush=True)
    # A fifth of the set is tampered: about 30 of 800 held out, enough for the recall
    # at 1% FPR to be a measurement (at the generator's default 5%, 7 images were).
    documents = synthetic.document_types(
        arguments.images,
        seed=arguments.seed,
        size=arguments.image_size,
        nuisance=0.3,
        tampered_share=TAMPERED_SHARE,
    )
    train, validation = _split(documents.labels, arguments.seed)
    counts = dict(
        zip(documents.class_names, np.bincount(documents.labels, minlength=4).tolist(), strict=True)
    )
    print("      " + ", ".join(f"{count} {name}" for name, count in counts.items()))
    # The same cheque with and without an edit teaches what an edit is; its own random
    # stream keeps every pair apart from the held-out documents.
    pairs = synthetic.tampered_pairs(
        round(PAIRS_PER_DOCUMENT * arguments.images),
        seed=arguments.seed,
        size=arguments.image_size,
        nuisance=0.3,
    )
    print(
        f"      and, for training only, {len(pairs.labels) // 2} tampered cheques beside "
        "their originals"
    )

    print("[2/5] Fine-tuning mobilenet_v3_small ...", flush=True)
    backbone = models.create_backbone(
        "mobilenet_v3_small", input_shape=(*arguments.image_size, 3), weights=arguments.weights
    )
    model = models.ImageClassifier(
        backbone, len(documents.class_names), class_names=documents.class_names, dropout=0.2
    )
    pretrained = arguments.weights is not None
    recipe = transfer.FineTuneRecipe(
        head_epochs=1,
        finetune_epochs=arguments.epochs,
        finetune_learning_rate=1e-3 if pretrained else 3e-3,
        unfreeze_from="P4" if pretrained else "P1",
        layer_decay=0.5 if pretrained else 1.0,
        keep_batchnorm_frozen=pretrained,
        batch_size=32,
    )
    data = (
        np.concatenate([documents.images[train], pairs.images]),
        np.concatenate([documents.labels[train], pairs.labels]),
    )
    held_out = (documents.images[validation], documents.labels[validation])
    transfer.finetune(model, data, held_out, recipe=recipe, verbose=2)

    print("[3/5] Evaluating on the held-out 20% ...", flush=True)
    probabilities = model.predict(held_out[0], batch_size=64, verbose=0)
    report = evaluate_predictions(held_out[1], probabilities, documents.class_names, POSITIVE_CLASS)
    report.print()

    print(f"[4/5] Saving to {out} ...", flush=True)
    save_model(model, out / "model.keras")
    model.save_preset(out / "preset", overwrite=True)
    plots = _plots(model, held_out, out / "plots", documents.class_names)
    tflite = _int8_tflite(model, documents.images[train][:100], out / "model_int8.tflite")

    print("[5/5] Done.", flush=True)
    write_json(
        out / "report.json",
        {
            "images": int(arguments.images),
            "class_counts": counts,
            "evaluation": report.as_dict(),
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    for path in [out / "model.keras", out / "preset", tflite, *plots, out / "report.json"]:
        if path is not None:
            print(f"      {path}")
    print(
        f"Finished in {time.perf_counter() - started:.0f} s. Next: finvision predict "
        f"{out / 'model.keras'} IMAGE..."
    )
    return 0


def _split(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified 80/20 split of sample indices: a fifth of every class is held out."""
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        held = max(1, round(len(members) * 0.2)) if len(members) > 1 else 0
        validation.extend(members[:held])
        train.extend(members[held:])
    return np.sort(train), np.sort(validation)


def _plots(model: Any, held_out: tuple, directory: Path, class_names: tuple) -> list[Path]:
    """ROC, DET and confusion plots of tampered cheques against the rest (needs matplotlib)."""
    from finvision.callbacks import CurvePlots

    is_positive = np.asarray(held_out[1]) == class_names.index(POSITIVE_CLASS)
    if is_positive.all() or not is_positive.any():
        print(f"      no plots: the held-out set needs {POSITIVE_CLASS} and other images")
        return []
    try:
        plots = CurvePlots(
            directory,
            held_out,
            every_n_epochs=None,
            class_names=("other", POSITIVE_CLASS),
            positive_class=class_names.index(POSITIVE_CLASS),
        )
    except ImportError as error:
        print(f"      no plots: {error}")
        return []
    plots.set_model(model)
    return plots.plot("quickstart")


def _int8_tflite(model: Any, representative: np.ndarray, path: Path) -> Path:
    from finvision import export

    return export.to_tflite(
        model, path, quantization="int8", representative_data=representative, overwrite=True
    )
