"""``finvision backbones``: a table of the backbones."""

from __future__ import annotations

import argparse
from typing import Any

from finvision.cli._common import HelpFormatter, print_table


def backbones(pattern: str, input_size: int) -> int:
    """Builds each backbone matching ``pattern`` and prints a table of them.

    Args:
        pattern: an ``fnmatch`` pattern over backbone names.
        input_size: height and width of the input the models are built for.

    Returns:
        The process exit code: 0, or 1 when no name matches.

    Example:
    >>> backbones("resnet18", 64)
    name      parameters  output shape       default input  preprocessing  ImageNet weights
    resnet18  11,186,112  (None, 2, 2, 512)  224x224        torch          no
    0
    """
    from finvision import models

    names = models.list_backbones(pattern)
    if not names:
        print(f"No backbone matches {pattern!r}; try `finvision backbones` for all.")
        return 1
    rows = [
        ("name", "parameters", "output shape", "default input", "preprocessing", "ImageNet weights")
    ]
    for name in names:
        spec = models.get_backbone_spec(name)
        model = models.create_backbone(name, input_shape=(input_size, input_size, 3))
        height, width = spec.default_input_size
        rows.append(
            (
                name,
                f"{model.count_params():,}",
                str(tuple(model.output_shape)),
                f"{height}x{width}",
                spec.preprocessing.mode,
                "yes" if spec.imagenet_weights else "no",
            )
        )
    print_table(rows)
    return 0


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``backbones`` command."""
    parser = commands.add_parser(
        "backbones",
        parents=parents,
        formatter_class=HelpFormatter,
        help="build the backbones and print a table",
        description="Builds each backbone matching PATTERN (no weights are loaded) and prints "
        "its parameters, output shape, default input size, preprocessing and whether "
        "ImageNet weights exist.",
    )
    parser.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'resnet*'")
    parser.add_argument("--input-size", type=int, default=224, help="input height and width")
    parser.set_defaults(run=lambda arguments: backbones(arguments.pattern, arguments.input_size))
