"""Presets: self-describing directories that reload a model with no network.

A preset directory holds:

- ``config.json``: the model's Keras config (architecture and arguments);
- ``model.weights.h5``: its weights in the Keras 3 format;
- ``preprocessing.json``: the pixel normalisation the weights expect;
- ``metadata.json``: format version, library versions and a manifest: the
  SHA-256 of every file above, checked on every load, and ``preset_sha256``,
  the digest that pins the whole preset (:func:`preset_digest`);
- ``README.md``: a model card for people.

A preset is written to a staging folder and swapped in whole, so a failed or
killed save leaves the previous version intact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import keras

import finvision
from finvision._files import staged_output
from finvision.models.backbone import Backbone
from finvision.models.weights import as_sha256, file_digest
from finvision.preprocessing.normalization import BackboneNormalization

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"
PREPROCESSING_FILE = "preprocessing.json"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "README.md"
PRESET_FILES = (CONFIG_FILE, WEIGHTS_FILE, PREPROCESSING_FILE, METADATA_FILE, MODEL_CARD_FILE)
#: The files that change what a loaded preset does: the manifest records their
#: digests and ``sha256=`` pins them (the model card is for people only).
PINNED_FILES = (CONFIG_FILE, WEIGHTS_FILE, PREPROCESSING_FILE)
REQUIRED_FILES = (*PINNED_FILES, METADATA_FILE)
FORMAT_VERSION = 2
#: Versions this finvision reads: 1 recorded the weights' digest only.
READABLE_FORMAT_VERSIONS = (1, 2)
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

    The new version is written to a staging folder next to ``directory`` and
    swapped in whole, so a failed or killed save leaves the previous one
    intact. Other files in ``directory`` (a licence, notes) are carried over.

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
        NotADirectoryError: if ``directory`` is a file.

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
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(f"`directory` {str(directory)!r} is a file, not a folder.")
    with staged_output(directory, overwrite=True) as staged:
        staged.mkdir()
        _carry_other_files(directory, staged)
        model.save_weights(staged / WEIGHTS_FILE)
        _write_json(staged / CONFIG_FILE, keras.saving.serialize_keras_object(model))
        _write_json(staged / PREPROCESSING_FILE, _preprocessing_of(backbone))
        files = _file_digests(staged)
        metadata = {
            "format": "finvision-preset",
            "format_version": FORMAT_VERSION,
            "finvision_version": finvision.__version__,
            "keras_version": keras.__version__,
            "weights_file": WEIGHTS_FILE,
            "weights_sha256": files[WEIGHTS_FILE],
            "files": files,
            "preset_sha256": _manifest_digest(files),
        }
        _write_json(staged / METADATA_FILE, metadata)
        (staged / MODEL_CARD_FILE).write_text(
            _model_card(model, backbone, metadata), encoding="utf8"
        )
    return directory


def preset_digest(directory: str | os.PathLike) -> str:
    """The SHA-256 that pins a whole preset: its config, weights and preprocessing.

    Computed from the files themselves (not from what ``metadata.json``
    says), so it is the value to pass as ``sha256=`` to every preset loader
    once the preset is vetted. :func:`save_preset` records it as
    ``preset_sha256`` in ``metadata.json`` and the model card.

    Args:
        directory: a preset directory, or the name of a shipped preset.

    Returns:
        The lowercase hex digest.

    Raises:
        FileNotFoundError: if the directory or one of the pinned files is missing.

    Example:
    >>> import tempfile
    >>> from finvision.models import create_backbone
    >>> path = save_preset(create_backbone("resnet18", input_shape=(32, 32, 3)),
    ...                    tempfile.mkdtemp() + "/p")
    >>> preset_digest(path) == read_preset(path).metadata["preset_sha256"]
    True
    """
    return _manifest_digest(_file_digests(_checked_directory(directory)))


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
    """Reads a preset directory and checks every file against its SHA-256.

    Args:
        directory: a directory written by :func:`save_preset`, or the name of
            a preset shipped with the package (see :func:`list_builtin_presets`).
        sha256: pins the whole preset: the :func:`preset_digest` it must have
            (``preset_sha256`` in its ``metadata.json`` and model card when you
            vetted it). Checked before any file is parsed. None trusts the
            digests recorded in the directory, which detect a corrupt copy but
            not a directory replaced as a whole.

    Returns:
        The checked :class:`Preset`.

    Raises:
        FileNotFoundError: if the directory or one of its files is missing.
        ValueError: if the preset differs from the ``sha256`` pin, a file's
            digest differs from the one recorded (a corrupt or altered copy), a
            file is not a JSON object, or the format version is unknown.

    Example:
    >>> read_preset("/no/such/preset")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: Preset directory '/no/such/preset' does not exist...
    """
    directory = _checked_directory(directory)
    files = _file_digests(directory)
    if sha256 is not None:
        _check_pin(directory, as_sha256(sha256), files)
    metadata = _read_json(directory / METADATA_FILE)
    version = metadata.get("format_version")
    known = not isinstance(version, bool) and version in READABLE_FORMAT_VERSIONS
    if metadata.get("format") != "finvision-preset" or not known:
        raise ValueError(
            f"Preset {str(directory)!r} has format {metadata.get('format')!r} version "
            f"{version!r}; this finvision ({finvision.__version__}) reads finvision-preset "
            f"versions {list(READABLE_FORMAT_VERSIONS)}. A newer finvision wrote it, or it "
            "is not a preset."
        )
    if version == 1:
        recorded = {WEIGHTS_FILE: metadata.get("weights_sha256")}
    else:
        recorded = metadata.get("files")
    if not isinstance(recorded, dict):
        raise ValueError(
            f"Preset {str(directory)!r} has no manifest of file digests in {METADATA_FILE}; "
            "the copy is corrupt or was altered."
        )
    unrecorded = sorted(set(PINNED_FILES if version > 1 else ()) - set(recorded))
    if unrecorded:
        raise ValueError(
            f"Preset {str(directory)!r} records no digest of {unrecorded} in "
            f"{METADATA_FILE}: every file in {list(PINNED_FILES)} must be recorded; the copy "
            "is corrupt or was altered."
        )
    for name, digest in recorded.items():
        if files.get(name) != digest:
            raise ValueError(
                f"Preset file {str(directory / str(name))!r} has SHA-256 {files.get(name)}, but "
                f"the preset records {digest}: the copy is corrupt or was altered."
            )
    config = _read_json(directory / CONFIG_FILE)
    if not isinstance(config.get("class_name"), str):
        raise ValueError(
            f"Preset file {str(directory / CONFIG_FILE)!r} is not a Keras config: it has no "
            "`class_name`."
        )
    return Preset(directory, config, metadata)


def load_preset(directory: str | os.PathLike, *, sha256: str | None = None) -> keras.Model:
    """Rebuilds the model saved in a preset directory, with its weights.

    Args:
        directory: a directory written by :func:`save_preset`, or the name of
            a preset shipped with the package.
        sha256: the :func:`preset_digest` the preset must have (see
            :func:`read_preset`); None trusts the recorded digests.

    Returns:
        The model, as it was saved.

    Raises:
        FileNotFoundError: if the directory or one of its files is missing.
        ValueError: if the preset differs from the ``sha256`` pin or from the
            digests it records, or is malformed (see :func:`read_preset`).

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


def _checked_directory(directory: str | os.PathLike) -> Path:
    """The preset directory, after checking that it holds every required file."""
    directory = preset_directory(directory)
    if not directory.is_dir():
        shipped = list_builtin_presets()
        known = f" Presets shipped with finvision: {shipped}." if shipped else ""
        raise FileNotFoundError(f"Preset directory {str(directory)!r} does not exist.{known}")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"Preset directory {str(directory)!r} lacks {missing}; it was not written by "
            "finvision.models.save_preset or is incomplete."
        )
    return directory


def _file_digests(directory: Path) -> dict[str, str]:
    return {name: file_digest(directory / name) for name in PINNED_FILES}


def _manifest_digest(files: dict[str, str]) -> str:
    """One SHA-256 over the ``name digest`` lines of the pinned files."""
    manifest = "".join(f"{name} {files[name]}\n" for name in PINNED_FILES)
    return hashlib.sha256(manifest.encode("utf8")).hexdigest()


def _check_pin(directory: Path, pinned: str, files: dict[str, str]) -> None:
    actual = _manifest_digest(files)
    if pinned == actual:
        return
    hint = ""
    if pinned == files[WEIGHTS_FILE]:
        hint = (
            f" The pin is the digest of {WEIGHTS_FILE} alone; `sha256` pins the whole preset "
            "(config, weights, preprocessing): pin `preset_sha256` from metadata.json or "
            "models.preset_digest() once you have vetted the preset."
        )
    raise ValueError(
        f"`sha256` does not match the preset {str(directory)!r}: expected {pinned}, received "
        f"{actual}. It was not loaded (and is left as it is): it is not the pinned copy.{hint}"
    )


def _carry_other_files(directory: Path, staged: Path) -> None:
    """Copies what is not a preset file (a licence, notes) into the new version."""
    if not directory.is_dir():
        return
    for entry in directory.iterdir():
        if entry.name in PRESET_FILES:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, staged / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, staged / entry.name, follow_symlinks=False)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf8")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Preset file {str(path)!r} is not valid JSON ({error}).") from error
    if not isinstance(payload, dict):
        raise ValueError(
            f"Preset file {str(path)!r} must hold a JSON object; received a "
            f"{type(payload).__name__}."
        )
    return payload


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
| preset SHA-256 (pin with `sha256=`) | `{metadata["preset_sha256"]}` |
| finvision / Keras | {metadata["finvision_version"]} / {metadata["keras_version"]} |

Load it with no network:

```python
from finvision import models

model = models.load_preset(
    "path/to/this/directory",
    sha256="{metadata["preset_sha256"]}",
)
{reload_backbone}```
"""
