"""Presets: self-describing directories that reload a model with no network.

A preset directory holds:

- ``config.json``: the model's Keras config (architecture and arguments);
- ``model.weights.h5``: its weights in the Keras 3 format;
- ``preprocessing.json``: the pixel normalisation the weights expect;
- ``metadata.json``: format version, library versions and the SHA-256 of the
  weights, checked on every load;
- ``README.md``: a model card for people.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import keras

import finvision
from finvision.models.backbone import Backbone
from finvision.models.weights import check_sha256, file_digest
from finvision.preprocessing.normalization import BackboneNormalization

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
PREPROCESSING_FILE = "preprocessing.json"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "README.md"
PRESET_FILES = (CONFIG_FILE, WEIGHTS_FILE, PREPROCESSING_FILE, METADATA_FILE, MODEL_CARD_FILE)
FORMAT_VERSION = 1
#: Presets shipped inside the package, one directory per name (e.g. ``"mrz"``).
BUILTIN_PRESETS = Path(__file__).resolve().parents[1] / "presets"


@dataclasses.dataclass(frozen=True)
class Preset:
    """A preset directory that has been read and checked.

    Attributes:
        directory: where it lives.
        config: the serialized model (``keras.saving.serialize_keras_object``).
        metadata: the contents of ``metadata.json``.

    Example:
    >>> import tempfile
    >>> from finvision.models import create_backbone, save_preset
    >>> directory = save_preset(create_backbone("resnet18", input_shape=(32, 32, 3)),
    ...                         tempfile.mkdtemp() + "/preset")
    >>> read_preset(directory).config["class_name"]
    'Backbone'
    """

    directory: Path
    config: dict[str, Any]
    metadata: dict[str, Any]

    @property
    def weights_path(self) -> Path:
        """The preset's weights file."""
        return self.directory / WEIGHTS_FILE


def save_preset(
    model: keras.Model, directory: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Writes a model as a preset directory that reloads with no network.

    Only the preset's own files are written; other files in ``directory`` are
    left alone.

    Args:
        model: a finvision model: a :class:`~finvision.models.Backbone` or a
            task model owning its feature extractor as ``model.backbone``.
        directory: the directory to write; created if missing.
        overwrite: replace the preset files of an existing preset there.

    Returns:
        The preset directory.

    Raises:
        TypeError: if ``model`` is not a finvision model.
        FileExistsError: if preset files already exist there and ``overwrite``
            is False.

    Example:
    >>> import tempfile
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> path = save_preset(backbone, tempfile.mkdtemp() + "/resnet18-preset")
    >>> sorted(p.name for p in path.iterdir())[:2]
    ['README.md', 'config.json']
    """
    backbone = model if isinstance(model, Backbone) else getattr(model, "backbone", None)
    if not isinstance(backbone, keras.Model):
        raise TypeError(
            "`model` must be a finvision Backbone or a task owning one as `.backbone`; "
            f"received {type(model).__name__}."
        )
    directory = Path(directory)
    existing = [name for name in PRESET_FILES if (directory / name).exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"`directory` {str(directory)!r} already holds preset files {existing}; "
            "pass `overwrite=True` to replace them."
        )
    directory.mkdir(parents=True, exist_ok=True)
    model.save_weights(directory / WEIGHTS_FILE, overwrite=True)
    metadata = {
        "format": "finvision-preset",
        "format_version": FORMAT_VERSION,
        "finvision_version": finvision.__version__,
        "keras_version": keras.__version__,
        "weights_file": WEIGHTS_FILE,
        "weights_sha256": file_digest(directory / WEIGHTS_FILE),
    }
    preprocessing = _preprocessing_of(backbone)
    _write_json(directory / CONFIG_FILE, keras.saving.serialize_keras_object(model))
    _write_json(directory / PREPROCESSING_FILE, preprocessing)
    _write_json(directory / METADATA_FILE, metadata)
    (directory / MODEL_CARD_FILE).write_text(
        _model_card(model, backbone, metadata), encoding="utf8"
    )
    return directory


def list_builtin_presets() -> list[str]:
    """Names of the presets shipped inside the package, loadable with no network.

    Example:
    >>> isinstance(list_builtin_presets(), list)
    True
    """
    if not BUILTIN_PRESETS.is_dir():
        return []
    return sorted(p.name for p in BUILTIN_PRESETS.iterdir() if (p / CONFIG_FILE).is_file())


def preset_directory(name_or_directory: str | os.PathLike) -> Path:
    """Resolves a preset argument: a directory, or the name of a shipped preset.

    A bare name (no path separator) that is not an existing directory and
    names a shipped preset (see :func:`list_builtin_presets`) resolves to the
    package's copy; anything else is taken as a path.

    Example:
    >>> preset_directory("/models/my-preset")
    PosixPath('/models/my-preset')
    """
    path = Path(name_or_directory)
    if path.is_dir() or len(path.parts) != 1:
        return path
    shipped = BUILTIN_PRESETS / path.name
    return shipped if (shipped / CONFIG_FILE).is_file() else path


def read_preset(directory: str | os.PathLike, *, sha256: str | None = None) -> Preset:
    """Reads a preset directory and checks its weights against their SHA-256.

    Args:
        directory: a directory written by :func:`save_preset`, or the name of
            a preset shipped with the package (see :func:`list_builtin_presets`).
        sha256: pins the preset: the SHA-256 hex digest its ``model.weights.h5``
            must have (the one its ``metadata.json`` and model card record when
            you vetted it). None trusts the digest recorded in the directory.

    Returns:
        The checked :class:`Preset`.

    Raises:
        FileNotFoundError: if the directory or one of its files is missing.
        ValueError: if a file is not valid JSON, or the weights' SHA-256 differs
            from the ``sha256`` pin or from the one recorded (a corrupt or
            altered copy).

    Example:
    >>> read_preset("/no/such/preset")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: Preset directory '/no/such/preset' does not exist...
    """
    directory = preset_directory(directory)
    if not directory.is_dir():
        shipped = list_builtin_presets()
        known = f" Presets shipped with finvision: {shipped}." if shipped else ""
        raise FileNotFoundError(f"Preset directory {str(directory)!r} does not exist.{known}")
    missing = [
        name
        for name in (CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE)
        if not (directory / name).is_file()
    ]
    if missing:
        raise FileNotFoundError(
            f"Preset directory {str(directory)!r} lacks {missing}; it was not written by "
            "finvision.models.save_preset or is incomplete."
        )
    check_sha256(directory / WEIGHTS_FILE, sha256)
    preset = Preset(
        directory, _read_json(directory / CONFIG_FILE), _read_json(directory / METADATA_FILE)
    )
    recorded = preset.metadata.get("weights_sha256")
    actual = file_digest(preset.weights_path)
    if actual != recorded:
        raise ValueError(
            f"Preset weights {str(preset.weights_path)!r} have SHA-256 {actual}, but the "
            f"preset records {recorded}: the copy is corrupt or was altered."
        )
    return preset


def load_preset(directory: str | os.PathLike, *, sha256: str | None = None) -> keras.Model:
    """Rebuilds the model saved in a preset directory, with its weights.

    Args:
        directory: a directory written by :func:`save_preset`, or the name of
            a preset shipped with the package.
        sha256: the SHA-256 hex digest the preset's ``model.weights.h5`` must
            have (see :func:`read_preset`); None trusts the recorded digest.

    Returns:
        The model, as it was saved.

    Raises:
        FileNotFoundError: if the directory or one of its files is missing.
        ValueError: if the weights differ from the ``sha256`` pin or from the
            digest the preset records.

    Example:
    >>> import tempfile
    >>> from finvision.models import create_backbone
    >>> path = save_preset(create_backbone("resnet18", input_shape=(32, 32, 3)),
    ...                    tempfile.mkdtemp() + "/p")
    >>> load_preset(path).architecture
    'resnet18'
    """
    preset = read_preset(directory, sha256=sha256)
    model = keras.saving.deserialize_keras_object(preset.config, safe_mode=True)
    model.load_weights(preset.weights_path)
    return model


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf8")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Preset file {str(path)!r} is not valid JSON ({error}).") from error


def _preprocessing_of(backbone: keras.Model) -> dict[str, Any]:
    """The pixel normalisation a backbone's weights expect, and where it happens."""
    if isinstance(backbone, Backbone):
        preprocessing = dataclasses.asdict(backbone.spec.preprocessing)
        return {**preprocessing, "inside_model": backbone.include_preprocessing}
    for layer in backbone._flatten_layers():
        if isinstance(layer, BackboneNormalization):
            mean = None if layer.mean is None else list(layer.mean)
            std = None if layer.std is None else list(layer.std)
            return {"mode": layer.mode, "mean": mean, "std": std, "inside_model": True}
    return {"mode": "none", "mean": None, "std": None, "inside_model": False}


def _model_card(model: keras.Model, backbone: keras.Model, metadata: dict[str, Any]) -> str:
    preprocessing = _preprocessing_of(backbone)
    normalisation = (
        "inside the model (feed raw pixels in [0, 255])"
        if preprocessing["inside_model"]
        else "outside the model (apply it before calling)"
    )
    if isinstance(backbone, Backbone):
        described = f"the `{backbone.spec.name}` backbone ({backbone.spec.family} family)"
        shape = tuple(model.input_shape[1:])
        reload_backbone = f"""backbone = models.create_backbone(
    "{backbone.spec.name}", input_shape={shape}, weights="path/to/this/directory"
)
"""
    else:
        described = f"its own `{backbone.name}` feature extractor"
        reload_backbone = ""
    return f"""# {model.name}

A finvision preset: a {type(model).__name__} on {described}.

| field | value |
| --- | --- |
| input shape | {tuple(model.input_shape[1:])} |
| parameters | {model.count_params():,} |
| preprocessing | mode `{preprocessing["mode"]}`, mean {preprocessing["mean"]}, \
std {preprocessing["std"]}, {normalisation} |
| weights file | `{metadata["weights_file"]}` |
| weights SHA-256 | `{metadata["weights_sha256"]}` |
| finvision / Keras | {metadata["finvision_version"]} / {metadata["keras_version"]} |

Load it with no network:

```python
from finvision import models

model = models.load_preset("path/to/this/directory")
{reload_backbone}```
"""
