"""Every registered backbone against keras.applications (or published counts)."""

import keras
import numpy as np
import pytest

from finvision import models
from tests.conftest import predict, torch_preprocess

ALL = models.list_backbones()
# Published parameter counts without the classification head (torchvision layout).
BASIC_RESNET_TRAINABLE = {"resnet18": 11_176_512, "resnet34": 21_284_672}


def count(weights) -> int:
    return sum(int(np.prod(variable.shape)) for variable in weights)


def assert_close(actual: np.ndarray, expected: np.ndarray, tolerance: float = 1e-5) -> None:
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tolerance * scale)


def test_all_contract_names_are_registered():
    contract = """resnet18 resnet34 resnet50 resnet101 resnet152 resnet50_v2 resnet101_v2
    resnet152_v2 vgg16 vgg19 mobilenet_v1 mobilenet_v2 mobilenet_v3_small mobilenet_v3_large"""
    assert sorted(contract.split()) == ALL


@pytest.mark.parametrize("name", ALL)
def test_parameter_counts_match_reference(name, backbone_case):
    case = backbone_case(name)
    model = case.without_preprocessing
    if name in BASIC_RESNET_TRAINABLE:
        assert count(model.trainable_weights) == BASIC_RESNET_TRAINABLE[name]
        # BatchNormalization moving mean and variance: 2 per trainable scale/offset pair.
        bn_channels = sum(
            layer.gamma.shape[0]
            for layer in model.layers
            if isinstance(layer, keras.layers.BatchNormalization)
        )
        assert count(model.non_trainable_weights) == 2 * bn_channels
    else:
        assert count(model.trainable_weights) == count(case.reference.trainable_weights)
        assert count(model.non_trainable_weights) == count(case.reference.non_trainable_weights)
    assert count(case.with_preprocessing.weights) == count(model.weights)


@pytest.mark.parametrize("name", ALL)
def test_same_weights_give_same_outputs(name, backbone_case, images):
    case = backbone_case(name)
    expected = predict(case.reference, case.reference_preprocess(images))
    assert_close(predict(case.with_preprocessing, images), expected)
    assert_close(predict(case.with_preprocessing, images.astype("float32")), expected)


def normalise_by_hand(images: np.ndarray, mode: str) -> np.ndarray:
    """The three ImageNet conventions, written out independently of the library."""
    pixels = images.astype("float32")
    if mode == "caffe":
        return pixels[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype="float32")
    if mode == "tf":
        return pixels / 127.5 - 1.0
    return torch_preprocess(pixels)


@pytest.mark.parametrize("name", ALL)
def test_without_preprocessing_takes_normalised_input(name, backbone_case, images):
    case = backbone_case(name)
    normalised = normalise_by_hand(images, case.spec.preprocessing.mode)
    expected = predict(case.reference, case.reference_preprocess(images))
    assert_close(predict(case.without_preprocessing, normalised), expected)


@pytest.mark.parametrize("name", ALL)
def test_pyramid_levels_have_strides_2_to_32(name, backbone_case):
    case = backbone_case(name)
    for level in range(1, 6):
        feature_map = case.with_preprocessing.pyramid_outputs[f"P{level}"]
        size = 64 // 2**level
        assert tuple(feature_map.shape) == (
            None,
            size,
            size,
            case.spec.pyramid_channels[f"P{level}"],
        )
    assert case.with_preprocessing.pyramid_outputs["P5"] is case.with_preprocessing.output


@pytest.mark.parametrize("name", ALL)
def test_grayscale_with_loaded_weights_sums_first_kernel(name, backbone_case, images):
    case = backbone_case(name)
    gray = models.create_backbone(
        name, input_shape=(64, 64, 1), weights=case.legacy_weights, include_preprocessing=False
    )
    plane = case.reference_preprocess(images)[..., :1]
    expected = predict(case.without_preprocessing, np.repeat(plane, 3, axis=-1))
    assert_close(predict(gray, plane), expected, tolerance=1e-4)
