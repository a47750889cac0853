"""Layer-wise learning rates: exact updates, schedules, Adam, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import models, transfer
from tests.conftest import predict

SHAPE = (32, 32, 3)
RNG = np.random.default_rng(1)
IMAGES = RNG.integers(0, 256, (8, *SHAPE), dtype="uint8")
LABELS = RNG.integers(0, 3, 8)


@pytest.fixture(scope="module")
def classifier():
    return models.ImageClassifier(models.create_backbone("resnet18", input_shape=SHAPE), 3)


def gradients(model):
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(
            keras.losses.sparse_categorical_crossentropy(LABELS, model(IMAGES, training=False))
        )
    return tape.gradient(loss, model.trainable_variables)


def values(variables) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(variable).copy() for variable in variables]


def test_multipliers_follow_levels(classifier):
    optimizer = transfer.layerwise_learning_rates(keras.optimizers.SGD(0.1), classifier, decay=0.5)
    multipliers = optimizer.lr_multipliers
    assert multipliers["conv5_block1_1_conv/kernel"] == 0.5
    assert multipliers["conv4_block2_2_bn/gamma"] == 0.25
    assert multipliers["conv1_conv/kernel"] == 0.5**5
    assert "predictions/kernel" not in multipliers
    explicit = transfer.layerwise_learning_rates(
        keras.optimizers.SGD(0.1), classifier, multipliers={"P5": 0.3, 1: 0.0}
    )
    assert explicit.lr_multipliers["conv5_block1_1_conv/kernel"] == 0.3
    assert explicit.lr_multipliers["conv1_conv/kernel"] == 0.0
    assert "conv3_block1_1_conv/kernel" not in explicit.lr_multipliers


@pytest.mark.tensorflow_only  # gradients() uses tf.GradientTape
def test_sgd_update_is_lr_times_multiplier_times_gradient(classifier):
    optimizer = transfer.layerwise_learning_rates(keras.optimizers.SGD(0.1), classifier, decay=0.5)
    variables = classifier.trainable_variables
    before, grads = values(variables), gradients(classifier)
    optimizer.apply(grads, variables)
    for variable, old, gradient in zip(variables, before, grads, strict=True):
        step = np.float32(0.1) * np.float32(optimizer.lr_multipliers.get(variable.path, 1.0))
        expected = old - keras.ops.convert_to_numpy(gradient) * step
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), expected)


@pytest.mark.tensorflow_only  # gradients() uses tf.GradientTape
def test_schedule_gives_the_learning_rate_of_each_step(classifier):
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = transfer.with_lr_multipliers(
        keras.optimizers.SGD(schedule), {"conv1_conv/kernel": 0.25}
    )
    paths = [variable.path for variable in classifier.trainable_variables]
    index = paths.index("conv1_conv/kernel")
    for learning_rate in (0.1, 0.05):
        before, grads = values(classifier.trainable_variables), gradients(classifier)
        optimizer.apply(grads, classifier.trainable_variables)
        step = np.float32(learning_rate) * np.float32(0.25)
        expected = before[index] - keras.ops.convert_to_numpy(grads[index]) * step
        actual = keras.ops.convert_to_numpy(classifier.trainable_variables[index])
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.tensorflow_only  # gradients() uses tf.GradientTape
def test_adam_first_step_scales_with_multiplier(classifier):
    optimizer = transfer.layerwise_learning_rates(
        keras.optimizers.Adam(1e-3), classifier, decay=0.1
    )
    variables = classifier.trainable_variables
    before, grads = values(variables), gradients(classifier)
    optimizer.apply(grads, variables)
    root, epsilon = np.sqrt(1 - 0.999), 1e-7
    for variable, old, gradient in zip(variables, before, grads, strict=True):
        g = keras.ops.convert_to_numpy(gradient).astype("float64")
        multiplier = optimizer.lr_multipliers.get(variable.path, 1.0)
        # First Adam step: lr * g * sqrt(1 - b2) / (sqrt(1 - b2) * |g| + eps).
        expected = old - 1e-3 * multiplier * g * root / (root * np.abs(g) + epsilon)
        # Keras computes 1 - beta_2 in float32 (relative error 5e-5): tolerance 1e-4 of a step.
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(variable), expected, rtol=1e-6, atol=1e-7 * multiplier
        )


def test_bad_arguments(classifier):
    with pytest.raises(ValueError, match=r"`decay` must be in \(0, 1\]"):
        transfer.layerwise_learning_rates(keras.optimizers.SGD(), classifier, decay=0.0)
    with pytest.raises(ValueError, match=r"finite and >= 0.*'a': -1.0"):
        transfer.with_lr_multipliers(keras.optimizers.SGD(), {"a": -1.0})
    with pytest.raises(TypeError, match=r"`optimizer` must be a keras\.optimizers\.Optimizer"):
        transfer.with_lr_multipliers("adam", {})
    with pytest.raises(ValueError, match="Expected a pyramid level 'P1' to 'P5'"):
        transfer.layerwise_learning_rates(keras.optimizers.SGD(), classifier, multipliers={"P9": 1})


def test_compiled_model_round_trips_with_optimizer_state(tmp_path):
    model = models.ImageClassifier(models.create_backbone("resnet18", input_shape=SHAPE), 3)
    optimizer = transfer.layerwise_learning_rates(keras.optimizers.AdamW(1e-3), model, decay=0.5)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", run_eagerly=True)
    model.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "finetuned.keras")

    loaded = keras.saving.load_model(tmp_path / "finetuned.keras", safe_mode=True)
    assert type(loaded.optimizer).__name__ == "LayerwiseAdamW"
    assert loaded.optimizer.lr_multipliers == optimizer.lr_multipliers
    assert int(loaded.optimizer.iterations) == 2
    for restored, original in zip(
        loaded.optimizer.variables, model.optimizer.variables, strict=True
    ):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(restored), keras.ops.convert_to_numpy(original)
        )
    np.testing.assert_array_equal(predict(loaded, IMAGES), predict(model, IMAGES))
    assert loaded.run_eagerly  # two steps: eager is cheaper than tracing
    loaded.fit(IMAGES, LABELS, batch_size=4, epochs=1, verbose=0)
    assert int(loaded.optimizer.iterations) == 4
