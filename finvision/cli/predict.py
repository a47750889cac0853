"""``finvision predict``: classify image files with a saved classifier."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from finvision.cli._common import HelpFormatter, class_names_of, image_size_of, load_model


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``predict`` command."""
    parser = commands.add_parser(
        "predict",
        parents=parents,
        formatter_class=HelpFormatter,
        help="classify image files",
        description=(
            "Loads each IMAGE as the data loaders do (EXIF orientation, TIFF, 16-bit PNG), "
            "resizes it to MODEL's input and prints its top classes and probabilities. "
            "Unreadable files are reported on stderr and give exit code 1."
        ),
    )
    parser.add_argument("model", metavar="MODEL", help="a .keras file or a preset directory")
    parser.add_argument("images", metavar="IMAGE", nargs="+", type=Path, help="image files")
    parser.add_argument("--top", type=int, default=1, help="how many classes to show per image")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Predicts; see ``finvision predict --help``."""
    import numpy as np

    from finvision.cli._report import class_probabilities
    from finvision.data import UnreadableImageError, load_image

    model = load_model(arguments.model)
    class_names = class_names_of(model)
    size = image_size_of(model)
    color_mode = "grayscale" if model.input_shape[-1] == 1 else "rgb"
    readable, images = [], []
    for path in arguments.images:
        try:
            images.append(load_image(path, image_size=size, color_mode=color_mode))
            readable.append(path)
        except (UnreadableImageError, FileNotFoundError) as error:
            print(f"finvision predict: {error}", file=sys.stderr)
    if images:
        probabilities = class_probabilities(
            model.predict(np.stack(images), batch_size=32, verbose=0)
        )
        for path, row in zip(readable, probabilities, strict=True):
            best = np.argsort(-row, kind="stable")[: max(1, arguments.top)]
            print(f"{path}  " + "  ".join(f"{class_names[i]} {row[i]:.4f}" for i in best))
    return 0 if len(readable) == len(arguments.images) else 1
