"""Loading weights into backbones: ImageNet files, Keras weight files, adaptation.

Checks that a file is the one meant (:func:`check_sha256`,
:func:`check_weights_file`) come before it is read (:func:`read_weights_file`);
:func:`~finvision.models.weights_source.resolve_weights` picks the file that
``create_backbone(weights=...)`` names.

Two file formats are read:

- the legacy HDF5 format of the published ``keras.applications`` files (and of
  ``save_weights("*.h5")`` in Keras 2), matched to the model layer by layer in
  order, exactly as Keras loads them;
- the Keras 3 ``.weights.h5`` format, loaded with Keras' own loader: straight
  into the model when the file has the model's channel count, otherwise into a
  twin built for the file's channel count.

Legacy and channel-adapted weights are checked against the model before
anything is assigned, so a file that does not fit leaves the model untouched
and the error lists the first mismatching layers. A Keras file is first checked
for its variable count; Keras' loader then raises on the first shape that
differs. Weights for 3 input channels serve any
channel count by adapting the first convolution (:func:`adapt_input_kernel`).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from pathlib import Path

import h5py
import keras
import numpy as np

from finvision.models.backbone import Backbone
from finvision.models.registry import BackboneSpec

NamedArrays = list[tuple[str, list[np.ndarray]]]
_MAX_LISTED_PROBLEMS = 5


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    """Returns the hex digest of a file, read in chunks.

    Args:
        path: the file.
        algorithm: any ``hashlib`` algorithm name, e.g. ``"sha256"`` or ``"md5"``.

    Returns:
        The lowercase hex digest.

    Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> path.write_bytes(b"")
    0
    >>> file_digest(path)[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def as_sha256(value: object) -> str:
    """A ``sha256=`` pin as a lowercase hex digest, or a clear error.

    Args:
        value: 64 hexadecimal characters, any case.

    Returns:
        The digest in lowercase.

    Raises:
        ValueError: naming ``sha256`` and what was received, for anything else.

    Example:
    >>> as_sha256("AB" * 32)[:4]
    'abab'
    """
    if not (isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{64}", value)):
        raise ValueError(
            "`sha256` must be a SHA-256 hex digest (64 hexadecimal characters); "
            f"received {value!r}."
        )
    return value.lower()


def check_sha256(path: str | os.PathLike, sha256: str | None) -> None:
    """Checks a file against a pinned SHA-256 before it is read; None checks nothing.

    The file is only read, never modified or removed, whatever the outcome.

    Args:
        path: the file (a weights file, a preset's ``model.weights.h5``).
        sha256: the expected hex digest (64 hexadecimal characters, any case),
            or None.

    Raises:
        ValueError: if ``sha256`` is not a hex digest, or the file's digest
            differs; the message names the file and both digests.

    Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.weights.h5"
    >>> path.write_bytes(b"")
    0
    >>> check_sha256(path, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
    >>> check_sha256(path, "0" * 64)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `sha256` does not match the file '...empty.weights.h5': expected 000...
    """
    if sha256 is None:
        return
    expected, received = as_sha256(sha256), file_digest(path)
    if received != expected:
        raise ValueError(
            f"`sha256` does not match the file {str(path)!r}: expected {expected}, received "
            f"{received}. The file was not loaded (and is left as it is): it is not the "
            "pinned copy."
        )


def adapt_input_kernel(kernel: np.ndarray, channels: int) -> np.ndarray:
    """Adapts a first-layer kernel trained on RGB to another channel count.

    One channel sums the kernel over its input channels, so a gray image gives
    the response the RGB kernel gives to the same image in three equal
    channels. Other counts repeat the RGB kernel cyclically and rescale it by
    ``3 / channels`` to keep activations at the same scale (timm's
    ``adapt_input_conv`` convention).

    Args:
        kernel: a convolution kernel of shape ``(kh, kw, 3, filters)``.
        channels: the input channel count to serve.

    Returns:
        A kernel of shape ``(kh, kw, channels, filters)``.

    Raises:
        ValueError: if ``kernel`` is not a 3-input-channel convolution kernel.

    Example:
    >>> import numpy as np
    >>> adapt_input_kernel(np.ones((1, 1, 3, 2)), 1)[0, 0, :, 0].tolist()
    [3.0]
    >>> adapt_input_kernel(np.ones((1, 1, 3, 2)), 6).shape
    (1, 1, 6, 2)
    """
    if kernel.ndim != 4 or kernel.shape[2] != 3:
        raise ValueError(
            "Only a kernel of shape (kh, kw, 3, filters) can be adapted to another "
            f"channel count; received shape {kernel.shape}."
        )
    if channels == 1:
        return kernel.sum(axis=2, keepdims=True)
    repeats = math.ceil(channels / 3)
    return np.tile(kernel, (1, 1, repeats, 1))[:, :, :channels, :] * (3.0 / channels)


def fetch_imagenet_weights(spec: BackboneSpec) -> Path:
    """Returns the local path of a backbone's ImageNet weights, downloading once.

    The download goes through ``keras.utils.get_file`` into Keras' cache
    (``~/.keras/models``), checked against the published hash, so a file that
    ``keras.applications`` already downloaded is reused without network.

    Args:
        spec: the backbone's spec.

    Returns:
        The path of the cached file.

    Raises:
        ValueError: if no ImageNet weights are published for the backbone.
        OSError: if the file is not cached and cannot be downloaded; the message
            names the file and its hash and says how to pass a local copy.

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> fetch_imagenet_weights(get_backbone_spec("resnet18"))
    Traceback (most recent call last):
    ...
    ValueError: `weights='imagenet'`: no ImageNet weights are published for resnet18. ...
    """
    published = spec.imagenet_weights
    if published is None:
        raise ValueError(
            f"`weights='imagenet'`: no ImageNet weights are published for {spec.name}. "
            "Pass `weights=` a path to a .h5/.weights.h5 file or a preset directory, "
            "or `weights=None` to start from random initialisation."
        )
    try:
        path = keras.utils.get_file(
            published.file_name,
            published.origin,
            file_hash=published.file_hash,
            cache_subdir="models",
        )
    except Exception as error:
        checksum = (
            f"{published.hash_algorithm} {published.file_hash}"
            if published.file_hash
            else "no published checksum"
        )
        raise OSError(
            f"Could not get the ImageNet weights of {spec.name}: {published.file_name} "
            f"({checksum}) from {published.origin} ({error}). On a machine without "
            f"network, copy that file here and pass `weights='/path/to/{published.file_name}'`."
        ) from error
    return Path(path)


def check_weights_file(
    path: str | os.PathLike, spec: BackboneSpec, *, sha256: str | None = None
) -> Path:
    """Checks a weights file before it is read, without reading its weights.

    The file must exist and match its ``sha256`` pin; a file named like the
    spec's published ImageNet file must also have the published hash (a
    truncated download is refused). The file is never modified or removed.

    Args:
        path: the weights file.
        spec: the backbone it is meant for.
        sha256: the file's pinned SHA-256 hex digest (see :func:`check_sha256`),
            or None.

    Returns:
        The checked path.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file differs from its ``sha256`` pin or is a corrupt
            copy of the published file.

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> check_weights_file("/no/such.h5", get_backbone_spec("resnet18"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: `weights` file '/no/such.h5' does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"`weights` file {str(path)!r} does not exist.")
    check_sha256(path, sha256)
    _check_published_copy(path, spec)
    return path


def load_weights_file(
    model: Backbone, path: str | os.PathLike, *, sha256: str | None = None
) -> None:
    """Checks a weights file and loads it into a :class:`~finvision.models.Backbone`.

    :func:`check_weights_file`, then :func:`read_weights_file`.

    Args:
        model: the backbone to fill.
        path: a legacy ``.h5`` weights file (e.g. a published ImageNet file) or a
            Keras 3 ``.weights.h5`` file saved from a backbone of the same
            architecture.
        sha256: the file's pinned SHA-256 hex digest, checked before anything
            is read from it (see :func:`check_sha256`); None checks nothing.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file differs from its ``sha256`` pin, is not an HDF5
            weights file, is a corrupt copy of a published file, or does not fit
            the architecture (the message names the mismatching layers and shapes).

    Example:
    >>> import tempfile, pathlib
    >>> from finvision.models import create_backbone
    >>> source = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "resnet18.weights.h5"
    >>> source.save_weights(path)
    >>> gray = create_backbone("resnet18", input_shape=(32, 32, 1))
    >>> load_weights_file(gray, path)
    """
    read_weights_file(model, check_weights_file(path, model.spec, sha256=sha256))


def read_weights_file(model: Backbone, path: Path) -> None:
    """Reads a checked weights file into a :class:`~finvision.models.Backbone`.

    The file's origin is not checked again: ``path`` comes from
    :func:`check_weights_file` or
    :func:`~finvision.models.weights_source.resolve_weights`. Legacy and
    channel-adapted weights are checked against the model before anything is
    assigned.

    Args:
        model: the backbone to fill.
        path: a legacy ``.h5`` or a Keras 3 ``.weights.h5`` weights file.

    Raises:
        ValueError: if the file is not an HDF5 weights file or does not fit the
            architecture (the message names the mismatching layers and shapes).

    Example:
    >>> import tempfile, pathlib
    >>> from finvision.models import create_backbone
    >>> source = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "resnet18.weights.h5"
    >>> source.save_weights(path)
    >>> read_weights_file(create_backbone("resnet18", input_shape=(32, 32, 3)), path)
    """
    try:
        file = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(
            f"`weights` file {str(path)!r} is not a readable HDF5 weights file ({error})."
        ) from error
    with file:
        if "layer_names" in file.attrs or "model_weights" in file:
            named_arrays = _read_legacy_h5(file)
        elif "layers" in file:
            named_arrays = None
            channels = _first_conv_channels(file, path)
            saved_variables = _count_saved_variables(file["layers"])
        else:
            raise ValueError(
                f"`weights` file {str(path)!r} is HDF5 but holds no Keras weights "
                f"(top-level keys: {sorted(file.keys())})."
            )
    if named_arrays is None:
        if channels == model.input_shape[-1]:
            _load_keras_file(model, path, saved_variables)
            return
        named_arrays = _read_keras_weights(path, model, channels, saved_variables)
    assign_weights(model, named_arrays, source=str(path))


def assign_weights(model: keras.Model, named_arrays: NamedArrays, source: str) -> None:
    """Assigns per-layer arrays to a model's layers with weights, in order.

    Every shape is checked before anything is assigned. The first layer's
    kernel is adapted from 3 input channels to the model's channel count where
    they differ.

    Args:
        model: the model to fill.
        named_arrays: ``(source layer name, arrays)`` for each layer with weights,
            in the model's layer order.
        source: where the arrays come from, for error messages.

    Raises:
        ValueError: listing the first mismatching layers if the arrays do not fit.

    Example:
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])
    >>> assign_weights(model, [("d", [np.ones((4, 2)), np.zeros(2)])], source="example")
    >>> float(model.layers[0].kernel.numpy().sum())
    8.0
    """
    targets = [layer for layer in model.layers if layer.weights]
    problems = []
    if len(targets) != len(named_arrays):
        problems.append(
            f"the file has {len(named_arrays)} layers with weights, the model {len(targets)}"
        )
    assignments = []
    for position, (layer, (source_name, arrays)) in enumerate(
        zip(targets, named_arrays, strict=False)
    ):
        expected = [tuple(variable.shape) for variable in layer.weights]
        if position == 0:
            arrays = _adapt_first_layer(arrays, expected, source)
        received = [tuple(array.shape) for array in arrays]
        if received != expected:
            problems.append(
                f"layer {layer.name!r} expects {expected}, "
                f"file layer {source_name!r} has {received}"
            )
        assignments.append((layer, arrays))
    if problems:
        listed = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
        more = len(problems) - _MAX_LISTED_PROBLEMS
        raise ValueError(
            f"`weights` from {source} do not fit {model.name}: {listed}"
            + (f"; and {more} more mismatches." if more > 0 else ".")
        )
    for layer, arrays in assignments:
        layer.set_weights(arrays)


def _adapt_first_layer(
    arrays: list[np.ndarray], expected: list[tuple], source: str
) -> list[np.ndarray]:
    kernel = arrays[0] if arrays else None
    if kernel is None or kernel.ndim != 4 or tuple(kernel.shape) == expected[0]:
        return arrays
    file_channels, model_channels = kernel.shape[2], expected[0][2]
    if file_channels != 3:
        raise ValueError(
            f"`weights` from {source} were trained on {file_channels} input channels and "
            f"cannot serve {model_channels}: only 3-channel weights are adapted to other "
            "channel counts. Use the channel count the weights were saved with."
        )
    return [adapt_input_kernel(kernel, model_channels), *arrays[1:]]


def _check_published_copy(path: Path, spec: BackboneSpec) -> None:
    published = spec.imagenet_weights
    if published is None or published.file_hash is None or path.name != published.file_name:
        return
    digest = file_digest(path, published.hash_algorithm)
    if digest != published.file_hash:
        raise ValueError(
            f"`weights` file {str(path)!r} has the name of the published {spec.name} "
            f"weights but its {published.hash_algorithm} is {digest}, not "
            f"{published.file_hash}: the copy is corrupt or truncated. Download it again "
            f"from {published.origin}."
        )


def _decode(name: bytes | str) -> str:
    return name.decode("utf8") if isinstance(name, bytes) else str(name)


def _read_legacy_h5(file: h5py.File) -> NamedArrays:
    group = file.get("model_weights", file)
    named_arrays = []
    for layer_name in map(_decode, group.attrs["layer_names"]):
        layer_group = group[layer_name]
        weight_names = [_decode(name) for name in layer_group.attrs["weight_names"]]
        if weight_names:
            named_arrays.append(
                (layer_name, [np.asarray(layer_group[name]) for name in weight_names])
            )
    return named_arrays


def _first_conv_channels(file: h5py.File, path: Path) -> int:
    # Keras 3 keys layers by class name in layer order; every backbone starts
    # with a Conv2D, so "conv2d" is the stem and its kernel's axis 2 the channels.
    kernel = file.get("layers/conv2d/vars/0")
    if kernel is None or kernel.ndim != 4:
        raise ValueError(
            f"`weights` file {str(path)!r} holds no backbone weights: it has no "
            "first convolution kernel (layers/conv2d/vars/0)."
        )
    return int(kernel.shape[2])


def _count_saved_variables(layers: h5py.Group) -> int:
    return sum(len(group["vars"]) for group in layers.values() if "vars" in group)


def _load_keras_file(model: Backbone, path: Path, saved_variables: int) -> None:
    if saved_variables != len(model.weights):
        raise ValueError(
            f"`weights` file {str(path)!r} holds {saved_variables} variables, "
            f"{model.architecture} has {len(model.weights)}: it was saved from another "
            "architecture."
        )
    try:
        model.load_weights(path)
    except ValueError as error:
        raise ValueError(
            f"`weights` file {str(path)!r} does not fit {model.architecture}: {error}"
        ) from error


def _read_keras_weights(
    path: Path, model: Backbone, channels: int, saved_variables: int
) -> NamedArrays:
    # Weights saved for another channel count: load them into a twin built for
    # that count, then adapt the stem while assigning.
    height, width = model.input_shape[1:3]
    twin = Backbone(
        model.architecture, input_shape=(height, width, channels), include_preprocessing=False
    )
    _load_keras_file(twin, path, saved_variables)
    return [(layer.name, layer.get_weights()) for layer in twin.layers if layer.weights]
