"""``finvision evaluate``: score a saved classifier on labelled images."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from finvision.cli._common import (
    HelpFormatter,
    class_names_of,
    image_size_of,
    load_model,
    write_json,
)
from finvision.cli._data import add_data_arguments, load_labelled


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``evaluate`` command."""
    parser = commands.add_parser(
        "evaluate",
        parents=parents,
        formatter_class=HelpFormatter,
        help="score a saved classifier on labelled images",
        description=(
            "Predicts every image of --data with MODEL (a .keras file or a preset directory) "
            "and prints accuracy, per-class precision/recall/F1 and, for --positive (class 1 "
            "of a binary model by default), ROC AUC, KS, recall at 1% FPR and EER."
        ),
    )
    parser.add_argument("model", metavar="MODEL", help="a .keras file or a preset directory")
    add_data_arguments(parser)
    parser.add_argument("--positive", help="class for one-vs-rest scores (ROC AUC, KS, EER)")
    parser.add_argument("--json", type=Path, help="also write the report to this JSON file")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Evaluates; see ``finvision evaluate --help``."""
    from finvision.callbacks.held_out import predict
    from finvision.cli._report import evaluate_predictions

    model = load_model(arguments.model)
    class_names = class_names_of(model)
    dataset = load_labelled(
        arguments,
        image_size=image_size_of(model),
        color_mode="grayscale" if model.input_shape[-1] == 1 else "rgb",
        class_names=class_names,
    )
    labels, probabilities = predict(model, dataset, arguments.batch_size)
    report = evaluate_predictions(labels, probabilities, class_names, arguments.positive)
    report.print()
    if arguments.json is not None:
        write_json(arguments.json, {"model": str(arguments.model), "evaluation": report.as_dict()})
    return 0
