"""Exporters and ``compare`` take what finvision's loaders give: float pixels in [0, 255]."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from finvision import data, export
from finvision.export._serving import as_pixels

from .conftest import NAMES, SIZE, colour_images


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Colour images at 48 px, so the loader's resize to 32 px makes fractional pixels."""
    root = tmp_path_factory.mktemp("colours")
    images, labels = colour_images(24, seed=7)
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        (root / NAMES[label]).mkdir(exist_ok=True)
        big = Image.fromarray(image).resize((48, 48), Image.BILINEAR)
        big.save(root / NAMES[label] / f"{index:02d}.png")
    return root


@pytest.fixture(scope="module")
def loaded(folder):
    return data.from_directory(folder, image_size=(SIZE, SIZE), batch_size=8, shuffle=False)


def test_the_loader_gives_fractional_pixels(loaded):
    pixels = np.concatenate([batch.numpy() for batch, _ in loaded])
    assert pixels.dtype == np.float32 and pixels.min() >= 0 and pixels.max() <= 255
    assert np.any(pixels % 1)  # what as_pixels refused before


def test_int8_calibrates_on_a_from_directory_dataset(classifier, loaded, tmp_path, images):
    path = export.to_tflite(
        classifier, tmp_path / "int8.tflite", quantization="int8", representative_data=loaded
    )
    report = export.compare(classifier, path, images)
    assert report.top1_agreement >= 0.9


def test_compare_takes_a_dataset_of_images_and_labels(classifier, exported, loaded):
    pixels = np.concatenate([batch.numpy() for batch, _ in loaded])
    from_dataset = export.compare(classifier, exported["tflite"], loaded)
    from_array = export.compare(classifier, exported["tflite"], np.rint(pixels).astype("uint8"))
    assert from_dataset.samples == len(pixels) == 24
    assert from_dataset.max_abs_difference == from_array.max_abs_difference


def test_as_pixels_rounds_and_refuses_out_of_range():
    np.testing.assert_array_equal(as_pixels([[0.4, 0.6, 254.5, 255.0]]), [[0, 1, 254, 255]])
    with pytest.raises(ValueError, match=r"`data` must hold pixels in \[0, 255\]; received NaN"):
        as_pixels([[np.nan]])
    with pytest.raises(ValueError, match=r"received values in \[-1.0, 3.0\]"):
        as_pixels(np.array([[-1.0, 3.0]]))


def test_compare_refuses_an_empty_dataset(classifier, exported):
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, SIZE, SIZE, 3), "float32"))
    with pytest.raises(ValueError, match="`data` holds no images"):
        export.compare(classifier, exported["tflite"], empty)
