"""The export formats, in one table: what each writes, takes and can be quantized to.

Pure data with no TensorFlow import, so the command line builds its flags from
it before anything heavy loads; :mod:`finvision.export` checks its arguments
and :func:`finvision.export.compare` finds a file's format with the same table.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class ExportFormat:
    """One export format.

    Attributes:
        name: the format's name, as ``finvision export --format`` spells it.
        suffix: the file name ending it needs, or None for a directory.
        marker: for a directory format, the file that identifies it.
        inputs: the signature inputs it can take (``"image"``, ``"bytes"``).
        quantizations: the ``quantization=`` values it takes (None: float32).
        extra: the pip extra it needs, if any.

    Example:
    >>> FORMATS["tflite"].suffix, FORMATS["saved_model"].inputs
    ('.tflite', ('image', 'bytes'))
    """

    name: str
    suffix: str | None
    marker: str | None = None
    inputs: tuple[str, ...] = ("image",)
    quantizations: tuple[str | None, ...] = (None,)
    extra: str | None = None


#: Every export format, by name.
FORMATS: dict[str, ExportFormat] = {
    spec.name: spec
    for spec in (
        ExportFormat("saved_model", None, marker="saved_model.pb", inputs=("image", "bytes")),
        ExportFormat("tflite", ".tflite", quantizations=(None, "float16", "dynamic", "int8")),
        ExportFormat("onnx", ".onnx", extra="export"),
    )
}


def format_of(path: str | os.PathLike) -> ExportFormat | None:
    """The format of an existing export at ``path``, or None if it is none of them.

    Example:
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "doc.onnx"
    >>> _ = file.write_bytes(b"")
    >>> format_of(file).name, format_of(file.parent)
    ('onnx', None)
    """
    path = Path(path)
    for spec in FORMATS.values():
        if spec.marker is not None and (path / spec.marker).is_file():
            return spec
        if spec.suffix is not None and path.suffix == spec.suffix and path.is_file():
            return spec
    return None


def check_suffix(path: str | os.PathLike, format_name: str) -> None:
    """Refuses a ``path`` that does not end as the format's files must.

    Raises:
        ValueError: naming the ending expected and the path received.

    Example:
    >>> check_suffix("model.lite", "tflite")
    Traceback (most recent call last):
    ...
    ValueError: `path` must end in '.tflite'; received 'model.lite'.
    """
    suffix = FORMATS[format_name].suffix
    if suffix is not None and Path(path).suffix != suffix:
        raise ValueError(f"`path` must end in {suffix!r}; received {str(path)!r}.")
