"""``finvision train``: fine-tune a classifier on a folder or a CSV manifest."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from finvision.cli._common import (
    HelpFormatter,
    UsageError,
    adapted_recipe,
    output_directory,
    save_model,
    warn_if_loss_did_not_move,
    write_json,
)
from finvision.cli._data import add_data_arguments, load_labelled


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``train`` command."""
    parser = commands.add_parser(
        "train",
        parents=parents,
        formatter_class=HelpFormatter,
        help="fine-tune a classifier on your images",
        description=(
            "Fine-tunes an ImageClassifier on a backbone with finvision.transfer.finetune "
            "(head first, then the top of the backbone), evaluates it on a held-out split "
            "and writes model.keras, a preset and report.json to --out."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument("--backbone", required=True, help="a backbone name, e.g. resnet50")
    parser.add_argument("--task", choices=["classify"], default="classify", help="the task")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--image-size",
        type=int,
        nargs=2,
        default=(224, 224),
        metavar=("HEIGHT", "WIDTH"),
        help="image size",
    )
    parser.add_argument(
        "--color-mode",
        choices=["rgb", "grayscale"],
        default="rgb",
        help="rgb: 3 channels (grayscale scans repeated); grayscale: 1 channel",
    )
    parser.add_argument(
        "--weights", default=None, help="backbone weights: 'imagenet' or a file/preset path"
    )
    parser.add_argument(
        "--head-epochs", type=int, default=3, help="epochs with the backbone frozen"
    )
    parser.add_argument("--epochs", type=int, default=5, help="epochs with the backbone unfrozen")
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=None,
        help="fine-tuning peak rate (default: 1e-4 with --weights, 3e-3 from scratch)",
    )
    parser.add_argument(
        "--unfreeze-from",
        default=None,
        help="first level trained, P1 to P5 (default: P4 with --weights, P1 from scratch)",
    )
    parser.add_argument("--validation-split", type=float, default=0.2, help="held-out share")
    parser.add_argument("--positive", help="class for one-vs-rest scores (ROC AUC, KS, EER)")
    parser.add_argument("--seed", type=int, default=0, help="split and training seed")
    parser.add_argument("--overwrite", action="store_true", help="replace files in --out")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Trains; see ``finvision train --help``."""
    out = output_directory(arguments.out, arguments.overwrite)
    if not 0 < arguments.validation_split < 1:
        raise UsageError(
            f"--validation-split must be in (0, 1); received {arguments.validation_split}."
        )
    import keras

    from finvision import models, transfer
    from finvision.callbacks.held_out import predict
    from finvision.cli._report import evaluate_predictions

    keras.utils.set_random_seed(arguments.seed)
    image_size = tuple(arguments.image_size)
    models.get_backbone_spec(arguments.backbone)  # an unknown name fails before the data scan
    training, validation = load_labelled(
        arguments,
        image_size=image_size,
        color_mode=arguments.color_mode,
        validation_split=arguments.validation_split,
        seed=arguments.seed,
    )
    class_names = list(training.class_names)
    channels = 1 if arguments.color_mode == "grayscale" else 3
    backbone = models.create_backbone(
        arguments.backbone, input_shape=(*image_size, channels), weights=arguments.weights
    )
    model = models.ImageClassifier(backbone, len(class_names), class_names=class_names)
    recipe = adapted_recipe(
        arguments.weights is not None,
        head_epochs=arguments.head_epochs,
        finetune_epochs=arguments.epochs,
        finetune_learning_rate=arguments.learning_rate,
        unfreeze_from=arguments.unfreeze_from,
        batch_size=arguments.batch_size,
    )
    history = transfer.finetune(model, training, validation, recipe=recipe)
    warn_if_loss_did_not_move(history, len(class_names))
    labels, probabilities = predict(model, validation, arguments.batch_size)
    report = evaluate_predictions(labels, probabilities, class_names, arguments.positive)
    report.print()
    save_model(model, out / "model.keras")
    model.save_preset(out / "preset", overwrite=True)
    skipped = [{"path": path, "reason": reason} for path, reason in training.report.skipped]
    write_json(out / "report.json", {"evaluation": report.as_dict(), "skipped": skipped})
    if skipped:
        print(f"Skipped {len(skipped)} unreadable files; report.json lists them with the reasons.")
    print(f"Saved {out / 'model.keras'}, {out / 'preset'} and {out / 'report.json'}.")
    return 0
