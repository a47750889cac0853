"""Bitwise checks of what fit changes with frozen and partly unfrozen backbones."""

import keras
import numpy as np
import pytest

from finvision import models, transfer

SHAPE = (32, 32, 3)
RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (16, *SHAPE), dtype="uint8")
LABELS = RNG.integers(0, 2, 16)


def make_classifier():
    return models.ImageClassifier(models.create_backbone("resnet18", input_shape=SHAPE), 2)


def snapshot(model) -> dict[str, np.ndarray]:
    return {v.path: keras.ops.convert_to_numpy(v).copy() for v in model.weights}


def changed_paths(model, before) -> set[str]:
    return {
        v.path
        for v in model.weights
        if not np.array_equal(keras.ops.convert_to_numpy(v), before[v.path])
    }


def fit_briefly(model) -> None:
    """One Adam step on one batch: a variable moves exactly where its gradient is non-zero."""
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(IMAGES, LABELS, batch_size=16, epochs=1, verbose=0)


def paths_with_gradient(model, at_least: float) -> set[str]:
    """Trainable variables whose gradient on the batch exceeds `at_least` somewhere."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.losses.sparse_categorical_crossentropy(LABELS, model(IMAGES, training=True))
        loss = keras.ops.mean(loss)
    gradients = tape.gradient(loss, model.trainable_variables)
    return {
        variable.path
        for variable, gradient in zip(model.trainable_variables, gradients, strict=True)
        if np.abs(keras.ops.convert_to_numpy(gradient)).max() > at_least
    }


def backbone_paths(model, level=None, batchnorm=None) -> set[str]:
    levels = transfer.layer_levels(model)
    return {
        variable.path
        for layer in model.backbone.layers
        for variable in layer.weights
        if (level is None or levels[layer.name] == level)
        and (batchnorm is None or isinstance(layer, keras.layers.BatchNormalization) == batchnorm)
    }


HEAD = {"predictions/kernel", "predictions/bias"}


def test_frozen_backbone_changes_nothing_but_the_head():
    model = make_classifier()
    transfer.freeze_backbone(model)
    before = snapshot(model)
    fit_briefly(model)
    assert changed_paths(model, before) == HEAD


@pytest.mark.tensorflow_only  # tf.GradientTape
def test_unfreeze_p5_trains_only_the_last_stage_and_the_head():
    model = make_classifier()
    transfer.freeze_backbone(model)
    transfer.unfreeze(model, from_level="P5")
    before = snapshot(model)
    with_gradient = paths_with_gradient(model, at_least=0.0)
    with_clear_gradient = paths_with_gradient(model, at_least=1e-6)
    fit_briefly(model)
    last_stage_convolutions = backbone_paths(model, level=5, batchnorm=False)
    assert with_gradient - HEAD <= last_stage_convolutions
    assert len(with_clear_gradient - HEAD) >= len(last_stage_convolutions) / 2
    # Adam moves a weight by about lr * sign(gradient): every clear gradient shows,
    # vanishing ones (|g| << epsilon) may round away; nothing moves without one.
    assert with_clear_gradient | HEAD <= changed_paths(model, before) <= with_gradient


def test_unfrozen_batchnorm_updates_its_statistics_in_its_stage_only():
    model = make_classifier()
    transfer.unfreeze(model, from_level="P5", keep_batchnorm_frozen=False)
    before = snapshot(model)
    fit_briefly(model)
    changed = changed_paths(model, before)
    assert changed & {path for path in backbone_paths(model, 5, True) if "moving_mean" in path}
    assert not changed & backbone_paths(model, 4)


def test_start_by_level_number_and_by_layer_name_agree():
    def trainable(start):
        model = make_classifier()
        transfer.unfreeze(model, from_level=start)
        return {variable.path for variable in model.trainable_weights}

    by_name = trainable("P5")
    assert trainable(5) == by_name
    first_p5_layer = next(
        name for name, level in transfer.layer_levels(make_classifier()).items() if level == 5
    )
    assert trainable(first_p5_layer) == by_name
    assert len(trainable("P1")) > len(by_name)


@pytest.mark.parametrize("start", ["P6", 0, "no_such_layer"])
def test_bad_start(start):
    with pytest.raises(ValueError, match="`from_level` must be 'P1' to 'P5', 1 to 5 or a layer"):
        transfer.unfreeze(make_classifier(), from_level=start)


def test_models_without_backbone_are_refused():
    with pytest.raises(TypeError, match=r"finvision Backbone or a task model.*received Sequential"):
        transfer.freeze_backbone(keras.Sequential([keras.layers.Dense(1)]))


def test_layer_levels_follow_the_pyramid_taps():
    levels = transfer.layer_levels(models.create_backbone("resnet18", input_shape=SHAPE))
    assert levels["conv1_relu"] == 1
    assert levels["pool1_pool"] == 2
    assert levels["conv2_block2_out"] == 2
    assert levels["conv3_block1_1_conv"] == 3
    assert levels["conv5_block2_out"] == 5
