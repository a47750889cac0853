"""Security: weights pinned by SHA-256, no unsafe deserialization, bounded image decoding."""

import ast
import hashlib
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import finvision
from finvision import data, models
from finvision.models.weights import file_digest
from tests.conftest import predict

PACKAGE = Path(finvision.__file__).parent
SHAPE = (32, 32, 3)
IMAGES = np.random.default_rng(0).integers(0, 256, (2, *SHAPE), dtype="uint8")

# === Source audit ===

PICKLE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "shelve"}
LOADERS_WITH_SAFE_MODE = {"load_model", "deserialize_keras_object", "model_from_json"}
UNSAFE_CALLS = {
    "eval",
    "exec",
    "builtins.eval",
    "builtins.exec",
    "yaml.load",
    "yaml.unsafe_load",
    "yaml.full_load",
    "keras.config.enable_unsafe_deserialization",
    "config.enable_unsafe_deserialization",
}
TRUE = ast.Constant(True)  # Keras' default for safe_mode


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a name or attribute chain, '' for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def unsafe_calls(source: str, filename: str) -> list[str]:
    """Unsafe deserialization and code execution in one module's source, as ``file:line what``.

    Flags: importing or calling pickle-like modules; calling ``eval`` or
    ``exec``; ``allow_pickle=`` other than a literal False; ``yaml.load`` and
    ``yaml.unsafe_load``; ``safe_mode=`` other than a literal True on Keras
    loaders; ``keras.config.enable_unsafe_deserialization()``.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names if a.name in PICKLE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in PICKLE_MODULES:
            found.append(f"{where} imports from {node.module}")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if name in UNSAFE_CALLS or name.split(".", 1)[0] in PICKLE_MODULES:
            found.append(f"{where} calls {name}")
        allow_pickle = keywords.get("allow_pickle", ast.Constant(False))
        if not (isinstance(allow_pickle, ast.Constant) and allow_pickle.value is False):
            found.append(f"{where} passes allow_pickle to {name}")
        if last in LOADERS_WITH_SAFE_MODE and not _is_true(keywords.get("safe_mode", TRUE)):
            found.append(f"{where} passes safe_mode other than True to {name}")
        if last in LOADERS_WITH_SAFE_MODE and None in keywords:
            found.append(f"{where} passes **kwargs to {name}: safe_mode cannot be checked")
    return found


UNSAFE_EXAMPLE = """
import pickle
from marshal import loads
import keras, numpy as np, yaml
eval("1")
exec("x = 1")
pickle.loads(b"")
np.load("a.npy", allow_pickle=True)
np.load("a.npy", allow_pickle=False)
yaml.load("a: 1")
yaml.safe_load("a: 1")
keras.saving.load_model("m.keras", safe_mode=False)
keras.models.load_model("m.keras", safe_mode=flag)
keras.saving.load_model("m.keras", safe_mode=True)
keras.saving.load_model("m.keras")
keras.saving.deserialize_keras_object({}, safe_mode=False)
keras.config.enable_unsafe_deserialization()
keras.saving.load_model("m.keras", **options)
model.evaluate(x)  # a method named like eval is fine
"""


def test_the_audit_finds_each_unsafe_construct():
    assert unsafe_calls(UNSAFE_EXAMPLE, "example.py") == [
        "example.py:2 imports pickle",
        "example.py:3 imports from marshal",
        "example.py:5 calls eval",
        "example.py:6 calls exec",
        "example.py:7 calls pickle.loads",
        "example.py:8 passes allow_pickle to np.load",
        "example.py:10 calls yaml.load",
        "example.py:12 passes safe_mode other than True to keras.saving.load_model",
        "example.py:13 passes safe_mode other than True to keras.models.load_model",
        "example.py:16 passes safe_mode other than True to keras.saving.deserialize_keras_object",
        "example.py:17 calls keras.config.enable_unsafe_deserialization",
        "example.py:18 passes **kwargs to keras.saving.load_model: safe_mode cannot be checked",
    ]


def test_no_module_deserializes_unsafely_or_executes_strings():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50  # the whole package, not an empty glob
    found = [
        finding
        for module in modules
        for finding in unsafe_calls(
            module.read_text(encoding="utf8"), str(module.relative_to(PACKAGE.parent))
        )
    ]
    assert found == []


# === Pinned weights ===


@pytest.fixture(scope="module")
def pinned(tmp_path_factory):
    """A weights file and a preset directory of one trained-looking backbone, with digests."""
    directory = tmp_path_factory.mktemp("pinned")
    source = models.create_backbone("resnet18", input_shape=SHAPE, pooling="avg")
    source.get_layer("conv1_conv").kernel.assign(
        np.random.default_rng(1).normal(size=source.get_layer("conv1_conv").kernel.shape)
    )
    weights = directory / "resnet18.weights.h5"
    source.save_weights(weights)
    preset = models.save_preset(source, directory / "preset")
    return {
        "source": source,
        "file": weights,
        "file_sha256": file_digest(weights),
        "preset": preset,
        "preset_sha256": whole_preset_digest(preset),
        "preset_weights_sha256": file_digest(preset / "model.weights.h5"),
    }


def whole_preset_digest(preset: Path) -> str:
    """The documented pin: SHA-256 of the ``name digest`` lines of the three pinned files."""
    lines = "".join(
        f"{name} {file_digest(preset / name)}\n"
        for name in ("config.json", "model.weights.h5", "preprocessing.json")
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def _snapshot(path: Path) -> tuple[str, int]:
    return file_digest(path), os.stat(path).st_mtime_ns


def test_matching_pin_loads_a_weights_file_and_a_preset(pinned):
    expected = predict(pinned["source"], IMAGES)
    for weights, digest in ((pinned["file"], "file_sha256"), (pinned["preset"], "preset_sha256")):
        backbone = models.create_backbone(
            "resnet18",
            input_shape=SHAPE,
            pooling="avg",
            weights=weights,
            sha256=pinned[digest].upper(),  # hex digests compare in any case
        )
        np.testing.assert_array_equal(predict(backbone, IMAGES), expected)
    reloaded = models.load_preset(pinned["preset"], sha256=pinned["preset_sha256"])
    np.testing.assert_array_equal(predict(reloaded, IMAGES), expected)
    recorded = models.read_preset(pinned["preset"], sha256=pinned["preset_sha256"])
    assert recorded.metadata["preset_sha256"] == pinned["preset_sha256"]
    assert recorded.metadata["weights_sha256"] == pinned["preset_weights_sha256"]
    assert models.preset_digest(pinned["preset"]) == pinned["preset_sha256"]


def test_mismatching_pin_refuses_a_weights_file_untouched(pinned):
    path, wrong = pinned["file"], "ab" * 32
    before = _snapshot(path)
    with pytest.raises(ValueError) as caught:
        models.create_backbone("resnet18", input_shape=SHAPE, weights=path, sha256=wrong)
    assert str(caught.value).startswith(
        f"`sha256` does not match the file {str(path)!r}: expected {wrong}, "
        f"received {pinned['file_sha256']}."
    )
    assert _snapshot(path) == before


def test_mismatching_pin_refuses_a_preset_untouched(pinned):
    wrong = "0" * 64
    before = {path.name: _snapshot(path) for path in pinned["preset"].iterdir()}
    expected = (
        rf"`sha256` does not match the preset '{pinned['preset']}': expected {wrong}, "
        rf"received {pinned['preset_sha256']}\."
    )
    loaders = [
        lambda: models.create_backbone(
            "resnet18", input_shape=SHAPE, weights=pinned["preset"], sha256=wrong
        ),
        lambda: models.load_preset(pinned["preset"], sha256=wrong),
        lambda: models.ImageClassifier.from_preset(pinned["preset"], sha256=wrong),
    ]
    for load in loaders:
        with pytest.raises(ValueError, match=expected):
            load()
    assert {path.name: _snapshot(path) for path in pinned["preset"].iterdir()} == before


def test_a_pin_of_the_weights_alone_is_refused_with_the_whole_preset_digest(pinned):
    with pytest.raises(ValueError, match=r"The pin is the digest of model.weights.h5 alone"):
        models.load_preset(pinned["preset"], sha256=pinned["preset_weights_sha256"])


def _copy_of_preset(pinned, tmp_path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(pinned["preset"], copy)
    return copy


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda config: config["config"].update(pooling="max"), id="architecture"),
        pytest.param(lambda config: config.update(name="swapped"), id="name"),
    ],
)
def test_an_edited_config_is_refused_with_and_without_a_pin(pinned, tmp_path, edit):
    copy = _copy_of_preset(pinned, tmp_path)
    config = json.loads((copy / "config.json").read_text())
    edit(config)
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"`sha256` does not match the preset"):
        models.load_preset(copy, sha256=pinned["preset_sha256"])
    with pytest.raises(
        ValueError, match=r"config.json' has SHA-256 .*, but the preset records .*altered"
    ):
        models.load_preset(copy)


def test_unknown_format_versions_and_malformed_files_get_clear_errors(pinned, tmp_path):
    copy = _copy_of_preset(pinned, tmp_path)
    metadata = json.loads((copy / "metadata.json").read_text())
    for version in (999, True, "2"):
        (copy / "metadata.json").write_text(json.dumps({**metadata, "format_version": version}))
        with pytest.raises(ValueError, match=rf"version {version!r}; this finvision .* \[1, 2\]"):
            models.read_preset(copy)
    (copy / "metadata.json").write_text("[]")
    with pytest.raises(ValueError, match=r"json' must hold a JSON object; received a list"):
        models.read_preset(copy)
    (copy / "metadata.json").write_text(json.dumps({**metadata, "files": []}))
    with pytest.raises(ValueError, match=r"no manifest of file digests"):
        models.read_preset(copy)
    # A manifest that leaves out a file would let that file be edited unnoticed.
    files = {name: digest for name, digest in metadata["files"].items() if name != "config.json"}
    (copy / "metadata.json").write_text(json.dumps({**metadata, "files": files}))
    with pytest.raises(ValueError, match=r"records no digest of \['config.json'\] in metadata"):
        models.read_preset(copy)


def test_a_pin_that_is_not_a_digest_or_has_no_weights_is_refused(pinned):
    with pytest.raises(ValueError, match=r"`sha256` must be a SHA-256 hex digest .*'md5:12'"):
        models.load_preset(pinned["preset"], sha256="md5:12")
    with pytest.raises(ValueError, match=r"`sha256` pins a weights file.*received weights=None"):
        models.create_backbone("resnet18", input_shape=SHAPE, sha256=pinned["file_sha256"])


# === Decompression bombs ===


def _png_header_only(width: int, height: int) -> bytes:
    """A grayscale PNG that declares ``width x height`` but holds one compressed row."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * (width + 1))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)


@pytest.mark.parametrize(
    ("side", "reason"),
    [
        # Over Pillow's default limit: finvision's own check, before any decoding.
        (10_000, r"10000 x 10000 = 100,000,000 pixels exceeds PIL.Image.MAX_IMAGE_PIXELS"),
        # Over twice the limit: Pillow itself refuses to open it.
        (20_000, r"\(Image size \(400000000 pixels\) exceeds limit"),
    ],
)
def test_load_image_refuses_a_decompression_bomb(side, reason, tmp_path):
    # A few hundred bytes that would take side * side bytes once decoded.
    # tests/data/test_bad_files.py covers the dataset loaders at a lowered limit.
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(side, side))
    assert path.stat().st_size < 2_000 and Image.MAX_IMAGE_PIXELS == 89_478_485
    with pytest.raises(
        data.UnreadableImageError, match=rf"bomb.png': decompression bomb.*{reason}"
    ):
        data.load_image(path)
