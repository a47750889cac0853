"""Every public preprocessing layer: batching, dtypes, seeds, serialization, errors."""

import inspect

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finvision import preprocessing as fp
from tests.preprocessing.layer_cases import (
    BACKEND_RANDOM_CASES,
    LAYER_CASES,
    RANDOM_CASES,
    case_params,
)

DETERMINISTIC_CASES = [name for name in LAYER_CASES if name not in RANDOM_CASES]


def images_for(name, batch=2, height=24, width=32, seed=0):
    channels = LAYER_CASES[name][1]
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (batch, height, width, channels), dtype="uint8")


def run(layer, images, training=False):
    return keras.ops.convert_to_numpy(layer(images, training=training))


@pytest.mark.tensorflow_only  # builds every layer, JPEG ones included
def test_every_public_layer_has_a_case():
    public_layers = {
        name
        for name in fp.__all__
        if inspect.isclass(getattr(fp, name)) and issubclass(getattr(fp, name), keras.layers.Layer)
    }
    covered = {type(factory()).__name__ for factory, _, _ in LAYER_CASES.values()}
    assert public_layers == covered


@pytest.mark.parametrize("name", case_params(LAYER_CASES))
def test_output_shape_dtype_and_single_image(name):
    factory, _, out_channels = LAYER_CASES[name]
    images = images_for(name)
    layer = factory()
    batch = run(layer, images, training=name in RANDOM_CASES)
    assert batch.dtype == np.float32
    expected_channels = out_channels or images.shape[-1]
    assert batch.shape[-1] == expected_channels
    assert batch.shape == tuple(layer.compute_output_shape(images.shape))
    if name not in RANDOM_CASES:
        single = run(factory(), images[1])
        np.testing.assert_allclose(single, batch[1], atol=1e-4)


@pytest.mark.parametrize("name", case_params(LAYER_CASES))
def test_uint8_and_float_inputs_agree(name):
    factory = LAYER_CASES[name][0]
    images = images_for(name)
    training = name in RANDOM_CASES
    from_uint8 = run(factory(), images, training)
    from_float = run(factory(), images.astype("float32"), training)
    np.testing.assert_allclose(from_uint8, from_float, atol=1e-4)


@pytest.mark.parametrize("name", case_params(LAYER_CASES))
def test_mixed_float16_policy_keeps_float32_pixels(name):
    factory = LAYER_CASES[name][0]
    images = images_for(name)
    training = name in RANDOM_CASES
    expected = run(factory(), images, training)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        actual = run(factory(), images, training)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual, expected, atol=1e-3)


@pytest.mark.parametrize("name", case_params(RANDOM_CASES))
def test_random_layers_are_identity_at_inference_and_seeded_in_training(name):
    factory = LAYER_CASES[name][0]
    images = images_for(name)
    np.testing.assert_array_equal(run(factory(), images), images.astype("float32"))
    first, second = factory(), factory()
    augmented = run(first, images, training=True)
    np.testing.assert_array_equal(augmented, run(second, images, training=True))
    assert not np.array_equal(augmented, images.astype("float32"))
    np.testing.assert_array_equal(run(first, images, True), run(second, images, True))
    unseeded = type(first).from_config({**first.get_config(), "seed": 12345})
    assert not np.array_equal(run(unseeded, images, training=True), augmented)


@pytest.mark.parametrize("name", case_params(LAYER_CASES))
def test_config_round_trip(name):
    factory = LAYER_CASES[name][0]
    layer = factory()
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    images = images_for(name)
    training = name in RANDOM_CASES
    np.testing.assert_array_equal(run(clone, images, training), run(layer, images, training))


@pytest.mark.parametrize("name", case_params(LAYER_CASES))
def test_keras_file_round_trip_in_safe_mode(name, tmp_path):
    factory = LAYER_CASES[name][0]
    images = images_for(name)
    inputs = keras.Input(images.shape[1:], dtype="uint8")
    model = keras.Model(inputs, factory()(inputs))
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    training = name in RANDOM_CASES
    np.testing.assert_array_equal(run(reloaded, images, training), run(model, images, training))


# BackboneNormalization is per pixel and accepts any rank (as preprocess_input does).
@pytest.mark.parametrize(
    "name", case_params([name for name in LAYER_CASES if name != "BackboneNormalization"])
)
def test_wrong_rank_is_refused(name):
    layer = LAYER_CASES[name][0]()
    flat = np.zeros((4, 4), dtype="float32")
    with pytest.raises(ValueError, match=r"expects one image \(H, W, C\) or a batch .*\(4, 4\)"):
        layer(flat)


@pytest.mark.parametrize(
    "factory",
    [
        fp.Grayscale,
        fp.Binarize,
        pytest.param(fp.ErrorLevelAnalysis, marks=pytest.mark.tensorflow_only),
        fp.DocumentAugmentation,
    ],
    ids=lambda factory: factory.__name__,
)
def test_unsupported_channel_count_is_refused(factory):
    with pytest.raises(ValueError, match=r"supports images with \(1, 3\) channels.*\(1, 8, 8, 2\)"):
        factory()(np.zeros((1, 8, 8, 2), "float32"))


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: fp.RandomPerspective(0.6), r"`scale` must be a number in \[0, 0.5\).*0.6"),
        (lambda: fp.RandomPerspective(0.1, interpolation="cubic"), "`interpolation` must be"),
        (lambda: fp.RandomGlare(intensity=(0.9, 0.1)), "`intensity` must satisfy"),
        (lambda: fp.RandomShadow(softness=0), "`softness` must be > 0"),
        pytest.param(
            lambda: fp.RandomJPEGQuality((0, 50)),
            "`quality` must satisfy 1 <= min",
            marks=pytest.mark.tensorflow_only,
        ),
        pytest.param(
            lambda: fp.RandomJPEGQuality((30.5, 50)),
            "`quality` must be integers",
            marks=pytest.mark.tensorflow_only,
        ),
        (lambda: fp.RandomMotionBlur((0.5, 3)), "`length` must satisfy 1.0 <= min"),
        (lambda: fp.RandomGaussianNoise("loud"), "`stddev` must be a number or a pair"),
        (lambda: fp.RandomBrightnessContrast(1.5), "`brightness` must be a number in"),
        (lambda: fp.RandomGaussianNoise(probability=2), "`probability` must be a number in"),
        (lambda: fp.DocumentAugmentation(strength=-0.1), "`strength` must be a number in"),
        (lambda: fp.ResizeWithPad(0, 10), "`height` must be a positive integer; received 0"),
        (lambda: fp.ResizeWithPad(10, 10, interpolation="cubic"), "`interpolation` must be"),
        (lambda: fp.ContrastStretch(50, 50), "`lower` must be below `upper`"),
        (lambda: fp.ContrastStretch(5, 101), r"`\(lower, upper\)` must satisfy"),
        (lambda: fp.Binarize("niblack"), "`method` must be one of"),
        (lambda: fp.Binarize("sauvola", window_size=4), "`window_size` must be an odd integer"),
        (lambda: fp.Binarize("sauvola", k=0), r"`k` must be in \(0, 1\]"),
        pytest.param(
            lambda: fp.ErrorLevelAnalysis(quality=101),
            "`quality` must be an integer in",
            marks=pytest.mark.tensorflow_only,
        ),
        pytest.param(
            lambda: fp.ErrorLevelAnalysis(scale=0),
            "`scale` must be > 0",
            marks=pytest.mark.tensorflow_only,
        ),
        (lambda: fp.SRMFilter(truncation=-1), "`truncation` must be > 0 or None"),
    ],
)
def test_out_of_range_arguments(factory, message):
    with pytest.raises(ValueError, match=message):
        factory()


@settings(max_examples=12, deadline=None)
@given(
    name=st.sampled_from(BACKEND_RANDOM_CASES),
    batch=st.integers(1, 3),
    height=st.integers(8, 24),
    width=st.integers(8, 24),
    seed=st.integers(0, 2**16),
)
def test_augmentations_keep_shape_and_pixel_range(name, batch, height, width, seed):
    images = images_for(name, batch, height, width, seed)
    layer = LAYER_CASES[name][0]()
    augmented = run(layer, images, training=True)
    assert augmented.shape == images.shape
    assert np.isfinite(augmented).all()
    assert augmented.min() >= 0.0 and augmented.max() <= 255.0
