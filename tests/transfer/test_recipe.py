"""finetune: two phases, what each trains, merged history, distribution."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import models, transfer

SHAPE = (32, 32, 3)
RNG = np.random.default_rng(2)
IMAGES = RNG.integers(0, 256, (16, *SHAPE), dtype="uint8")
LABELS = RNG.integers(0, 2, 16)
RECIPE = transfer.FineTuneRecipe(
    head_epochs=1, finetune_epochs=2, unfreeze_from="P5", batch_size=8, metrics=("accuracy",)
)


def dataset():
    return tf.data.Dataset.from_tensor_slices((IMAGES, LABELS)).batch(8)


def classifier(num_classes=2):
    return models.ImageClassifier(
        models.create_backbone("resnet18", input_shape=SHAPE), num_classes
    )


def snapshot(model):
    return {v.path: keras.ops.convert_to_numpy(v).copy() for v in model.weights}


def test_two_phases_train_head_then_top_stage(tmp_path):
    model = classifier()
    levels = transfer.layer_levels(model)
    before = snapshot(model)
    history = transfer.finetune(model, dataset(), dataset(), recipe=RECIPE, verbose=0)
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 3 for values in history.history.values())
    changed = {
        v.path
        for v in model.weights
        if not np.array_equal(keras.ops.convert_to_numpy(v), before[v.path])
    }
    for layer in model.backbone.layers:
        for variable in layer.weights:
            trains = levels[layer.name] == 5 and not isinstance(
                layer, keras.layers.BatchNormalization
            )
            if not trains:
                assert variable.path not in changed, variable.path
    assert "conv5_block2_2_conv/kernel" in changed
    assert {"predictions/kernel", "predictions/bias"} <= changed
    assert type(model.optimizer).__name__ == "LayerwiseAdamW"
    assert model.optimizer.lr_multipliers["conv5_block2_2_conv/kernel"] == RECIPE.layer_decay
    assert_reloads_with_optimizer_state(model, tmp_path / "finetuned.keras")


def assert_reloads_with_optimizer_state(model, path):
    """The partly frozen model reloads as saved: same trainable weights, same Adam state."""
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when it skips optimizer variables
        reloaded = keras.saving.load_model(path, safe_mode=True)
    assert [v.path for v in reloaded.trainable_variables] == [
        v.path for v in model.trainable_variables
    ]
    assert len(reloaded.optimizer.variables) == len(model.optimizer.variables)
    for saved, loaded in zip(model.optimizer.variables, reloaded.optimizer.variables, strict=True):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(loaded), keras.ops.convert_to_numpy(saved)
        )


def test_batchnorm_that_trains_gets_the_recipe_momentum_and_a_skipped_head_phase_is_not_run(
    capsys,
):
    model = classifier()
    recipe = transfer.FineTuneRecipe(
        head_epochs=0, finetune_epochs=1, unfreeze_from="P5", keep_batchnorm_frozen=False
    )
    history = transfer.finetune(model, (IMAGES, LABELS), recipe=recipe, verbose=2)
    assert history.epoch == [0]
    phases = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Phase")]
    assert phases == [
        "Phase 1/1: fine-tuning the backbone from P5 (layer decay 0.5); epoch 1 of 1."
    ]
    momentum = {
        layer.name: layer.momentum
        for layer in model.backbone.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    }
    assert momentum["conv5_block2_2_bn"] == 0.9
    assert momentum["conv2_block1_1_bn"] == 0.9  # resnet18's own momentum, untouched
    assert model.backbone.get_layer("conv5_block2_2_bn").trainable


def test_binary_classifier_gets_binary_cross_entropy():
    model = classifier(num_classes=1)
    recipe = transfer.FineTuneRecipe(head_epochs=1, finetune_epochs=0)
    history = transfer.finetune(model, (IMAGES, LABELS), recipe=recipe, verbose=0)
    assert isinstance(model.loss, keras.losses.BinaryCrossentropy)
    assert history.epoch == [0]


def test_errors_before_any_training():
    with pytest.raises(ValueError, match=r"an infinite dataset.*FineTuneRecipe\(steps_per_epoch"):
        transfer.finetune(classifier(), dataset().repeat(), recipe=RECIPE, verbose=0)
    backbone = models.create_backbone("resnet18", input_shape=SHAPE)
    with pytest.raises(ValueError, match=r"Cannot choose a loss for a Backbone.*loss=\.\.\."):
        transfer.finetune(backbone, (IMAGES, LABELS), recipe=RECIPE, verbose=0)


@pytest.mark.tensorflow_only
def test_inside_mirrored_strategy():
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = classifier()
    recipe = transfer.FineTuneRecipe(head_epochs=1, finetune_epochs=1, unfreeze_from="P5")
    history = transfer.finetune(model, dataset(), recipe=recipe, verbose=0)
    assert history.epoch == [0, 1]
    assert np.isfinite(history.history["loss"]).all()


def test_trains_on_a_dataset_of_unknown_length():
    """A loader that may skip broken files has an unknown cardinality; it still trains."""
    unknown = dataset().unbatch().filter(lambda image, label: True).batch(8)
    assert int(unknown.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert transfer.recipe._steps_per_epoch(unknown, 8) == 2  # counted once
    history = transfer.finetune(classifier(), unknown, recipe=RECIPE, verbose=0)
    assert history.epoch == [0, 1, 2]


def test_a_loader_of_unknown_length_is_bounded_by_its_file_count(tmp_path, capsys):
    from PIL import Image

    from finvision import data

    for index in range(10):
        folder = tmp_path / f"class_{index % 2}"
        folder.mkdir(exist_ok=True)
        suffix = "tiff" if index % 3 == 0 else "png"  # TIFF needs Pillow: may be skipped
        Image.fromarray(IMAGES[index]).save(folder / f"{index}.{suffix}")
    (tmp_path / "class_0" / "broken.png").write_bytes(b"not an image")
    loaded = data.from_directory(tmp_path, image_size=SHAPE[:2], batch_size=4)
    assert int(loaded.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    assert transfer.recipe._steps_per_epoch(loaded, 32) == 3  # 11 files in batches of 4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = transfer.finetune(classifier(), loaded, recipe=RECIPE, verbose=2)
    assert history.epoch == [0, 1, 2]
    assert not [w for w in caught if "shuffle" in str(w.message)]  # Keras' warning for tf.data
    # Keras' "ran out of data; interrupting training" at the end of the first epoch
    # of unknown length is how it learns the length; every epoch still ran.
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    phases = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Phase")]
    assert phases == [
        "Phase 1/2: training the head, backbone frozen; epoch 1 of 3.",
        f"Phase 2/2: fine-tuning the backbone from {RECIPE.unfreeze_from} "
        f"(layer decay {RECIPE.layer_decay:g}); epochs 2-3 of 3.",
    ]


def test_nan_pixels_are_refused_before_training_or_stop_it_at_the_first_batch():
    images = IMAGES.astype("float32")
    images[5, 0, 0, 0] = np.nan  # max pooling would hide this one pixel
    model = classifier()
    with pytest.raises(ValueError, match=r"`train_data` images must be finite; image 5 holds"):
        transfer.finetune(model, (images, LABELS), recipe=RECIPE, verbose=0)
    assert not model.compiled  # refused before anything was compiled
    blank = tf.data.Dataset.from_tensor_slices((np.full_like(images, np.nan), LABELS)).batch(8)
    with pytest.raises(FloatingPointError, match=r"became nan at epoch 1, batch 1: the images"):
        transfer.finetune(model, blank, recipe=RECIPE, verbose=0)
