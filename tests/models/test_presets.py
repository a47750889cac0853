"""Presets: round trip for every backbone, integrity, and never overwriting files."""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from finvision import models
from tests.conftest import predict

ALL = models.list_backbones()


@pytest.mark.parametrize("name", ALL)
def test_preset_round_trip(name, backbone_case, images, tmp_path):
    original = backbone_case(name).with_preprocessing
    directory = models.save_preset(original, tmp_path / name)
    reloaded = models.create_backbone(name, input_shape=(64, 64, 3), weights=directory)
    np.testing.assert_array_equal(predict(reloaded, images), predict(original, images))


@pytest.fixture(scope="module")
def preset(tmp_path_factory):
    model = models.create_backbone("resnet18", input_shape=(32, 32, 3), pooling="avg")
    return model, models.save_preset(model, tmp_path_factory.mktemp("presets") / "resnet18")


def test_preset_files_describe_the_model(preset):
    model, directory = preset
    metadata = json.loads((directory / "metadata.json").read_text())
    digest = models.weights.file_digest(directory / "model.weights.h5")
    assert metadata["weights_sha256"] == digest
    assert digest in (directory / "README.md").read_text()
    preprocessing = json.loads((directory / "preprocessing.json").read_text())
    assert preprocessing == {
        "mode": "torch",
        "mean": [0.485, 0.456, 0.406],
        "std": [0.229, 0.224, 0.225],
        "inside_model": True,
    }
    reloaded = models.load_preset(directory)
    assert reloaded.get_config() == model.get_config()
    inputs = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3))
    np.testing.assert_array_equal(predict(reloaded, inputs), predict(model, inputs))


def test_preset_never_overwrites_without_permission(preset, tmp_path):
    model, _ = preset
    directory = tmp_path / "preset"
    directory.mkdir()
    (directory / "notes.txt").write_text("user notes")
    models.save_preset(model, directory)
    weights_before = (directory / "model.weights.h5").read_bytes()
    with pytest.raises(FileExistsError, match=r"already holds preset files.*overwrite=True"):
        models.save_preset(model, directory)
    assert (directory / "model.weights.h5").read_bytes() == weights_before
    models.save_preset(model, directory, overwrite=True)
    assert (directory / "notes.txt").read_text() == "user notes"


def test_corrupt_preset_weights_are_detected(preset, tmp_path):
    model, _ = preset
    directory = models.save_preset(model, tmp_path / "preset")
    weights = directory / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"SHA-256 .* but the preset records .*corrupt"):
        models.create_backbone("resnet18", input_shape=(32, 32, 3), weights=directory)


def test_preset_of_another_architecture_is_rejected(preset):
    _, directory = preset
    with pytest.raises(ValueError, match="holds a resnet18 backbone, not resnet34"):
        models.create_backbone("resnet34", input_shape=(32, 32, 3), weights=directory)


def test_incomplete_preset_and_wrong_model(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(
        FileNotFoundError,
        match=r"lacks \['model.weights.h5', 'preprocessing.json', 'metadata.json'\]",
    ):
        models.read_preset(tmp_path)
    with pytest.raises(TypeError, match=r"finvision Backbone or a task.*received Sequential"):
        models.save_preset(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), tmp_path)


def test_shipped_presets_load_by_name(tmp_path, monkeypatch):
    from finvision.models import presets

    shipped = tmp_path / "shipped"
    model = models.create_backbone("resnet18", input_shape=(32, 32, 1), weights=None)
    models.save_preset(model, shipped / "tiny")
    monkeypatch.setattr(presets, "BUILTIN_PRESETS", shipped)
    assert presets.list_builtin_presets() == ["tiny"]
    assert presets.preset_directory("tiny") == shipped / "tiny"
    reloaded = models.load_preset("tiny")
    image = np.zeros((1, 32, 32, 1), "float32")
    np.testing.assert_array_equal(reloaded.predict_on_batch(image), model.predict_on_batch(image))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny").mkdir()  # a local directory of the same name wins
    assert presets.preset_directory("tiny") == Path("tiny")
    with pytest.raises(FileNotFoundError, match=r"does not exist. Presets shipped .*\['tiny'\]"):
        models.load_preset("missing")
