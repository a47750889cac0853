"""`.keras` files reload every backbone with safe_mode=True and identical outputs."""

import keras
import numpy as np
import pytest

from finvision import models
from tests.conftest import predict

ALL = models.list_backbones()


@pytest.mark.parametrize("name", ALL)
def test_keras_file_round_trip(name, backbone_case, images, tmp_path):
    original = backbone_case(name).with_preprocessing
    original.save(tmp_path / f"{name}.keras")
    reloaded = keras.saving.load_model(tmp_path / f"{name}.keras", safe_mode=True)
    assert isinstance(reloaded, models.Backbone)
    assert sorted(reloaded.pyramid_outputs) == ["P1", "P2", "P3", "P4", "P5"]
    np.testing.assert_array_equal(predict(reloaded, images), predict(original, images))


def test_round_trip_keeps_every_argument(tmp_path):
    original = models.create_backbone(
        "mobilenet_v3_small",
        input_shape=(32, 48, 1),
        features_only=True,
        out_levels=(2, 5),
        trainable=False,
        bn_momentum=0.9,
        dtype="mixed_float16",
        name="gray_features",
    )
    original.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    assert reloaded.get_config() == original.get_config()
    assert reloaded.name == "gray_features"
    assert not reloaded.trainable_weights
    assert reloaded.get_layer("conv").compute_dtype == "float16"
    inputs = np.random.default_rng(0).integers(0, 256, (2, 32, 48, 1), dtype="uint8")
    outputs, expected = reloaded(inputs), original(inputs)
    assert sorted(outputs) == ["P2", "P5"]
    for level in outputs:
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(outputs[level]), keras.ops.convert_to_numpy(expected[level])
        )
