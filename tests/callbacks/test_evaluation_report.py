"""EvaluationReport: exact values in logs, seen by EarlyStopping, CSVLogger, TensorBoard."""

import csv
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import metrics
from finvision.callbacks import EvaluationReport
from finvision.metrics import functional as exact
from tests.callbacks.conftest import tiny_model


def _scalar_tags(directory):
    tags = set()
    for path in directory.rglob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_logs_hold_exact_values_for_the_standard_callbacks(data, tmp_path):
    x, y = data
    model = tiny_model()
    report = EvaluationReport((x, y), metrics=["eer", "ks", "roc_auc", "fnmr_at_fmr"])
    callbacks = [
        report,
        keras.callbacks.EarlyStopping(monitor="val_eer", mode="min", patience=5),
        keras.callbacks.ModelCheckpoint(
            tmp_path / "best.keras", monitor="val_eer", mode="min", save_best_only=True
        ),
        keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
        keras.callbacks.TensorBoard(str(tmp_path / "tb"), write_graph=False),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=2, batch_size=50, callbacks=callbacks, verbose=0)
    # e.g. "Can save best model only with val_eer available" if the key were missing.
    assert not [str(warning.message) for warning in caught if "val_eer" in str(warning.message)]
    scores = model.predict(x, verbose=0)[:, 0]
    genuine, impostor = scores[y == 1], scores[y == 0]
    assert history.history["val_eer"][-1] == exact.equal_error_rate(genuine, impostor)[0]
    assert history.history["val_ks"][-1] == exact.ks_statistic(y, scores)
    assert history.history["val_roc_auc"][-1] == exact.roc_auc(y, scores)
    assert history.history["val_fnmr_at_fmr"][-1] == exact.fnmr_at_fmr(genuine, impostor, 0.01)
    assert report.results["val_eer"] == history.history["val_eer"][-1]
    with open(tmp_path / "log.csv") as file:
        rows = list(csv.DictReader(file))
    assert [float(row["val_eer"]) for row in rows] == pytest.approx(history.history["val_eer"])
    assert (tmp_path / "best.keras").is_file()
    assert {"epoch_eer", "epoch_ks", "epoch_roc_auc"} <= _scalar_tags(
        tmp_path / "tb" / "validation"
    )


def test_early_stopping_stops_on_a_reported_value(data):
    x, y = data
    script = iter([0.5, 0.4, 0.45, 0.46, 0.3, 0.2])
    report = EvaluationReport((x, y), metrics={"scripted": lambda y_true, y_pred: next(script)})
    stopper = keras.callbacks.EarlyStopping(monitor="val_scripted", mode="min", patience=2)
    history = tiny_model().fit(x, y, epochs=6, callbacks=[report, stopper], verbose=0)
    # Best at epoch 2 (0.4); epochs 3 and 4 do not improve; training stops after epoch 4.
    assert history.history["val_scripted"] == [0.5, 0.4, 0.45, 0.46]


def test_every_n_epochs_and_dataset_input(data):
    x, y = data
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)
    seen = []
    recorder = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append("val_ks" in logs)
    )
    model = tiny_model()
    report = EvaluationReport(dataset, metrics=["ks"], every_n_epochs=2)
    model.fit(x, y, epochs=4, callbacks=[report, recorder], verbose=0)
    assert seen == [False, True, False, True]
    # A dataset gives the same value as arrays.
    report_arrays = EvaluationReport((x, y), metrics=["ks"])
    report_arrays.set_model(model)
    report_arrays.on_epoch_end(0, {})
    assert report_arrays.results == report.results


def test_positive_class_species_and_custom_metrics(data):
    x, y = data
    model = tiny_model(outputs=2)
    model.fit(x, y, epochs=1, verbose=0)
    rng = np.random.default_rng(0)
    species = rng.choice(["print", "replay"], y.size)
    # Label 1 = bona fide; column 1 of the softmax is the bona fide score.
    report = EvaluationReport(
        (x, y),
        metrics=["apcer", "bpcer_at_apcer", {"mean_bona_fide": lambda t, p: p[t == 1, 1].mean()}],
        species=species,
        positive_class=1,
        threshold=0.4,
    )
    report.set_model(model)
    logs = {}
    report.on_epoch_end(0, logs)
    scores = model.predict(x, verbose=0)[:, 1]
    assert logs["val_apcer"] == exact.apcer_bpcer(scores, 1 - y, species, 0.4)[1]
    assert logs["val_bpcer_at_apcer"] == exact.bpcer_at_apcer(scores, 1 - y, species, 0.05)
    assert logs["val_mean_bona_fide"] == pytest.approx(float(scores[y == 1].mean()))


def test_collisions_and_bad_arguments_raise(data):
    x, y = data
    with pytest.raises(ValueError, match=r"Unknown report metric 'eers'. Closest: eer"):
        EvaluationReport((x, y), metrics=["eers"])
    with pytest.raises(ValueError, match="`every_n_epochs` must be an int >= 1; received 0"):
        EvaluationReport((x, y), every_n_epochs=0)
    with pytest.raises(ValueError, match="`validation_data` must be a tuple"):
        EvaluationReport(42)
    model = tiny_model()
    model.compile(loss="binary_crossentropy", metrics=[metrics.EqualErrorRate(name="eer")])
    with pytest.raises(ValueError, match=r"would overwrite \['val_eer'\]"):
        model.fit(
            x, y, validation_data=(x, y), callbacks=[EvaluationReport((x, y), ["eer"])], verbose=0
        )
    with pytest.raises(ValueError, match="one score per sample; pass `positive_class=`"):
        report = EvaluationReport((x, y), ["eer"])
        report.set_model(tiny_model(outputs=2))
        report.on_epoch_end(0, {})


def test_validation_arrays_of_different_lengths_are_refused_when_constructed():
    with pytest.raises(ValueError, match=r"received x with 10 samples, y with 8\.$"):
        EvaluationReport((np.zeros((10, 1)), np.zeros(8)))
    with pytest.raises(ValueError, match=r"x with 4 samples, y with 4, sample_weight with 3\.$"):
        EvaluationReport((np.zeros((4, 1)), np.zeros(4), np.ones(3)))
