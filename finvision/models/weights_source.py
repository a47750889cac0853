"""The ``weights=`` argument, resolved in one place to a checked local file.

:func:`resolve_weights` turns each kind of source into the path of a weights
file that has passed every check that source has, each done once; the caller
then reads it with :func:`~finvision.models.weights.read_weights_file`:

- None: nothing to load;
- ``"imagenet"``: Keras' download into its cache, checked by Keras against the
  published hash, and against a ``sha256`` pin;
- a file: it must exist, match a ``sha256`` pin, and, if it is named like the
  published ImageNet file, the published hash;
- a preset directory: its files are hashed once and checked against the pin
  and its manifest, and it must hold a backbone of the same architecture.
"""

from __future__ import annotations

import os
from pathlib import Path

from finvision.models.presets import read_preset
from finvision.models.registry import BackboneSpec
from finvision.models.weights import check_sha256, check_weights_file, fetch_imagenet_weights

#: What ``weights=`` accepts: None, ``"imagenet"``, a weights file or a preset directory.
WeightsSource = str | os.PathLike | None


def resolve_weights(
    weights: WeightsSource, spec: BackboneSpec, *, sha256: str | None = None
) -> Path | None:
    """Resolves a ``weights=`` argument to a checked local weights file.

    Nothing is downloaded unless ``weights="imagenet"`` and the file is not in
    Keras' cache; no file is modified or removed.

    Args:
        weights: None, ``"imagenet"``, a path to a ``.h5`` or ``.weights.h5``
            file, or a preset directory written by
            :func:`finvision.models.save_preset`.
        spec: the backbone the weights are for.
        sha256: pins the weights: the SHA-256 hex digest of the file (or the
            cached ImageNet file), or for a preset its
            :func:`~finvision.models.preset_digest`; None checks nothing beyond
            the published hashes and a preset's recorded digests.

    Returns:
        The weights file to read, or None for ``weights=None``.

    Raises:
        TypeError: if ``weights`` is none of the above.
        FileNotFoundError: if a file or preset does not exist.
        ValueError: for a ``sha256`` pin without weights or that differs, a
            corrupt copy, a preset of another model or architecture, or a
            backbone with no published ImageNet weights.
        OSError: if ImageNet weights are neither cached nor downloadable.

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> spec = get_backbone_spec("resnet18")
    >>> resolve_weights(None, spec) is None
    True
    >>> resolve_weights("/models/missing.weights.h5", spec)
    Traceback (most recent call last):
    ...
    FileNotFoundError: `weights` file '/models/missing.weights.h5' does not exist.
    """
    if sha256 is not None and weights is None:
        raise ValueError(
            "`sha256` pins a weights file; pass `weights=` a file, a preset directory or "
            "'imagenet' with it; received weights=None."
        )
    if weights is None:
        return None
    if weights == "imagenet":
        # Keras' get_file has checked the published hash of the cached file.
        path = fetch_imagenet_weights(spec)
        check_sha256(path, sha256)
        return path
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError(
            "`weights` must be None, 'imagenet', a weights file path or a preset "
            f"directory; received {type(weights).__name__}."
        )
    if Path(weights).is_dir():
        return _preset_weights(weights, spec.name, sha256)
    return check_weights_file(weights, spec, sha256=sha256)


def _preset_weights(directory: str | os.PathLike, architecture: str, sha256: str | None) -> Path:
    preset = read_preset(directory, sha256=sha256)
    if preset.config.get("class_name") != "Backbone":
        raise ValueError(
            f"`weights` preset {str(directory)!r} holds an {preset.config.get('class_name')}, "
            "not a backbone: reload it with its class's from_preset(), or write its "
            "backbone with save_preset(model.backbone, directory)."
        )
    saved = preset.config["config"]["architecture"]
    if saved != architecture:
        raise ValueError(
            f"`weights` preset {str(directory)!r} holds a {saved} backbone, not "
            f"{architecture}. Use create_backbone({saved!r}, ...) or "
            "finvision.models.load_preset()."
        )
    return preset.weights_path
