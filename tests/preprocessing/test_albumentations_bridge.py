"""albumentations_map inside tf.data: results, masks, static shapes, seeds."""

import albumentations as A  # noqa: N812 (the library's own convention)
import numpy as np
import pytest
import tensorflow as tf

from finvision.preprocessing import albumentations_map
from finvision.preprocessing.albumentations_bridge import element_seed

pytestmark = pytest.mark.tensorflow_only  # a tf.data bridge

IMAGES = np.random.default_rng(0).integers(0, 256, (6, 16, 20, 3), dtype="uint8")


def pipeline():
    return A.Compose([A.HorizontalFlip(p=0.5), A.GaussNoise(std_range=(0.05, 0.1), p=1.0)])


def mapped(fn, *components):
    slices = components if len(components) > 1 else components[0]
    return list(tf.data.Dataset.from_tensor_slices(slices).map(fn).as_numpy_iterator())


def test_each_element_equals_albumentations_with_its_own_seed():
    outputs = mapped(albumentations_map(pipeline(), seed=11), IMAGES)
    for index, (image, output) in enumerate(zip(IMAGES, outputs, strict=True)):
        reference = pipeline()
        reference.set_random_seed(element_seed(11, index))
        np.testing.assert_array_equal(output, reference(image=image)["image"])


def test_same_seed_repeats_and_another_seed_differs():
    first = mapped(albumentations_map(pipeline(), seed=3), IMAGES)
    again = mapped(albumentations_map(pipeline(), seed=3), IMAGES)
    other = mapped(albumentations_map(pipeline(), seed=4), IMAGES)
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    assert not np.array_equal(np.stack(first), np.stack(other))


def test_parallel_map_with_element_indices_is_reproducible():
    fn = albumentations_map(pipeline(), seed=5)
    sequential = mapped(fn, IMAGES)
    dataset = tf.data.Dataset.from_tensor_slices(IMAGES).enumerate()
    parallel = dataset.map(lambda i, x: fn(x, index=i), num_parallel_calls=4)
    parallel_outputs = np.stack(list(parallel.as_numpy_iterator()))
    np.testing.assert_array_equal(parallel_outputs, np.stack(sequential))


def test_masks_move_with_their_images():
    masks = (IMAGES[..., 0] > 127).astype("uint8")
    transform = A.Compose([A.HorizontalFlip(p=0.5), A.RandomRotate90(p=1.0)])
    fn = albumentations_map(transform, seed=0)
    for image, mask in mapped(fn, IMAGES[:, :16, :16], masks[:, :16, :16]):
        np.testing.assert_array_equal(mask, (image[..., 0] > 127).astype("uint8"))


def test_static_shapes_and_dtypes_follow_the_transform():
    transform = A.Compose([A.Resize(8, 12), A.ToFloat(max_value=255.0)])
    dataset = tf.data.Dataset.from_tensor_slices(IMAGES).map(albumentations_map(transform))
    assert dataset.element_spec == tf.TensorSpec((8, 12, 3), tf.float32)
    assert next(dataset.as_numpy_iterator()).max() <= 1.0


def test_unknown_sizes_keep_channels_and_dtype():
    def variable_sizes():
        yield np.zeros((10, 14, 3), "uint8")
        yield np.zeros((12, 9, 3), "uint8")

    dataset = tf.data.Dataset.from_generator(
        variable_sizes, output_signature=tf.TensorSpec((None, None, 3), tf.uint8)
    ).map(albumentations_map(A.HorizontalFlip(p=1.0)))
    assert dataset.element_spec == tf.TensorSpec((None, None, 3), tf.uint8)
    assert [image.shape for image in dataset.as_numpy_iterator()] == [(10, 14, 3), (12, 9, 3)]


def test_rejects_what_is_not_an_albumentations_transform():
    with pytest.raises(TypeError, match="must be an albumentations transform or Compose; received"):
        albumentations_map(lambda image: image)
