"""Every task model is a ``models.Task``; a new task needs only its own class."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import export, models


def task_classes():
    return [
        value
        for value in vars(models).values()
        if inspect.isclass(value)
        and issubclass(value, keras.Model)
        and value is not models.Task
        and value is not models.Backbone
    ]


def test_every_task_model_is_a_task_without_its_own_from_config():
    names = sorted(cls.__name__ for cls in task_classes())
    assert names == [
        "ImageClassifier",
        "SequenceClassifier",
        "SiameseVerifier",
        "TamperSegmenter",
        "TextLineRecognizer",
        "TextZoneLocator",
    ]
    for cls in task_classes():
        assert issubclass(cls, models.Task), cls
        assert "from_config" not in vars(cls), f"{cls.__name__} repeats Task.from_config"


@keras.saving.register_keras_serializable(package="tests")
class ChequeSide(models.Task):
    """A task written outside finvision: which side of a cheque the image shows."""

    def __init__(self, backbone, sides=2, **kwargs):
        self.backbone = backbone
        images = keras.Input(backbone.input_shape[1:], name="images")
        pooled = keras.layers.GlobalAveragePooling2D()(backbone(images))
        outputs = keras.layers.Dense(sides, activation="softmax", name="side")(pooled)
        super().__init__(images, outputs, **kwargs)
        self.sides = sides

    def serving_outputs(self, images):
        return {"side_probabilities": self(images, training=False)}

    def get_config(self):
        return {**super().get_config(), "sides": self.sides}


@pytest.fixture(scope="module")
def own_task():
    keras.utils.set_random_seed(0)
    backbone = models.create_backbone("mobilenet_v3_small", input_shape=(32, 32, 3))
    backbone.trainable = False
    return ChequeSide(backbone, sides=3, name="cheque_side")


def test_own_task_round_trips_through_keras_and_presets(tmp_path, own_task):
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3)).astype("uint8")
    own_task.save(tmp_path / "side.keras")
    reloaded = keras.saving.load_model(tmp_path / "side.keras")
    assert (type(reloaded), reloaded.sides, reloaded.name) == (ChequeSide, 3, "cheque_side")
    assert not reloaded.backbone.trainable
    np.testing.assert_allclose(
        reloaded.predict(images, verbose=0), own_task.predict(images, verbose=0)
    )
    preset = ChequeSide.from_preset(own_task.save_preset(tmp_path / "preset"))
    np.testing.assert_allclose(
        preset.predict(images, verbose=0), own_task.predict(images, verbose=0)
    )


def test_own_task_exports_what_its_hook_returns(tmp_path, own_task):
    images = np.random.default_rng(1).integers(0, 256, (2, 32, 32, 3)).astype("uint8")
    path = export.to_saved_model(own_task, tmp_path / "served")
    outputs = tf.saved_model.load(str(path)).signatures["serving_default"](
        images=tf.constant(images)
    )
    assert sorted(outputs) == ["side_probabilities"]
    np.testing.assert_allclose(
        outputs["side_probabilities"].numpy(), own_task.predict(images, verbose=0), atol=1e-5
    )
