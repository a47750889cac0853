"""synthesize: the generator's rounded pixels for the classes asked for, seeded, in tf.data."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision.generative import (
    ConditionalDiscriminator,
    ConditionalGAN,
    ConditionalGenerator,
    synthesize,
)

pytestmark = pytest.mark.tensorflow_only  # returns a tf.data.Dataset

SHAPE = (32, 48, 3)


@pytest.fixture(scope="module")
def generator():
    keras.utils.set_random_seed(0)  # initial weights independent of the tests run before
    model = ConditionalGenerator(3, SHAPE, latent_dim=6, width=4)
    last = model.get_layer("up3")  # spread the untrained pixels over [0, 255]
    last.kernel.assign(last.kernel * 30.0)
    return model


def arrays(dataset):
    images, labels = zip(*dataset.as_numpy_iterator(), strict=True)
    return np.stack(images), np.array(labels)


def test_images_are_the_rounded_generator_pixels_of_seeded_noise(generator):
    dataset = synthesize(generator, {0: 2, 2: 3}, batch_size=4, seed=11)
    assert dataset.element_spec == (
        tf.TensorSpec(SHAPE, tf.uint8),
        tf.TensorSpec((), tf.int32),
    )
    assert int(dataset.cardinality()) == 5
    images, labels = arrays(dataset)
    np.testing.assert_array_equal(labels, [0, 0, 2, 2, 2])
    # Batch b draws its noise from numpy.random.default_rng((seed, b)).
    noise = [
        np.random.default_rng((11, b)).standard_normal((n, 6), dtype="float32")
        for b, n in ((0, 4), (1, 1))
    ]
    pixels = generator.predict([np.concatenate(noise), labels], verbose=0)
    assert pixels.std() > 15  # spread over many pixel values, so rounding is exercised
    expected = np.clip(np.rint(pixels), 0, 255).astype("uint8")
    assert np.abs(images.astype(int) - expected.astype(int)).max() <= 1  # rounding at .5
    assert np.mean(images == expected) > 0.99


def test_same_seed_same_images_other_seed_other_images(generator):
    first, _ = arrays(synthesize(generator, 3, seed=4))
    again, _ = arrays(synthesize(generator, 3, seed=4))
    other, _ = arrays(synthesize(generator, 3, seed=5))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_an_int_asks_every_class_and_a_gan_uses_its_generator(generator):
    gan = ConditionalGAN(generator, ConditionalDiscriminator(3, SHAPE, width=2))
    from_gan, labels = arrays(synthesize(gan, 2, seed=0))
    from_generator, _ = arrays(synthesize(generator, 2, seed=0))
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(from_gan, from_generator)


def test_concatenates_with_a_real_dataset(generator):
    real = tf.data.Dataset.from_tensor_slices(
        (np.zeros((4, *SHAPE), "uint8"), np.array([0, 1, 0, 1], "int32"))
    )
    mixed = real.concatenate(synthesize(generator, {1: 3}, seed=0)).shuffle(8, seed=0)
    _, labels = next(mixed.batch(7).as_numpy_iterator())
    assert np.bincount(labels).tolist() == [2, 5]


@pytest.mark.parametrize(
    ("n_per_class", "message"),
    [
        (-1, r"non-negative int count per class; received -1 for class 0"),
        ({1: 2.5}, r"non-negative int count per class; received 2.5 for class 1"),
        ({3: 2}, r"names class 3, which the generator does not know \(classes 0 to 2\)"),
        ({-1: 2}, r"names class -1"),
        ({"tampered": 2}, r"keys must be int class indices; received 'tampered'"),
        ({0: 0, 1: 0}, r"asks for no image"),
        (0, r"asks for no image"),
    ],
)
def test_bad_counts_are_refused(generator, n_per_class, message):
    with pytest.raises(ValueError, match=rf"`n_per_class` .*{message}"):
        synthesize(generator, n_per_class)


def test_bad_models_and_arguments_are_refused(generator):
    with pytest.raises(TypeError, match=r"`gan_or_generator` must be .*received Functional"):
        synthesize(_plain_model(), 1)
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1; received 0"):
        synthesize(generator, 1, batch_size=0)
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative int; received -3"):
        synthesize(generator, 1, seed=-3)


def _plain_model():
    inputs = keras.Input((2,))
    return keras.Model(inputs, inputs)
