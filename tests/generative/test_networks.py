"""ConditionalGenerator and ConditionalDiscriminator: shapes, pixel range, conditioning, configs."""

import keras
import numpy as np
import pytest

from finvision.generative import ConditionalDiscriminator, ConditionalGenerator
from tests.conftest import predict

NOISE = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
LABELS = np.array([0, 1, 2, 1], dtype="int32")
IMAGES = np.random.default_rng(1).integers(0, 256, (4, 32, 64, 3), dtype="uint8")


@pytest.fixture(scope="module")
def generator():
    return ConditionalGenerator(3, image_shape=(32, 64, 3), latent_dim=8, width=4, name="gen")


@pytest.fixture(scope="module")
def discriminator():
    return ConditionalDiscriminator(3, image_shape=(32, 64, 3), width=4, name="disc")


def _weights(layer):
    return [keras.ops.convert_to_numpy(weight) for weight in layer.weights]


def test_generator_pixels_are_the_rescaled_tanh_of_its_last_convolution(generator):
    pixels = predict(generator, [NOISE, LABELS])
    assert pixels.shape == (4, 32, 64, 3) and pixels.dtype == np.float32
    assert pixels.min() >= 0.0 and pixels.max() <= 255.0
    last = keras.Model(generator.inputs, generator.get_layer("up3").output)
    expected = 127.5 * np.tanh(predict(last, [NOISE, LABELS])) + 127.5
    np.testing.assert_allclose(pixels, expected, rtol=1e-5, atol=1e-3)


def test_generator_seed_map_is_an_eighth_of_the_image(generator):
    assert generator.get_layer("stem_map").output.shape == (None, 4, 8, 16)
    assert generator.get_layer("up1").output.shape == (None, 8, 16, 8)
    square = ConditionalGenerator(2, image_shape=(64, 64, 1), latent_dim=4, width=2)
    assert square.get_layer("stem_map").output.shape == (None, 8, 8, 8)
    assert square.output_shape == (None, 64, 64, 1)


def test_generator_input_is_noise_next_to_the_label_embedding(generator):
    condition = keras.Model(generator.inputs, generator.get_layer("condition").output)
    table = _weights(generator.get_layer("label_embedding"))[0]
    expected = np.concatenate([NOISE, table[LABELS]], axis=1)
    np.testing.assert_allclose(predict(condition, [NOISE, LABELS]), expected, rtol=1e-6)
    # The label changes the image; the same noise and label give the same image.
    first = predict(generator, [NOISE, LABELS])
    other = predict(generator, [NOISE, (LABELS + 1) % 3])
    assert np.abs(first - other).max() > 1e-3
    np.testing.assert_array_equal(predict(generator, [NOISE, LABELS]), first)


def test_discriminator_logit_is_linear_plus_class_projection(discriminator):
    logits = predict(discriminator, [IMAGES, LABELS])
    assert logits.shape == (4, 1) and logits.dtype == np.float32
    features = predict(
        keras.Model(discriminator.inputs, discriminator.get_layer("features").output),
        [IMAGES, LABELS],
    )
    assert features.shape == (4, 4 * 8 * 16)
    kernel, bias = _weights(discriminator.get_layer("logit_sn").layer)
    table = _weights(discriminator.get_layer("class_projection"))[0]
    expected = features @ kernel + bias + np.sum(table[LABELS] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-5)


def test_discriminator_takes_uint8_and_float_pixels_alike(discriminator):
    np.testing.assert_allclose(
        predict(discriminator, [IMAGES, LABELS]),
        predict(discriminator, [IMAGES.astype("float32"), LABELS]),
        rtol=1e-6,
    )


@pytest.mark.parametrize("cls", [ConditionalGenerator, ConditionalDiscriminator])
def test_config_round_trip_rebuilds_the_same_network(cls):
    model = cls(2, image_shape=(40, 48, 1), width=2, name="net")
    clone = cls.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert clone.get_config()["image_shape"] == (40, 48, 1)
    clone.set_weights(model.get_weights())
    inputs = [np.ones((2, *model.input_shape[0][1:]), "float32"), np.array([0, 1])]
    np.testing.assert_array_equal(predict(clone, inputs), predict(model, inputs))
    model.trainable = False
    assert cls.from_config(model.get_config()).trainable is False


@pytest.mark.parametrize("cls", [ConditionalGenerator, ConditionalDiscriminator])
@pytest.mark.parametrize(
    ("shape", "received"),
    [
        ((28, 28, 1), r"\(28, 28, 1\)"),
        ((32, 72, 3), r"\(32, 72, 3\)"),
        ((36, 32, 3), r"\(36, 32, 3\)"),
        ((32, 32, 2), r"\(32, 32, 2\)"),
        ((32, 32), r"\(32, 32\)"),
        ("32x32", "'32x32'"),
    ],
)
def test_bad_image_shapes_are_refused(cls, shape, received):
    with pytest.raises(ValueError, match=rf"`image_shape` must be .*multiples of 8 .*{received}"):
        cls(2, image_shape=shape)


@pytest.mark.parametrize("cls", [ConditionalGenerator, ConditionalDiscriminator])
def test_bad_sizes_are_refused(cls):
    with pytest.raises(ValueError, match=r"`num_classes` must be an integer >= 1; received 0"):
        cls(0)
    with pytest.raises(ValueError, match=r"`width` must be an integer >= 1; received 2.5"):
        cls(2, width=2.5)
    if cls is ConditionalGenerator:
        with pytest.raises(ValueError, match=r"`latent_dim` must be an integer >= 1; received 0"):
            cls(2, latent_dim=0)
