"""resolve_weights: one resolver per `weights=` source, each check done once."""

import hashlib

import keras
import numpy as np
import pytest

from finvision import models
from finvision.models import weights_source
from finvision.models.weights import file_digest
from tests.conftest import predict, write_legacy_h5

SHAPE = (32, 32, 3)
SPEC = models.get_backbone_spec("resnet18")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A backbone, its Keras weights file and a preset of it."""
    root = tmp_path_factory.mktemp("sources")
    model = models.create_backbone("resnet18", input_shape=SHAPE)
    model.get_layer("conv1_conv").kernel.assign(
        np.random.default_rng(0).normal(size=(7, 7, 3, 64)).astype("float32")
    )
    model.save_weights(root / "resnet18.weights.h5")
    return model, root / "resnet18.weights.h5", models.save_preset(model, root / "preset")


@pytest.fixture
def hashed(monkeypatch):
    """The algorithm of every hash finvision computes (file_digest goes through hashlib.new)."""
    calls, new = [], hashlib.new

    def counting(name, *args, **kwargs):
        calls.append(name)
        return new(name, *args, **kwargs)

    monkeypatch.setattr(hashlib, "new", counting)
    return calls


def test_each_source_resolves_to_its_weights_file(saved):
    _, file, preset = saved
    resolve = weights_source.resolve_weights
    assert resolve(None, SPEC) is None
    assert resolve(file, SPEC) == file
    assert resolve(str(preset), SPEC) == preset / "model.weights.h5"
    assert resolve(preset, SPEC, sha256=models.preset_digest(preset)) == preset / "model.weights.h5"


def test_a_pinned_preset_is_hashed_once_and_loads(saved, hashed):
    model, _, preset = saved
    pinned = models.preset_digest(preset)
    hashed.clear()
    reloaded = models.create_backbone("resnet18", input_shape=SHAPE, weights=preset, sha256=pinned)
    assert hashed == ["sha256"] * 3  # config.json, model.weights.h5, preprocessing.json: once each
    images = np.random.default_rng(1).uniform(0, 255, (1, *SHAPE))
    np.testing.assert_array_equal(predict(reloaded, images), predict(model, images))


def test_a_pinned_file_is_hashed_once(saved, hashed):
    _, file, _ = saved
    pinned = file_digest(file)
    hashed.clear()
    models.create_backbone("resnet18", input_shape=SHAPE, weights=file, sha256=pinned)
    assert hashed == ["sha256"]


def test_imagenet_is_not_hashed_again_after_keras_checked_it(monkeypatch, tmp_path, hashed):
    published = models.get_backbone_spec("vgg16").imagenet_weights
    reference = keras.applications.VGG16(include_top=False, weights=None, input_shape=SHAPE)
    cached = write_legacy_h5(reference, tmp_path / published.file_name)
    # Keras' get_file compares the cached file with the published hash itself.
    monkeypatch.setattr(keras.utils, "get_file", lambda fname, origin, **kwargs: str(cached))
    hashed.clear()
    model = models.create_backbone("vgg16", input_shape=SHAPE, weights="imagenet")
    assert hashed == []
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.get_layer("block5_conv3").kernel),
        keras.ops.convert_to_numpy(reference.get_layer("block5_conv3").kernel),
    )
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"`sha256` does not match the file .*expected {wrong}"):
        models.create_backbone("vgg16", input_shape=SHAPE, weights="imagenet", sha256=wrong)


@pytest.mark.parametrize(
    ("weights", "sha256", "error", "message"),
    [
        (None, "0" * 64, ValueError, r"`sha256` pins a weights file.*received weights=None"),
        (3, None, TypeError, r"`weights` must be None, 'imagenet'.*received int"),
        ("/no/such.h5", None, FileNotFoundError, r"`weights` file '/no/such\.h5' does not exist"),
        ("imagenet", None, ValueError, "no ImageNet weights are published for resnet18"),
    ],
)
def test_bad_sources_are_refused(weights, sha256, error, message):
    with pytest.raises(error, match=message):
        weights_source.resolve_weights(weights, SPEC, sha256=sha256)


def test_a_preset_of_another_model_or_architecture_is_refused(saved, tmp_path):
    model, _, preset = saved
    with pytest.raises(ValueError, match="holds a resnet18 backbone, not resnet34"):
        weights_source.resolve_weights(preset, models.get_backbone_spec("resnet34"))
    classifier = models.save_preset(models.ImageClassifier(model, 2), tmp_path / "classifier")
    with pytest.raises(ValueError, match="holds an ImageClassifier, not a backbone"):
        weights_source.resolve_weights(classifier, SPEC)
