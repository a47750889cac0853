"""Shared fixtures: every backbone is built once per session and reused."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dataclasses
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format

from finvision import models

SIZE = 64


@dataclasses.dataclass
class BackboneCase:
    """One backbone with a reference model and the same weights in legacy HDF5."""

    name: str
    spec: models.BackboneSpec
    reference: keras.Model
    reference_preprocess: object
    legacy_weights: Path
    with_preprocessing: models.Backbone
    without_preprocessing: models.Backbone


def randomize(model: keras.Model, seed: int) -> None:
    """Gives BatchNormalization non-trivial statistics and moves every weight a bit."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = []
        for variable in layer.weights:
            value = np.asarray(variable)
            if "moving_variance" in variable.path:
                value = rng.uniform(0.5, 1.5, value.shape)
            elif "moving_mean" in variable.path or "beta" in variable.path:
                value = rng.normal(0.0, 0.1, value.shape)
            elif "gamma" in variable.path:
                value = rng.uniform(0.8, 1.2, value.shape)
            else:
                value = value + rng.normal(0.0, 0.01, value.shape)
            values.append(value.astype("float32"))
        if values:
            layer.set_weights(values)


def write_legacy_h5(model: keras.Model, path: Path) -> Path:
    """Writes weights in the format of the published keras.applications files."""
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, model)
    return path


def predict(model: keras.Model, inputs) -> np.ndarray:
    """Runs a model in inference mode and returns NumPy."""
    return keras.ops.convert_to_numpy(model(inputs, training=False))


def torch_preprocess(images: np.ndarray) -> np.ndarray:
    """ImageNet normalisation as torchvision applies it, written out by hand."""
    mean = np.array([0.485, 0.456, 0.406], dtype="float32")
    std = np.array([0.229, 0.224, 0.225], dtype="float32")
    return (images.astype("float32") / 255.0 - mean) / std


# keras.applications module of each constructor, for its preprocess_input.
_KERAS_MODULES = {
    "ResNet": "resnet",
    "ResNet50V2": "resnet_v2",
    "ResNet101V2": "resnet_v2",
    "ResNet152V2": "resnet_v2",
    "VGG16": "vgg16",
    "VGG19": "vgg19",
    "MobileNet": "mobilenet",
    "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Small": "mobilenet_v3",
    "MobileNetV3Large": "mobilenet_v3",
}


def keras_preprocess_input(constructor: str):
    """The keras.applications preprocess_input for a constructor, on a float copy."""
    key = "ResNet" if constructor in ("ResNet50", "ResNet101", "ResNet152") else constructor
    module = getattr(keras.applications, _KERAS_MODULES[key])
    return lambda images: module.preprocess_input(images.astype("float32").copy())


def _build_case(name: str, directory: Path) -> BackboneCase:
    spec = models.get_backbone_spec(name)
    shape = (SIZE, SIZE, 3)
    if spec.keras_application:
        reference = getattr(keras.applications, spec.keras_application)(
            include_top=False, weights=None, input_shape=shape
        )
        preprocess = keras_preprocess_input(spec.keras_application)
    else:
        reference = models.create_backbone(name, input_shape=shape, include_preprocessing=False)
        preprocess = torch_preprocess
    randomize(reference, seed=len(name))
    path = write_legacy_h5(reference, directory / f"{name}.h5")
    return BackboneCase(
        name=name,
        spec=spec,
        reference=reference,
        reference_preprocess=preprocess,
        legacy_weights=path,
        with_preprocessing=models.create_backbone(name, input_shape=shape, weights=path),
        without_preprocessing=models.create_backbone(
            name, input_shape=shape, weights=path, include_preprocessing=False
        ),
    )


@pytest.fixture(scope="session")
def backbone_case(tmp_path_factory):
    """Returns a function name -> BackboneCase, building each case once."""
    cache: dict[str, BackboneCase] = {}
    directory = tmp_path_factory.mktemp("legacy_weights")

    def get(name: str) -> BackboneCase:
        if name not in cache:
            cache[name] = _build_case(name, directory)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def images() -> np.ndarray:
    """Two raw uint8 RGB images."""
    return np.random.default_rng(0).integers(0, 256, (2, SIZE, SIZE, 3), dtype="uint8")


#: The deeper ResNets repeat the blocks of ResNet-50 (v1 and v2) more times: the same
#: code, checked against keras.applications in `make bench` (slow); `make test` checks
#: their stage depths (tests/models/test_deep_resnets.py).
DEEP_VARIANTS = frozenset({"resnet101", "resnet152", "resnet101_v2", "resnet152_v2"})
#: Folders whose files share costly session fixtures (their conftest.py): their tests
#: run on one xdist worker, which builds each fixture once.
SHARED_FIXTURE_FOLDERS = frozenset({"export", "deploy", "data", "callbacks", "cli"})


def _xdist_group(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "name" in callspec.params and "backbone_case" in item.fixturenames:
        return f"backbone-{callspec.params['name']}"
    path = Path(item.fspath).resolve()
    tests = Path(__file__).resolve().parent
    if not path.is_relative_to(tests):  # a doctest module of the package
        return f"file-{path.relative_to(tests.parent).as_posix()}"
    parts = path.relative_to(tests).parts
    if len(parts) > 1 and parts[0] in SHARED_FIXTURE_FOLDERS:
        return f"folder-{parts[0]}"
    return f"file-{'/'.join(parts)}"  # module-scoped fixtures are built once


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Groups tests for xdist so shared fixtures are built once; marks deep variants slow."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("name") in DEEP_VARIANTS:
            item.add_marker(pytest.mark.slow)
        item.add_marker(pytest.mark.xdist_group(_xdist_group(item)))
