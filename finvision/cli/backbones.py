"""The ``finvision`` command.

Example:
>>> main(["backbones", "vgg1?", "--input-size", "32"])  # doctest: +NORMALIZE_WHITESPACE
name   parameters  output shape    default input  preprocessing  ImageNet weights
vgg16  14,714,688  (None, 1, 1, 512)  224x224     caffe          yes
vgg19  20,024,384  (None, 1, 1, 512)  224x224     caffe          yes
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


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
    _print_table(rows)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``finvision`` command.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The process exit code.

    Example:
    >>> main(["backbones", "no-such-*"])
    No backbone matches 'no-such-*'; try `finvision backbones` for all.
    1
    """
    parser = argparse.ArgumentParser(prog="finvision", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("backbones", help="build the backbones and print a table")
    listing.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'resnet*'")
    listing.add_argument("--input-size", type=int, default=224, help="input height and width")
    arguments = parser.parse_args(argv)
    return backbones(arguments.pattern, arguments.input_size)


if __name__ == "__main__":
    raise SystemExit(main())
