"""``finvision export``: a saved model as a SavedModel, a TFLite file or an ONNX file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from finvision._export_formats import FORMATS
from finvision._files import check_output_path
from finvision.cli._common import HelpFormatter, UsageError, image_size_of, load_model

#: ``--quantization`` values: the TFLite ones, float32 (None) spelled "none".
QUANTIZATIONS = tuple(value or "none" for value in FORMATS["tflite"].quantizations)


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Registers the ``export`` command."""
    parser = commands.add_parser(
        "export",
        parents=parents,
        formatter_class=HelpFormatter,
        help="export a saved model for serving or mobile",
        description=(
            "Exports MODEL (a .keras file or a preset directory) with its preprocessing: a "
            "SavedModel for TF Serving, a TFLite file (optionally quantized) or an ONNX file "
            "(needs the export extra). See the deployment guide for signatures."
        ),
    )
    parser.add_argument("model", metavar="MODEL", help="a .keras file or a preset directory")
    parser.add_argument("--format", choices=list(FORMATS), required=True, help="the export format")
    parser.add_argument("--out", type=Path, required=True, help="the file or directory to write")
    parser.add_argument("--quantization", choices=QUANTIZATIONS, default="none", help="TFLite only")
    parser.add_argument(
        "--representative-data",
        type=Path,
        help="a folder of images for int8 calibration (TFLite int8 only; about 100 suffice)",
    )
    parser.add_argument(
        "--input",
        choices=FORMATS["saved_model"].inputs,
        default="image",
        help="SavedModel only: uint8 images or encoded JPEG/PNG bytes",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Exports; see ``finvision export --help``."""
    from finvision import export

    if arguments.format != "tflite" and arguments.quantization != "none":
        raise UsageError(
            f"--quantization applies to --format tflite; received --format {arguments.format}."
        )
    suffix = FORMATS[arguments.format].suffix
    if suffix and arguments.out.suffix != suffix:
        raise UsageError(
            f"--out must end in {suffix!r} for --format {arguments.format}; "
            f"received {str(arguments.out)!r}."
        )
    _check_out(arguments.out, arguments.overwrite)
    model = load_model(arguments.model)
    try:
        path = _export(export, model, arguments)
    except FileExistsError:  # something appeared at --out while the model was converted
        _check_out(arguments.out, arguments.overwrite)
        raise
    print(f"Wrote {path}.")
    return 0


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuses an occupied ``--out`` before any work, in the command line's words."""
    try:
        check_output_path(out, overwrite=overwrite)
    except FileExistsError:
        raise UsageError(
            f"--out {str(out)!r} already exists; pass --overwrite to replace it."
        ) from None
    except NotADirectoryError as error:
        raise UsageError(str(error).replace("`path`", "--out", 1)) from None


def _export(export: Any, model: Any, arguments: argparse.Namespace) -> Path:
    if arguments.format == "saved_model":
        return export.to_saved_model(
            model,
            arguments.out,
            input=arguments.input,
            labels=getattr(model, "class_names", None),
            overwrite=arguments.overwrite,
        )
    if arguments.format == "onnx":
        return export.to_onnx(model, arguments.out, overwrite=arguments.overwrite)
    quantization = None if arguments.quantization == "none" else arguments.quantization
    return export.to_tflite(
        model,
        arguments.out,
        quantization=quantization,
        representative_data=_representative_images(arguments, model),
        overwrite=arguments.overwrite,
    )


def _representative_images(arguments: argparse.Namespace, model: Any) -> Any:
    if arguments.representative_data is None:
        return None
    from finvision import data

    if not arguments.representative_data.is_dir():
        raise UsageError(
            "--representative-data must be a folder of images; received "
            f"{str(arguments.representative_data)!r}."
        )
    return data.from_directory(
        arguments.representative_data,
        image_size=image_size_of(model),
        color_mode="grayscale" if model.input_shape[-1] == 1 else "rgb",
        labels=None,
        batch_size=None,
        shuffle=False,
    )
