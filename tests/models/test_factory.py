"""create_backbone arguments, registry lookups and their errors."""

import keras
import numpy as np
import pytest

from finvision import models

SHAPE = (32, 32, 3)


@pytest.fixture(scope="module")
def features():
    return models.create_backbone(
        "mobilenet_v2", input_shape=(64, 96, 3), features_only=True, out_levels=(1, 3, 5)
    )


def test_list_backbones_patterns():
    assert models.list_backbones("vgg*") == ["vgg16", "vgg19"]
    assert models.list_backbones("resnet??") == ["resnet18", "resnet34", "resnet50"]
    assert models.list_backbones("*_v2") == [
        "mobilenet_v2",
        "resnet101_v2",
        "resnet152_v2",
        "resnet50_v2",
    ]
    assert models.list_backbones("VGG*") == []


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("resnet5", "resnet50"),
        ("ResNet50", "resnet50"),
        ("mobilenetv3_small", "mobilenet_v3_small"),
    ],
)
def test_unknown_name_lists_closest(name, closest):
    with pytest.raises(ValueError, match=f"Unknown backbone '{name}'. Closest names: {closest}"):
        models.create_backbone(name)
    with pytest.raises(ValueError, match=closest):
        models.get_backbone_spec(name)


def test_spec_is_frozen_and_complete():
    spec = models.get_backbone_spec("mobilenet_v3_large")
    assert spec.family == "mobilenet"
    assert spec.default_input_size == (224, 224)
    assert spec.preprocessing == models.Preprocessing("tf")
    assert dict(spec.pyramid_channels) == {"P1": 16, "P2": 24, "P3": 40, "P4": 112, "P5": 960}
    assert spec.keras_application == "MobileNetV3Large"
    assert spec.imagenet_weights.file_hash == "07fb09a5933dd0c8eaafa16978110389"
    assert spec.default_bn_momentum == 0.999
    with pytest.raises(AttributeError):
        spec.name = "other"


@pytest.mark.parametrize(
    ("input_shape", "message"),
    [
        ((224, 224), r"\(height, width, channels\).*rank 2"),
        ((1, 224, 224, 3), "rank 4"),
        ((16, 64, 3), "too small for resnet18.*at least 32"),
        ((3, 224, 224), "channels-first"),
        ((64, 64, 0), "channel count >= 1"),
    ],
)
def test_bad_input_shape(input_shape, message):
    with pytest.raises(ValueError, match=message):
        models.create_backbone("resnet18", input_shape=input_shape)


@pytest.mark.parametrize("out_levels", [(0, 3), (3, 6), (3, 3), ()])
def test_bad_out_levels(out_levels):
    with pytest.raises(ValueError, match="`out_levels` must be distinct pyramid levels"):
        models.create_backbone(
            "resnet18", input_shape=SHAPE, features_only=True, out_levels=out_levels
        )


def test_bad_pooling():
    with pytest.raises(ValueError, match=r"`pooling` must be one of \(None, 'avg', 'max'\)"):
        models.create_backbone("resnet18", input_shape=SHAPE, pooling="mean")
    with pytest.raises(ValueError, match="cannot be combined with `features_only=True`"):
        models.create_backbone("resnet18", input_shape=SHAPE, pooling="avg", features_only=True)


def test_features_only_outputs_requested_levels(features):
    outputs = features(np.zeros((1, 64, 96, 3), dtype="uint8"))
    assert {level: tuple(value.shape) for level, value in outputs.items()} == {
        "P1": (1, 32, 48, 96),
        "P3": (1, 8, 12, 192),
        "P5": (1, 2, 3, 1280),
    }


def test_pooling_reduces_the_final_map():
    inputs = np.random.default_rng(0).uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    plain = models.create_backbone("resnet18", input_shape=(64, 64, 3))
    final_map = keras.ops.convert_to_numpy(plain(inputs))
    for pooling, reduce in (("avg", np.mean), ("max", np.max)):
        pooled = models.create_backbone("resnet18", input_shape=(64, 64, 3), pooling=pooling)
        pooled.set_weights(plain.get_weights())
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(pooled(inputs)), reduce(final_map, axis=(1, 2)), atol=1e-5
        )


def test_variable_input_size():
    model = models.create_backbone("resnet18", input_shape=(None, None, 1), pooling="avg")
    assert tuple(model(np.zeros((1, 64, 160, 1))).shape) == (1, 512)
    assert tuple(model(np.zeros((1, 32, 32, 1))).shape) == (1, 512)


def test_trainable_false_freezes_every_weight():
    model = models.create_backbone("resnet18", input_shape=SHAPE, trainable=False)
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == len(model.weights)


def test_name_and_default_name():
    assert models.create_backbone("resnet18", input_shape=SHAPE).name == "resnet18"
    assert models.create_backbone("resnet18", input_shape=SHAPE, name="kyc").name == "kyc"


def batch_norms(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]


def test_batchnorm_conventions_and_override():
    resnet18 = models.create_backbone("resnet18", input_shape=SHAPE)
    assert {(bn.momentum, bn.epsilon) for bn in batch_norms(resnet18)} == {(0.9, 1e-5)}
    small = models.create_backbone("mobilenet_v3_small", input_shape=SHAPE)
    assert {bn.momentum for bn in batch_norms(small)} == {0.999}
    tuned = models.create_backbone("mobilenet_v3_small", input_shape=SHAPE, bn_momentum=0.9)
    assert {bn.momentum for bn in batch_norms(tuned)} == {0.9}


def test_mixed_float16_policy_keeps_normalisation_float32():
    before = keras.config.dtype_policy().name
    model = models.create_backbone("resnet18", input_shape=SHAPE, dtype="mixed_float16")
    assert keras.config.dtype_policy().name == before
    assert model.get_layer("normalization").compute_dtype == "float32"
    assert model.get_layer("conv1_conv").compute_dtype == "float16"
    assert model.get_layer("conv1_conv").kernel.dtype == "float32"
    assert keras.ops.convert_to_numpy(model(np.zeros((1, *SHAPE), "uint8"))).dtype == np.float16


def test_mixed_precision_stays_close_to_float32():
    inputs = np.random.default_rng(0).integers(0, 256, (2, *SHAPE), dtype="uint8")
    full = models.create_backbone("resnet18", input_shape=SHAPE, pooling="avg")
    mixed = models.create_backbone(
        "resnet18", input_shape=SHAPE, pooling="avg", dtype="mixed_float16"
    )
    mixed.set_weights(full.get_weights())
    expected = keras.ops.convert_to_numpy(full(inputs))
    actual = keras.ops.convert_to_numpy(mixed(inputs)).astype("float32")
    np.testing.assert_allclose(actual, expected, atol=0.05 * float(np.abs(expected).max()))
