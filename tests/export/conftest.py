"""One tiny trained classifier and one tiny line reader, exported once per session."""

import keras
import numpy as np
import pytest

from finvision import export
from finvision.models import ImageClassifier, TextLineRecognizer
from finvision.preprocessing.normalization import BackboneNormalization

SIZE = 32
NAMES = ("red", "green", "blue")


def colour_images(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy images whose class is their brightest channel: easy to learn in a few steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count)
    images = rng.integers(0, 120, (count, SIZE, SIZE, 3))
    images[np.arange(count), :, :, labels] += 100
    return images.astype("uint8"), labels


def tiny_backbone() -> keras.Model:
    """A MobileNet-like block with the preprocessing inside, much faster to export."""
    inputs = keras.Input((SIZE, SIZE, 3))
    x = BackboneNormalization("torch")(inputs)
    x = keras.layers.Conv2D(16, 3, strides=2, use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.Activation("hard_swish")(x)
    x = keras.layers.DepthwiseConv2D(3, use_bias=False)(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(32, 1)(x)
    return keras.Model(inputs, x, name="tiny_backbone")


def trained_classifier() -> ImageClassifier:
    """A tiny classifier trained to confident outputs."""
    keras.utils.set_random_seed(0)
    backbone = tiny_backbone()
    model = ImageClassifier(backbone, len(NAMES))
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
    images, labels = colour_images(512, seed=1)
    model.fit(images, labels, batch_size=32, epochs=2, verbose=0)
    return model


@pytest.fixture(scope="session")
def classifier():
    return trained_classifier()


@pytest.fixture(scope="session")
def images():
    return colour_images(64, seed=2)[0]


@pytest.fixture(scope="session")
def recognizer():
    keras.utils.set_random_seed(0)
    return TextLineRecognizer("01", height=32, lstm_units=8)


@pytest.fixture(scope="session")
def lines():
    return np.random.default_rng(3).integers(0, 256, (4, 32, 48, 1)).astype("uint8")


@pytest.fixture(scope="session")
def exported(tmp_path_factory, classifier, images, recognizer):
    """Each format once; tests read the files, nothing writes them again."""
    root = tmp_path_factory.mktemp("exported")
    return {
        "saved_model": export.to_saved_model(classifier, root / "classifier", labels=NAMES),
        "bytes": export.to_saved_model(classifier, root / "classifier_bytes", input="bytes"),
        "tflite": export.to_tflite(classifier, root / "classifier.tflite"),
        "int8": export.to_tflite(
            classifier, root / "int8.tflite", quantization="int8", representative_data=images
        ),
        "float16": export.to_tflite(classifier, root / "f16.tflite", quantization="float16"),
        "dynamic": export.to_tflite(classifier, root / "dyn.tflite", quantization="dynamic"),
        "onnx": export.to_onnx(classifier, root / "classifier.onnx"),
        "reader_saved_model": export.to_saved_model(recognizer, root / "reader"),
        "reader_tflite": export.to_tflite(recognizer, root / "reader.tflite", line_width=48),
        "reader_onnx": export.to_onnx(recognizer, root / "reader.onnx"),
    }
