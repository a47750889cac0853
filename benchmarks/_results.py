"""What every benchmark result records about where it ran, and how it is written."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

import finvision

RESULTS_DIRECTORY = Path(__file__).parent / "results"


def environment(benchmark: str) -> dict[str, Any]:
    """The machine and library versions, the head of every results file."""
    return {
        "benchmark": benchmark,
        "device": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores",
        "gpus": [device.name for device in tf.config.list_physical_devices("GPU")],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "finvision": finvision.__version__,
    }


def results_path(benchmark: str) -> Path:
    """Where a benchmark's results live: ``benchmarks/results/<benchmark>.json``."""
    return RESULTS_DIRECTORY / f"{benchmark}.json"


def write_results(report: dict[str, Any], path: str | os.PathLike | None = None) -> None:
    """Writes ``report`` to ``path`` (default: its results file) and says where."""
    path = Path(path) if path is not None else results_path(report["benchmark"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path}")
