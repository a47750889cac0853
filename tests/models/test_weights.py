"""Weight files: formats, channel adaptation, ImageNet download path, bad files."""

import hashlib

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from finvision import models
from tests.conftest import write_legacy_h5

SHAPE = (32, 32, 3)


@pytest.fixture(scope="module")
def resnet18():
    model = models.create_backbone("resnet18", input_shape=SHAPE, include_preprocessing=False)
    model.get_layer("conv1_conv").kernel.assign(
        np.random.default_rng(1).normal(size=(7, 7, 3, 64)).astype("float32")
    )
    return model


@pytest.fixture(scope="module")
def keras_weights(resnet18, tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "resnet18.weights.h5"
    resnet18.save_weights(path)
    return path


def first_kernel(model) -> np.ndarray:
    return keras.ops.convert_to_numpy(model.get_layer("conv1_conv").kernel)


def snapshot(model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(variable).copy() for variable in model.weights]


def test_adapt_input_kernel_hand_worked():
    kernel = np.arange(6, dtype="float32").reshape(1, 1, 3, 2)  # inputs R, G, B; 2 filters
    np.testing.assert_array_equal(adapt_kernel(kernel, 1)[0, 0], [[6.0, 9.0]])
    np.testing.assert_allclose(
        adapt_kernel(kernel, 4)[0, 0],
        np.array([[0, 1], [2, 3], [4, 5], [0, 1]]) * 0.75,
    )
    np.testing.assert_array_equal(adapt_kernel(kernel, 3), kernel)
    with pytest.raises(ValueError, match=r"\(kh, kw, 3, filters\).*\(1, 1, 2, 2\)"):
        adapt_kernel(np.zeros((1, 1, 2, 2)), 1)


def adapt_kernel(kernel, channels):
    return models.adapt_input_kernel(kernel, channels)


@pytest.mark.parametrize("channels", [1, 2, 4])
def test_keras_weights_file_serves_other_channel_counts(resnet18, keras_weights, channels):
    model = models.create_backbone(
        "resnet18", input_shape=(32, 32, channels), weights=keras_weights
    )
    expected = models.adapt_input_kernel(first_kernel(resnet18), channels)
    np.testing.assert_allclose(first_kernel(model), expected, rtol=1e-6)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.get_layer("conv5_block2_2_conv").kernel),
        keras.ops.convert_to_numpy(resnet18.get_layer("conv5_block2_2_conv").kernel),
    )


def test_keras_weights_file_loads_into_same_architecture(resnet18, keras_weights):
    model = models.create_backbone(
        "resnet18", input_shape=(48, 64, 3), weights=keras_weights, pooling="avg"
    )
    for loaded, saved in zip(snapshot(model), snapshot(resnet18), strict=True):
        np.testing.assert_array_equal(loaded, saved)


def test_weights_trained_on_one_channel_cannot_serve_three(tmp_path):
    gray = models.create_backbone("resnet18", input_shape=(32, 32, 1))
    gray.save_weights(tmp_path / "gray.weights.h5")
    with pytest.raises(ValueError, match="1 input channels and cannot serve 3"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights=tmp_path / "gray.weights.h5")


def test_wrong_architecture_lists_mismatching_layers_and_leaves_model_untouched(tmp_path):
    other = models.create_backbone("resnet34", input_shape=SHAPE, include_preprocessing=False)
    path = write_legacy_h5(other, tmp_path / "resnet34.h5")
    model = models.create_backbone("resnet18", input_shape=SHAPE)
    before = snapshot(model)
    with pytest.raises(ValueError) as error:
        models.weights.load_weights_file(model, path)
    message = str(error.value)
    assert "do not fit resnet18" in message
    assert "the file has 72 layers with weights, the model 40" in message
    assert "more mismatches" in message
    for after, expected in zip(snapshot(model), before, strict=True):
        np.testing.assert_array_equal(after, expected)


def test_keras_file_of_another_architecture_is_rejected(tmp_path):
    models.create_backbone("resnet34", input_shape=SHAPE).save_weights(tmp_path / "r34.weights.h5")
    with pytest.raises(ValueError, match="holds 180 variables, resnet18 has 100"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights=tmp_path / "r34.weights.h5")


def test_not_hdf5_is_rejected_and_never_modified(tmp_path):
    path = tmp_path / "weights.h5"
    path.write_bytes(b"not an hdf5 file")
    with pytest.raises(ValueError, match=r"`weights` file .*weights\.h5.* not a readable HDF5"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights=path)
    assert path.read_bytes() == b"not an hdf5 file"


def test_hdf5_without_weights_is_rejected(tmp_path):
    import h5py

    with h5py.File(tmp_path / "other.h5", "w") as file:
        file["data"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"holds no Keras weights \(top-level keys: \['data'\]\)"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights=tmp_path / "other.h5")


def test_missing_file_and_wrong_type():
    with pytest.raises(FileNotFoundError, match=r"`weights` file '/no/such\.h5' does not exist"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights="/no/such.h5")
    with pytest.raises(TypeError, match=r"`weights` must be None, 'imagenet'.*received int"):
        models.create_backbone("resnet18", input_shape=SHAPE, weights=3)


def test_imagenet_without_published_weights():
    with pytest.raises(ValueError, match="no ImageNet weights are published for resnet34"):
        models.create_backbone("resnet34", input_shape=SHAPE, weights="imagenet")


def test_imagenet_offline_names_file_hash_and_remedy(monkeypatch):
    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    spec = models.get_backbone_spec("mobilenet_v3_small")
    with pytest.raises(OSError) as error:
        models.create_backbone("mobilenet_v3_small", input_shape=SHAPE, weights="imagenet")
    message = str(error.value)
    assert spec.imagenet_weights.file_name in message
    assert "md5 d3e8ec802a04aa4fc771ee12a9a9b836" in message
    assert f"weights='/path/to/{spec.imagenet_weights.file_name}'" in message


def test_imagenet_goes_through_keras_get_file(monkeypatch, tmp_path):
    reference = keras.applications.VGG16(include_top=False, weights=None, input_shape=SHAPE)
    cached = write_legacy_h5(reference, tmp_path / "cached.h5")
    calls = []

    def cached_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs))
        return str(cached)

    monkeypatch.setattr(keras.utils, "get_file", cached_get_file)
    model = models.create_backbone("vgg16", input_shape=SHAPE, weights="imagenet")
    published = models.get_backbone_spec("vgg16").imagenet_weights
    assert calls == [
        (
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            {"file_hash": published.file_hash, "cache_subdir": "models"},
        )
    ]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.get_layer("block5_conv3").kernel),
        keras.ops.convert_to_numpy(reference.get_layer("block5_conv3").kernel),
    )


def test_corrupt_copy_of_published_file_is_detected(tmp_path):
    published = models.get_backbone_spec("resnet50").imagenet_weights
    path = tmp_path / published.file_name
    path.write_bytes(b"truncated download")
    digest = hashlib.md5(b"truncated download").hexdigest()
    with pytest.raises(ValueError, match=f"md5 is {digest}, not {published.file_hash}.*corrupt"):
        models.create_backbone("resnet50", input_shape=SHAPE, weights=path)


@settings(max_examples=30, deadline=None)
@given(
    channels=st.sampled_from([1, 3, 6, 9]),
    kernel=arrays(np.float64, (3, 3, 3, 4), elements=st.floats(-1, 1)),
)
def test_adapted_kernel_answers_equal_channels_like_rgb(channels, kernel):
    # An image with the same plane in every channel gets the RGB kernel's response
    # when the channel count is 1 or a multiple of 3.
    adapted = models.adapt_input_kernel(kernel, channels)
    np.testing.assert_allclose(adapted.sum(axis=2), kernel.sum(axis=2), atol=1e-12)
