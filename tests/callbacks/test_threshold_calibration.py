"""ThresholdCalibration: the chosen threshold, where it is kept, and its errors."""

import json
import math

import keras
import numpy as np
import pytest

from finvision.callbacks import (
    OperatingThreshold,
    ThresholdCalibration,
    find_operating_threshold,
    get_operating_threshold,
)
from finvision.metrics import functional as exact
from tests.callbacks.conftest import tiny_model


def test_threshold_is_kept_in_the_model_and_survives_keras_file(data, tmp_path):
    x, y = data
    model = tiny_model(with_threshold=True)
    calibration = ThresholdCalibration((x, y), target_fpr=0.1)
    checkpoint = keras.callbacks.ModelCheckpoint(tmp_path / "checkpoint.keras")
    history = model.fit(x, y, epochs=2, callbacks=[calibration, checkpoint], verbose=0)
    scores = model.predict(x, verbose=0)[:, 0]
    expected = exact.threshold_at_fpr(y, scores, fpr=0.1)
    assert calibration.threshold == expected
    assert get_operating_threshold(model) == np.float32(expected)
    assert history.history["val_threshold"][-1] == expected
    # The threshold meets the target and is the smallest that does.
    predicted = scores >= np.float32(expected)
    assert predicted[y == 0].mean() <= 0.1
    next_lower = scores[scores < expected].max()
    assert (scores[y == 0] >= next_lower).mean() > 0.1
    for path in (tmp_path / "model.keras", tmp_path / "checkpoint.keras"):
        if path.name == "model.keras":
            model.save(path)
        reloaded = keras.saving.load_model(path, safe_mode=True)
        assert get_operating_threshold(reloaded) == get_operating_threshold(model)
        np.testing.assert_array_equal(reloaded.predict(x, verbose=0)[:, 0], scores)


def test_fmr_is_the_same_rule_and_apcer_uses_the_worst_species(data):
    x, y = data
    model = tiny_model(with_threshold=True)
    model.fit(x, y, epochs=1, verbose=0)
    scores = model.predict(x, verbose=0)[:, 0]
    for target in ({"target_fpr": 0.05}, {"target_fmr": 0.05}):
        calibration = ThresholdCalibration((x, y), **target)
        calibration.set_model(model)
        calibration.on_epoch_end(0, {})
        assert calibration.threshold == exact.threshold_at_fmr(scores[y == 1], scores[y == 0], 0.05)
    species = np.random.default_rng(0).choice(["print", "replay", "mask"], y.size)
    calibration = ThresholdCalibration((x, y), target_apcer=0.05, species=species)
    calibration.set_model(model)
    calibration.on_epoch_end(0, {})
    assert calibration.threshold == exact.threshold_at_apcer(scores, 1 - y, species, apcer=0.05)


def test_sidecar_json_for_a_model_without_a_threshold_layer(data, tmp_path):
    x, y = data
    model = tiny_model()
    sidecar = tmp_path / "calibration" / "threshold.json"
    calibration = ThresholdCalibration((x, y), target_fpr=0.2, filepath=sidecar)
    model.fit(x, y, epochs=1, callbacks=[calibration], verbose=0)
    record = json.loads(sidecar.read_text())
    scores = model.predict(x, verbose=0)[:, 0]
    assert record["threshold"] == exact.threshold_at_fpr(y, scores, 0.2)
    assert record["target"] == {"fpr": 0.2}
    assert record["reached"]["fpr"] <= 0.2
    assert record["reached"]["tpr"] == exact.recall_at_fpr(y, scores, 0.2)
    assert record["epoch"] == 1
    assert list(sidecar.parent.iterdir()) == [sidecar]  # no temporary file left behind


def test_unreachable_target_is_written_as_inf(tmp_path):
    inputs = keras.Input((1,))
    model = keras.Model(inputs, OperatingThreshold()(inputs))  # score = input
    x, y = np.array([[0.9], [0.2], [0.5]]), np.array([0, 1, 1])  # a negative scores highest
    calibration = ThresholdCalibration((x, y), target_fpr=0.0, filepath=tmp_path / "t.json")
    calibration.set_model(model)
    calibration.on_epoch_end(0, {})
    assert calibration.threshold == math.inf
    assert get_operating_threshold(model) == math.inf
    assert json.loads((tmp_path / "t.json").read_text())["threshold"] == "inf"


def test_nowhere_to_keep_the_threshold_raises_before_training(data):
    x, y = data
    with pytest.raises(ValueError, match=r"add a `finvision.callbacks.OperatingThreshold` layer"):
        tiny_model().fit(x, y, epochs=1, callbacks=[ThresholdCalibration((x, y))], verbose=0)


def test_bad_arguments_raise(data):
    x, y = data
    with pytest.raises(ValueError, match=r"Give one of .* received target_fpr, target_apcer"):
        ThresholdCalibration((x, y), target_fpr=0.1, target_apcer=0.1)
    with pytest.raises(ValueError, match=r"`target_fmr` must be a number in \[0, 1\]"):
        ThresholdCalibration((x, y), target_fmr=-0.1)
    with pytest.raises(ValueError, match="`species` applies to `target_apcer` only"):
        ThresholdCalibration((x, y), species=["a"] * len(y))


def test_operating_threshold_layer():
    layer = OperatingThreshold(0.25, name="gate")
    restored = OperatingThreshold.from_config(layer.get_config())
    assert float(restored.threshold.numpy()) == 0.25
    assert not layer.trainable_weights and len(layer.non_trainable_weights) == 1
    assert keras.ops.convert_to_numpy(layer.decide([0.2, 0.25, 0.3])).tolist() == [
        False,
        True,
        True,
    ]
    inputs = keras.Input((1,))
    twice = keras.Model(inputs, OperatingThreshold()(OperatingThreshold()(inputs)))
    with pytest.raises(ValueError, match="has 2 OperatingThreshold layers"):
        find_operating_threshold(twice)
    with pytest.raises(ValueError, match="stores no operating threshold"):
        get_operating_threshold(keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]))
