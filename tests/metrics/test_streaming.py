"""Streaming score metrics: equal to the exact functions on grid thresholds, in compiled fit."""

import keras
import numpy as np
import pytest

from finvision import metrics
from finvision.metrics import functional as exact

GRID = 21


def _genuine_impostor(labels, scores):
    return scores[labels == 1], scores[labels == 0]


EXACT = {
    "EqualErrorRate": lambda y, s: exact.equal_error_rate(*_genuine_impostor(y, s))[0],
    "KSStatistic": exact.ks_statistic,
    "RecallAtFPR": lambda y, s: exact.recall_at_fpr(y, s, fpr=0.1),
    "BPCERAtAPCER": lambda y, s: exact.bpcer_at_apcer(s, 1 - y, None, apcer=0.1),
    "FalseMatchRate": lambda y, s: exact.false_match_rate(*_genuine_impostor(y, s), 0.375),
    "FalseNonMatchRate": lambda y, s: exact.false_non_match_rate(*_genuine_impostor(y, s), 0.375),
    "F1Score": lambda y, s: exact.f1_score(y, s, 0.375),
}


def _make(name, num_thresholds=GRID):
    if name == "RecallAtFPR":
        return metrics.RecallAtFPR(fpr=0.1, num_thresholds=num_thresholds)
    if name == "BPCERAtAPCER":
        return metrics.BPCERAtAPCER(apcer=0.1, num_thresholds=num_thresholds)
    if name in ("FalseMatchRate", "FalseNonMatchRate", "F1Score"):
        return getattr(metrics, name)(threshold=0.375)
    return getattr(metrics, name)(num_thresholds=num_thresholds)


def _stream(metric, labels, scores, batches, weights=None):
    metric.reset_state()
    for part in np.array_split(np.arange(labels.size), batches):
        weight = None if weights is None else weights[part]
        metric.update_state(labels[part], scores[part, None], sample_weight=weight)
    return float(metric.result())


def _floor_to_grid(scores, grid):
    grid = np.asarray(grid, dtype=np.float64)
    return grid[np.searchsorted(grid, scores, side="right") - 1]


def _data(seed, size=400):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size)
    scores = np.clip(rng.normal(0.35 + 0.25 * labels, 0.2), 0, 1).astype(np.float32)
    return labels, scores.astype(np.float64)


@pytest.mark.parametrize("name", EXACT)
@pytest.mark.parametrize("seed", range(3))
def test_equals_exact_function_on_grid_scores(name, seed):
    metric = _make(name)
    labels, scores = _data(seed)
    on_grid = _floor_to_grid(scores, metric.thresholds if hasattr(metric, "thresholds") else [0])
    if not hasattr(metric, "thresholds"):
        on_grid = scores  # exact counters: any score
    for batches in (1, 7):
        assert _stream(metric, labels, on_grid, batches) == pytest.approx(
            EXACT[name](labels, on_grid), abs=1e-6
        )


@pytest.mark.parametrize("name", ["EqualErrorRate", "KSStatistic", "RecallAtFPR", "BPCERAtAPCER"])
@pytest.mark.parametrize("seed", range(3))
def test_raw_scores_are_the_grid_rounding_and_within_one_bin(name, seed):
    metric = _make(name)
    labels, scores = _data(seed)
    streamed = _stream(metric, labels, scores, batches=5)
    rounded = _floor_to_grid(scores, metric.thresholds)
    assert streamed == pytest.approx(EXACT[name](labels, rounded), abs=1e-6)
    # The largest share of one class's scores inside one grid interval.
    bins = np.searchsorted(metric.thresholds, scores, side="right")
    one_bin = max(
        np.bincount(bins[labels == c], minlength=GRID + 1).max() / np.sum(labels == c)
        for c in (0, 1)
    )
    on_raw = EXACT[name](labels, scores)
    assert abs(streamed - on_raw) <= one_bin + 1e-6
    if name in ("KSStatistic", "RecallAtFPR"):  # grid thresholds are a subset of all thresholds
        assert streamed <= on_raw + 1e-6
    if name == "BPCERAtAPCER":
        assert streamed >= on_raw - 1e-6


def test_default_grid_is_close_to_exact():
    labels, scores = _data(0, size=5000)
    for name in ("EqualErrorRate", "KSStatistic"):
        metric = getattr(metrics, name)()  # 200 thresholds
        assert _stream(metric, labels, scores, 3) == pytest.approx(
            EXACT[name](labels, scores), abs=0.01
        )


@pytest.mark.parametrize("name", EXACT)
def test_integer_sample_weights_equal_repetition(name):
    metric = _make(name)
    labels, scores = _data(4, size=120)
    scores = _floor_to_grid(scores, np.linspace(0, 1, GRID).astype(np.float32))
    weights = np.random.default_rng(0).integers(0, 4, labels.size)
    repeated = np.repeat(np.arange(labels.size), weights)
    expected = EXACT[name](labels[repeated], scores[repeated])
    assert _stream(metric, labels, scores, 4, weights.astype("float32")) == pytest.approx(
        expected, abs=1e-6
    )


def test_nan_scores_and_missing_classes_give_nan():
    for name in EXACT:
        metric = _make(name)
        metric.update_state([0, 1], [0.2, float("nan")])
        assert np.isnan(float(metric.result())), name
        metric.reset_state()
        metric.update_state([0, 1], [0.2, 0.7])
        assert not np.isnan(float(metric.result())), name
    for name in ("EqualErrorRate", "KSStatistic", "RecallAtFPR", "BPCERAtAPCER"):
        metric = _make(name)
        metric.update_state([1, 1], [0.2, 0.7])
        assert np.isnan(float(metric.result())), name
    impostors_only = metrics.FalseNonMatchRate()
    impostors_only.update_state([0, 0], [0.2, 0.7])
    assert np.isnan(float(impostors_only.result()))
    no_positive = metrics.F1Score()
    no_positive.update_state([0, 0], [0.2, 0.3])
    assert float(no_positive.result()) == 0.0  # scikit-learn's zero_division=0


@pytest.mark.parametrize("name", EXACT)
def test_labels_outside_0_1_and_negative_weights_give_nan_where_functions_raise(name):
    labels, scores = [0, 1, 0, 1], [0.2, 0.7, 0.4, 0.9]
    cases = {
        "label 2": dict(y_true=[0, 2, 0, 2], y_pred=scores),
        "label -1": dict(y_true=[0, 1, -1, 1], y_pred=scores),
        "negative weight": dict(y_true=labels, y_pred=scores, sample_weight=[1, 1, -1, 1]),
        "NaN weight": dict(y_true=labels, y_pred=scores, sample_weight=[1, np.nan, 1, 1]),
    }
    for case, arguments in cases.items():
        metric = _make(name)
        metric.update_state(**arguments)
        assert np.isnan(float(metric.result())), (name, case)
        metric.reset_state()
        metric.update_state(labels, scores, sample_weight=[1, 1, 0, 2])  # zero weights are fine
        assert not np.isnan(float(metric.result())), (name, case)


def test_one_vs_rest_labels_that_are_not_class_indices_give_nan():
    scores = [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]]
    for labels in ([2, 0, 3], [2, 0, 1.5], [[0, 0, 1], [1, 0, 0], [0, 2, 0]]):
        metric = metrics.F1Score(positive_class=2)
        metric.update_state(labels, scores)
        assert np.isnan(float(metric.result())), labels
    metric = metrics.F1Score(positive_class=2)
    metric.update_state([2, 0, 1], scores)
    assert float(metric.result()) == 1.0


def test_scores_outside_unit_interval_are_clipped_and_thresholds_are_inclusive():
    metric = metrics.KSStatistic(num_thresholds=3)  # thresholds 0, 0.5, 1
    metric.update_state([0, 1], [-3.0, 7.0])
    assert float(metric.result()) == 1.0
    fmr = metrics.FalseMatchRate(threshold=0.5)
    fmr.update_state([0, 0], [0.5, 0.4999])
    assert float(fmr.result()) == 0.5


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="`num_thresholds` must be an int >= 2; received 1"):
        metrics.EqualErrorRate(num_thresholds=1)
    with pytest.raises(ValueError, match=r"`fpr` must be a number in \[0, 1\]; received 2"):
        metrics.RecallAtFPR(fpr=2)
    with pytest.raises(ValueError, match="`threshold` must be a real number"):
        metrics.F1Score(threshold="high")


ALL = [
    metrics.EqualErrorRate(num_thresholds=51, name="eer"),
    metrics.KSStatistic(num_thresholds=51),
    metrics.RecallAtFPR(fpr=0.05, num_thresholds=51),
    metrics.BPCERAtAPCER(apcer=0.1, num_thresholds=51),
    metrics.FalseMatchRate(threshold=0.4),
    metrics.FalseNonMatchRate(threshold=0.4),
    metrics.F1Score(threshold=0.4),
]


@pytest.mark.parametrize("metric", ALL, ids=lambda metric: type(metric).__name__)
def test_config_round_trip(metric):
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(restored) is type(metric)
    assert restored.get_config() == metric.get_config()


def _identity_model():
    inputs = keras.Input((1,))
    return keras.Model(inputs, keras.layers.Identity()(inputs))


def test_compiled_evaluate_with_xla_equals_exact_on_grid_and_survives_keras_file(tmp_path):
    labels, scores = _data(8, size=300)
    scores = _floor_to_grid(scores, np.linspace(0, 1, 51).astype(np.float32))
    model = _identity_model()  # predictions are the inputs, bit for bit
    model.compile(loss="binary_crossentropy", metrics=list(ALL), jit_compile=True)
    results = model.evaluate(scores[:, None], labels, batch_size=32, return_dict=True, verbose=0)
    genuine, impostor = _genuine_impostor(labels, scores)
    expected = {
        "eer": exact.equal_error_rate(genuine, impostor)[0],
        "ks_statistic": exact.ks_statistic(labels, scores),
        "recall_at_fpr": exact.recall_at_fpr(labels, scores, 0.05),
        "bpcer_at_apcer": exact.bpcer_at_apcer(scores, 1 - labels, None, 0.1),
        "false_match_rate": exact.false_match_rate(genuine, impostor, 0.4),
        "false_non_match_rate": exact.false_non_match_rate(genuine, impostor, 0.4),
        "f1_score": exact.f1_score(labels, scores, 0.4),
    }
    for key, value in expected.items():
        assert results[key] == pytest.approx(value, abs=1e-6), key
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    again = reloaded.evaluate(scores[:, None], labels, batch_size=32, return_dict=True, verbose=0)
    for key in expected:
        assert again[key] == pytest.approx(results[key], abs=1e-7), key


def test_metrics_stream_inside_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, 0] + 0.3 * rng.normal(size=256) > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=list(ALL))
    history = model.fit(x, y, validation_data=(x, y), epochs=2, batch_size=64, verbose=0)
    for key in ("eer", "val_eer", "ks_statistic", "val_f1_score", "val_bpcer_at_apcer"):
        assert len(history.history[key]) == 2
        assert all(0.0 <= value <= 1.0 for value in history.history[key])
    # Validation metrics are computed with the final weights, so they match the exact
    # functions on the same predictions rounded to the grid.
    scores = model.predict(x, verbose=0)[:, 0].astype(np.float64)
    rounded = _floor_to_grid(scores, np.linspace(0, 1, 51).astype(np.float32))
    exact_ks = exact.ks_statistic(y, rounded)
    assert history.history["val_ks_statistic"][-1] == pytest.approx(exact_ks, abs=0.02)
