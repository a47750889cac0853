"""``finvision read``: the MRZ of passports and ID cards, the MICR line of cheques."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from finvision.cli._common import HelpFormatter


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``read`` command."""
    parser = commands.add_parser(
        "read",
        parents=parents,
        formatter_class=HelpFormatter,
        help="read the MRZ or MICR line of page photos",
        description=(
            "Finds the machine-readable zone of each IMAGE (a photo or scan of a whole "
            "passport page, ID card or visa; with --kind micr, a cheque), reads and checks it "
            "and prints its fields. Pages where no zone is found, or that cannot be read, are "
            "reported and give exit code 1."
        ),
    )
    parser.add_argument("images", metavar="IMAGE", nargs="+", type=Path, help="image files")
    parser.add_argument(
        "--kind", choices=("mrz", "micr"), default="mrz", help="what to read: mrz or micr"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per line instead of text"
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Reads; see ``finvision read --help``."""
    from finvision import models
    from finvision.data import UnreadableImageError

    read = models.read_mrz if arguments.kind == "mrz" else models.read_micr
    failures = 0
    for path in arguments.images:
        try:
            reading = read(path)
        except (UnreadableImageError, FileNotFoundError) as error:
            print(f"finvision read: {error}", file=sys.stderr)
            failures += 1
            continue
        if reading is None:
            print(f"finvision read: {path}: no {arguments.kind.upper()} found", file=sys.stderr)
            failures += 1
            continue
        record = summary(path, reading)
        print(json.dumps(record) if arguments.json else _as_text(record))
    return 1 if failures else 0


def summary(path: Path, reading: Any) -> dict[str, Any]:
    """What ``finvision read`` prints about one page, as plain data.

    Example:
    >>> import numpy as np
    >>> from finvision.documents import parse_micr
    >>> from finvision.models import PageReading
    >>> line = "T021000021T1234U"
    >>> quad = np.array([[0, 0], [90, 0], [90, 10], [0, 10]], np.float32)
    >>> reading = PageReading("micr", (line,), parse_micr(line), 0.9, quad, 0.8)
    >>> record = summary(Path("c.png"), reading)
    >>> record["fields"]["routing_number"], record["valid"], record["quad"][1]
    ('021000021', True, [90.0, 0.0])
    """
    fields = {
        name: value
        for name, value in dataclasses.asdict(reading.parsed).items()
        if name not in ("lines", "line", "failed_checks", "failed_fields")
    }
    return {
        "file": str(path),
        "kind": reading.kind,
        "lines": list(reading.lines),
        "valid": reading.valid,
        "confidence": round(reading.confidence, 4),
        "fields": fields,
        "failed_checks": list(reading.parsed.failed_checks),
        "failed_fields": list(reading.parsed.failed_fields),
        "quad": [[round(float(v), 1) for v in corner] for corner in reading.quad],
    }


def _as_text(record: dict[str, Any]) -> str:
    verdict = (
        "valid"
        if record["valid"]
        else "INVALID: " + ", ".join(record["failed_checks"] + record["failed_fields"])
    )
    head = f"{record['file']}  {record['kind'].upper()} {verdict}"
    lines = [f"{head}  confidence {record['confidence']:.4f}"]
    lines += [f"  {line}" for line in record["lines"]]
    lines += [f"  {name}: {value}" for name, value in record["fields"].items() if value != ""]
    return "\n".join(lines)
