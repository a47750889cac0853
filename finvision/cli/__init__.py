"""The ``finvision`` command: backbones, quickstart, train, evaluate, predict, export, read.

Every command has ``--help``. Errors print one line (``finvision COMMAND: error:
...``) with exit code 2 when the input is at fault and 1 otherwise; ``--verbose``
shows the traceback too.

Example:
>>> main(["backbones", "vgg1?", "--input-size", "32"])  # doctest: +NORMALIZE_WHITESPACE
name   parameters  output shape    default input  preprocessing  ImageNet weights
vgg16  14,714,688  (None, 1, 1, 512)  224x224     caffe          yes
vgg19  20,024,384  (None, 1, 1, 512)  224x224     caffe          yes
0
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from finvision.cli import backbones, evaluate, export, predict, quickstart, read, train
from finvision.cli._common import USAGE_ERRORS
from finvision.cli._startup import import_tensorflow_quietly
from finvision.cli._warnings import warnings_as_lines

COMMANDS = (backbones, quickstart, train, evaluate, predict, export, read)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``finvision`` command and its sub-commands.

    Example:
    >>> build_parser().parse_args(["predict", "model.keras", "a.png"]).top
    1
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", action="store_true", help="show the full traceback of an error"
    )
    parser = argparse.ArgumentParser(
        prog="finvision",
        description="finvision: computer-vision models for banks and fintechs.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands, [common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the ``finvision`` command.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The process exit code: 0 on success, 1 when the work failed, 2 for a
        usage error (also raised by ``argparse`` as ``SystemExit(2)``).

    Example:
    >>> main(["backbones", "no-such-*"])
    No backbone matches 'no-such-*'; try `finvision backbones` for all.
    1
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    arguments = build_parser().parse_args(argv)
    import_tensorflow_quietly()
    try:
        with warnings_as_lines(arguments.command):
            return arguments.run(arguments)
    except KeyboardInterrupt:
        print(f"finvision {arguments.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the one-line report of any failure
        if arguments.verbose:
            traceback.print_exc()
        usage = isinstance(error, USAGE_ERRORS)
        kind = "error" if usage else f"failed ({type(error).__name__})"
        hint = "" if arguments.verbose else " (--verbose shows the traceback)"
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(
            f"finvision {arguments.command}: {kind}: {message}{'' if usage else hint}",
            file=sys.stderr,
        )
        return 2 if usage else 1


if __name__ == "__main__":
    raise SystemExit(main())
