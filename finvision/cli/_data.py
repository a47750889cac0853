"""Labelled images from a folder (one subfolder per class) or a CSV manifest."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from finvision.cli._common import UsageError


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--data`` argument and the manifest columns, shared by train and evaluate."""
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="a folder with one subfolder of images per class, or a CSV manifest",
    )
    parser.add_argument("--path-column", default="path", help="CSV column of image paths")
    parser.add_argument("--label-column", default="label", help="CSV column of class labels")
    parser.add_argument(
        "--root",
        type=Path,
        help="confine the CSV's image paths to this folder (relative paths resolve against it; "
        "'..', '~', absolute paths and links leading outside are refused): for manifests "
        "received from others",
    )
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch")


def load_labelled(
    arguments: argparse.Namespace,
    *,
    image_size: tuple[int, int],
    color_mode: str,
    class_names: Sequence[str] | None = None,
    validation_split: float | None = None,
    seed: int = 0,
) -> Any:
    """Loads ``--data`` with :mod:`finvision.data`: one dataset, or (training, validation).

    Args:
        arguments: parsed arguments holding ``data``, ``path_column``,
            ``label_column``, ``root`` and ``batch_size``.
        image_size: ``(height, width)`` of the images.
        color_mode: ``"rgb"`` or ``"grayscale"``.
        class_names: the classes in label order; None reads them from the data.
        validation_split: the share held out for validation, or None for one dataset.
        seed: split and shuffle seed.

    Returns:
        A ``tf.data.Dataset`` of ``(images, labels)`` batches carrying
        ``class_names``, or a ``(training, validation)`` pair.

    Raises:
        UsageError: if ``--data`` is neither a folder nor a ``.csv`` file.
    """
    from finvision import data

    common = {
        "image_size": image_size,
        "color_mode": color_mode,
        "class_names": class_names,
        "batch_size": arguments.batch_size,
        "seed": seed,
        "shuffle": validation_split is not None,
    }
    if validation_split is not None:
        common.update(validation_split=validation_split, subset="both")
    source = arguments.data
    if source.is_dir() and arguments.root is not None:
        raise UsageError("--root confines the paths of a CSV manifest; --data is a folder.")
    if source.is_dir():
        return data.from_directory(source, **common)
    if source.is_file() and source.suffix.lower() == ".csv":
        return data.from_csv(
            source,
            path_column=arguments.path_column,
            label_columns=arguments.label_column,
            root=arguments.root,
            **common,
        )
    problem = "which does not exist" if not source.exists() else "which is neither"
    raise UsageError(
        f"--data must be a folder of class subfolders or a .csv manifest; received "
        f"{str(source)!r}, {problem}."
    )
