"""ConditionalGAN: the training step against a hand-written one, learning, saving, checks."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision.generative import ConditionalDiscriminator, ConditionalGAN, ConditionalGenerator
from finvision.generative._adversarial import discriminator_loss, generator_loss

pytestmark = pytest.mark.tensorflow_only  # training runs on tf.GradientTape

SHAPE = (32, 32, 1)
RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (8, *SHAPE), dtype="uint8")
LABELS = np.array([0, 1] * 4, dtype="int32")


def make_gan(seed=0, **kwargs):
    return ConditionalGAN(
        ConditionalGenerator(2, SHAPE, latent_dim=8, width=4),
        ConditionalDiscriminator(2, SHAPE, width=4),
        seed=seed,
        **kwargs,
    )


def values(variables):
    return [keras.ops.convert_to_numpy(variable) for variable in variables]


def clone(gan):
    copy = ConditionalGAN.from_config(gan.get_config())
    copy.set_weights(gan.get_weights())
    return copy


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    gan = make_gan()
    gan.compile()
    before = [values(gan.generator.weights), values(gan.discriminator.weights)]
    history = gan.fit(IMAGES, LABELS, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return gan, history, before


# === Losses ===

LOGITS_REAL = np.array([[2.0], [-0.5], [0.3]], "float32")
LOGITS_FAKE = np.array([[-1.5], [0.8], [0.0]], "float32")


def test_non_saturating_losses_are_binary_cross_entropy():
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    ones, zeros = np.ones_like(LOGITS_REAL), np.zeros_like(LOGITS_REAL)
    expected_d = float(bce(ones, LOGITS_REAL)) + float(bce(zeros, LOGITS_FAKE))
    got_d = float(discriminator_loss("non_saturating", LOGITS_REAL, LOGITS_FAKE))
    assert got_d == pytest.approx(expected_d, rel=1e-6)
    expected_g = float(bce(np.ones_like(LOGITS_FAKE), LOGITS_FAKE))
    assert float(generator_loss("non_saturating", LOGITS_FAKE)) == pytest.approx(expected_g, 1e-6)


def test_hinge_losses_by_hand():
    # max(0, 1 - [2, -0.5, 0.3]) = [0, 1.5, 0.7]; max(0, 1 + [-1.5, 0.8, 0]) = [0, 1.8, 1].
    expected_d = (0 + 1.5 + 0.7) / 3 + (0 + 1.8 + 1.0) / 3
    got_d = float(discriminator_loss("hinge", LOGITS_REAL, LOGITS_FAKE))
    assert got_d == pytest.approx(expected_d, rel=1e-6)
    assert float(generator_loss("hinge", LOGITS_FAKE)) == pytest.approx(-(-1.5 + 0.8) / 3, 1e-6)


# === Training ===


def test_fit_logs_both_losses_and_trains_both_networks(trained):
    gan, history, (generator_before, discriminator_before) = trained
    assert set(history.history) == {"generator_loss", "discriminator_loss"}
    assert all(len(losses) == 2 for losses in history.history.values())
    assert all(np.isfinite(history.history["discriminator_loss"]))
    assert int(gan.generator_optimizer.iterations) == 4  # 2 epochs of 2 batches
    assert int(gan.discriminator_optimizer.iterations) == 4
    for before, network in (
        (generator_before, gan.generator),
        (discriminator_before, gan.discriminator),
    ):
        changed = [
            not np.array_equal(a, b) for a, b in zip(before, values(network.weights), strict=True)
        ]
        assert any(changed)
    # Two noise draws per step: one for the discriminator's update, one for the generator's.
    assert values([gan.noise_state])[0][1] == 8


def test_one_step_is_a_discriminator_then_a_generator_gradient_step():
    keras.utils.set_random_seed(1)
    gan, rate = make_gan(seed=5), 0.05
    gan.compile(keras.optimizers.SGD(rate), keras.optimizers.SGD(rate), run_eagerly=True)
    reference = clone(gan)
    generator, discriminator = reference.generator, reference.discriminator
    images, labels = tf.constant(IMAGES[:4], "float32"), tf.constant(LABELS[:4])

    def noise(draw):
        return tf.random.stateless_normal((4, 8), seed=tf.constant([5, draw], "int64"))

    with tf.GradientTape() as tape:
        fake = generator([noise(0), labels], training=True)
        real_logits = discriminator([images, labels], training=True)
        fake_logits = discriminator([fake, labels], training=True)
        loss = tf.reduce_mean(tf.math.softplus(-real_logits)) + tf.reduce_mean(
            tf.math.softplus(fake_logits)
        )
    weights = discriminator.trainable_variables
    for weight, gradient in zip(weights, tape.gradient(loss, weights), strict=True):
        weight.assign(weight - rate * tf.convert_to_tensor(gradient))
    with tf.GradientTape() as tape:
        fake = generator([noise(1), labels], training=True)
        loss = tf.reduce_mean(tf.math.softplus(-discriminator([fake, labels], training=True)))
    weights = generator.trainable_variables
    for weight, gradient in zip(weights, tape.gradient(loss, weights), strict=True):
        weight.assign(weight - rate * tf.convert_to_tensor(gradient))

    gan.fit(IMAGES[:4], LABELS[:4], batch_size=4, epochs=1, shuffle=False, verbose=0)
    for network in ("generator", "discriminator"):
        got = values(getattr(gan, network).weights)
        expected = values(getattr(reference, network).weights)
        for value, wanted in zip(got, expected, strict=True):
            np.testing.assert_allclose(value, wanted, rtol=1e-5, atol=1e-6)


def test_evaluate_reports_the_hinge_losses_of_inference_mode():
    keras.utils.set_random_seed(2)
    gan = make_gan(seed=9)
    gan.compile(loss="hinge")
    logs = gan.evaluate(IMAGES[:4], LABELS[:4], batch_size=4, verbose=0, return_dict=True)
    labels = LABELS[:4]

    def noise(draw):
        seed = tf.constant([9, draw], "int64")
        return keras.ops.convert_to_numpy(tf.random.stateless_normal((4, 8), seed=seed))

    def logits(images):
        return keras.ops.convert_to_numpy(gan.discriminator([images, labels]))

    def generated(draw):
        return keras.ops.convert_to_numpy(gan.generator([noise(draw), labels]))

    real, fake, fake_again = logits(IMAGES[:4]), logits(generated(0)), logits(generated(1))
    expected_d = np.maximum(0, 1 - real).mean() + np.maximum(0, 1 + fake).mean()
    assert logs["discriminator_loss"] == pytest.approx(expected_d, rel=1e-5)
    assert logs["generator_loss"] == pytest.approx(-fake_again.mean(), rel=1e-5, abs=1e-6)


@pytest.mark.slow
def test_generator_learns_each_class_brightness():
    keras.utils.set_random_seed(0)
    labels = np.array([0, 1] * 32, "int32")
    noise = np.random.default_rng(3).integers(-10, 11, (64, *SHAPE))
    images = (np.where(labels == 0, 40, 215)[:, None, None, None] + noise).astype("uint8")
    gan = make_gan()
    gan.compile(keras.optimizers.Adam(2e-3, beta_1=0.5), keras.optimizers.Adam(2e-3, beta_1=0.5))
    gan.fit(images, labels, batch_size=16, epochs=30, verbose=0)
    latent = np.random.default_rng(4).normal(size=(32, 8)).astype("float32")
    drawn = gan.generator.predict([latent, np.repeat([0, 1], 16)], verbose=0)
    for label in (0, 1):
        real_mean = images[labels == label].mean()
        assert abs(drawn[16 * label : 16 * (label + 1)].mean() - real_mean) < 40


@pytest.mark.parametrize("batched_with_weights", [False, True])
def test_fit_on_a_dataset(batched_with_weights):
    gan = make_gan()
    gan.compile(run_eagerly=True)
    dataset = tf.data.Dataset.from_tensor_slices((IMAGES, LABELS[:, None]))
    if batched_with_weights:
        dataset = dataset.map(lambda x, y: (x, y, tf.ones(())))
    history = gan.fit(dataset.batch(4), epochs=1, shuffle=False, verbose=0)
    assert int(gan.generator_optimizer.iterations) == 2
    assert np.isfinite(history.history["generator_loss"][0])


# === Saving ===


def test_reloads_from_keras_file_and_trains_on_identically(trained, tmp_path):
    gan = clone(trained[0])
    gan.compile(loss="hinge", discriminator_optimizer=keras.optimizers.Adam(1e-4))
    gan.fit(IMAGES, LABELS, batch_size=4, epochs=1, shuffle=False, verbose=0)
    gan.save(tmp_path / "gan.keras")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reloaded = keras.saving.load_model(tmp_path / "gan.keras", safe_mode=True)
    assert not [w for w in caught if "compile" in str(w.message) or "variable" in str(w.message)]
    assert type(reloaded) is ConditionalGAN
    assert reloaded.get_config() == gan.get_config()
    assert reloaded.adversarial_loss == "hinge"
    assert float(reloaded.discriminator_optimizer.learning_rate) == pytest.approx(1e-4)
    for name in ("generator_optimizer", "discriminator_optimizer"):
        restored, original = getattr(reloaded, name), getattr(gan, name)
        assert len(restored.variables) > 2
        for got, expected in zip(
            values(restored.variables), values(original.variables), strict=True
        ):
            np.testing.assert_array_equal(got, expected)
    noise = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    np.testing.assert_array_equal(
        reloaded.predict([noise, np.array([0, 1])], verbose=0),
        gan.predict([noise, np.array([0, 1])], verbose=0),
    )
    for model in (gan, reloaded):
        model.fit(IMAGES, LABELS, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for got, expected in zip(values(reloaded.weights), values(gan.weights), strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_mixed_precision_scales_both_losses(tmp_path):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        gan = make_gan()
        gan.compile(run_eagerly=True)
        assert isinstance(gan.generator_optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(gan.discriminator_optimizer, keras.optimizers.LossScaleOptimizer)
        gan.fit(IMAGES[:4], LABELS[:4], batch_size=4, verbose=0)
        assert gan.predict([np.zeros((1, 8)), np.array([1])], verbose=0).dtype == np.float32
        gan.save(tmp_path / "mixed.keras")
        reloaded = keras.saving.load_model(tmp_path / "mixed.keras", safe_mode=True)
        assert isinstance(reloaded.generator_optimizer, keras.optimizers.LossScaleOptimizer)
        restored, original = reloaded.generator_optimizer, gan.generator_optimizer
        for got, expected in zip(
            values(restored.variables), values(original.variables), strict=True
        ):
            np.testing.assert_array_equal(got, expected)
    finally:
        keras.config.set_dtype_policy(previous)


# === Bad input ===


def test_bad_networks_are_refused():
    generator = ConditionalGenerator(2, SHAPE, latent_dim=8, width=4)
    with pytest.raises(TypeError, match=r"`generator` must be a .*ConditionalGenerator; "):
        ConditionalGAN(ConditionalDiscriminator(2, SHAPE, width=4), generator)
    with pytest.raises(
        ValueError,
        match=r"same num_classes and image_shape; received "
        r"\(2, \(32, 32, 1\)\) and \(3, \(32, 32, 1\)\)",
    ):
        ConditionalGAN(generator, ConditionalDiscriminator(3, SHAPE, width=4))
    with pytest.raises(ValueError, match=r"`latent_dim` must be the generator's latent_dim \(8\)"):
        ConditionalGAN(generator, ConditionalDiscriminator(2, SHAPE, width=4), latent_dim=16)
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative int; received -1"):
        ConditionalGAN(generator, ConditionalDiscriminator(2, SHAPE, width=4), seed=-1)


def test_bad_compile_arguments_are_refused():
    gan = make_gan()
    with pytest.raises(ValueError, match=r"`loss` must be one of \('non_saturating', 'hinge'\)"):
        gan.compile(loss="wasserstein")
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match=r"two optimizer objects .*the same one twice"):
        gan.compile(optimizer, optimizer)
    with pytest.raises(TypeError, match=r"`discriminator_optimizer` must be .*received float"):
        gan.compile(discriminator_optimizer=0.001)


@pytest.fixture(scope="module")
def compiled():
    gan = make_gan()
    gan.compile(run_eagerly=True)
    return gan


def test_fit_before_compile_is_refused():
    with pytest.raises(RuntimeError, match=r"Call `compile\(\)` before `fit\(\)`"):
        make_gan().fit(IMAGES, LABELS)


@pytest.mark.parametrize(
    ("x", "y", "error", "message"),
    [
        (
            IMAGES[..., :1].repeat(3, -1),
            LABELS,
            ValueError,
            r"`x` must have shape \(N, 32, 32, 1\) .*received \(8, 32, 32, 3\)",
        ),
        (IMAGES, LABELS[:5], ValueError, r"`y` must have shape \(8,\), .*received \(5,\)"),
        (
            IMAGES,
            LABELS + 1,
            ValueError,
            r"`y` must be class indices in \[0, 2\); received values from 1 to 2",
        ),
        (IMAGES, LABELS.astype("float32"), ValueError, r"`y` must be integer class indices"),
        (
            IMAGES.astype("float32") / 255 - 0.5,
            LABELS,
            ValueError,
            r"`x` must hold pixels in \[0, 255\]; received values from -0.5",
        ),
        ({"images": IMAGES}, LABELS, TypeError, r"`x` must be an array of images .*received dict"),
    ],
)
def test_bad_arrays_are_refused(compiled, x, y, error, message):
    with pytest.raises(error, match=message):
        compiled.fit(x, y, verbose=0)


def test_bad_datasets_are_refused(compiled):
    pairs = tf.data.Dataset.from_tensor_slices((IMAGES, LABELS))
    with pytest.raises(
        ValueError,
        match=r"`x` must be a batched tf.data.Dataset of \(images "
        r"\(batch, 32, 32, 1\), int labels \(batch,\)\); received elements",
    ):
        compiled.fit(pairs, verbose=0)
    with pytest.raises(ValueError, match=r"`x` must be a batched"):
        compiled.fit(pairs.map(lambda x, y: x).batch(4), verbose=0)
    with pytest.raises(ValueError, match=r"`y` must be None when `x` is a tf.data.Dataset"):
        compiled.fit(pairs.batch(4), LABELS, verbose=0)
    out_of_range = pairs.map(lambda x, y: (x, y + 1)).batch(4)
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"`labels` must be class indices "
        r"in \[0, 2\)",
    ):
        compiled.fit(out_of_range, shuffle=False, verbose=0)
