"""Softmax outputs: one-vs-rest streaming metrics (``positive_class``), K x K confusion matrices."""

import keras
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

from finvision import metrics
from finvision.metrics import functional as exact

GRID = 21
ONE_VS_REST = {
    "EqualErrorRate": lambda **kw: metrics.EqualErrorRate(num_thresholds=GRID, **kw),
    "KSStatistic": lambda **kw: metrics.KSStatistic(num_thresholds=GRID, **kw),
    "RecallAtFPR": lambda **kw: metrics.RecallAtFPR(0.1, num_thresholds=GRID, **kw),
    "BPCERAtAPCER": lambda **kw: metrics.BPCERAtAPCER(0.1, num_thresholds=GRID, **kw),
    "FalseMatchRate": lambda **kw: metrics.FalseMatchRate(0.3, **kw),
    "FalseNonMatchRate": lambda **kw: metrics.FalseNonMatchRate(0.3, **kw),
    "F1Score": lambda **kw: metrics.F1Score(0.3, **kw),
}


def _softmax_outputs(seed, size=300, classes=3):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size)
    logits = rng.normal(size=(size, classes)) + 1.5 * np.eye(classes)[labels]
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return labels, probabilities.astype(np.float32)


@pytest.mark.parametrize("name", ONE_VS_REST)
@pytest.mark.parametrize("positive_class", [0, 2])
def test_one_vs_rest_equals_the_binary_metric_on_that_column(name, positive_class):
    labels, probabilities = _softmax_outputs(seed=positive_class)
    sparse = ONE_VS_REST[name](positive_class=positive_class)
    one_hot = ONE_VS_REST[name](positive_class=positive_class)
    binary = ONE_VS_REST[name]()
    for part in np.array_split(np.arange(labels.size), 3):
        sparse.update_state(labels[part], probabilities[part])
        one_hot.update_state(np.eye(3)[labels[part]], probabilities[part])
        binary.update_state(labels[part] == positive_class, probabilities[part, positive_class])
    assert float(sparse.result()) == float(binary.result())
    assert float(one_hot.result()) == float(binary.result())
    assert 0.0 <= float(binary.result()) <= 1.0


def test_one_vs_rest_inside_compiled_fit_of_a_softmax_classifier():
    labels, probabilities = _softmax_outputs(seed=5, size=256)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=[
            metrics.RecallAtFPR(0.1, GRID, positive_class=2),
            metrics.F1Score(0.3, positive_class=2),
        ],
        jit_compile=True,
    )
    results = model.evaluate(probabilities, labels, batch_size=32, return_dict=True, verbose=0)
    scores = probabilities[:, 2].astype(np.float64)
    grid = np.linspace(0, 1, GRID).astype(np.float32).astype(np.float64)
    floored = grid[np.searchsorted(grid, scores, side="right") - 1]
    positive = (labels == 2).astype(int)
    assert results["recall_at_fpr"] == pytest.approx(exact.recall_at_fpr(positive, floored, 0.1))
    assert results["f1_score"] == pytest.approx(exact.f1_score(positive, scores, 0.3), abs=1e-6)


def test_positive_class_round_trips_and_is_checked():
    metric = metrics.RecallAtFPR(positive_class=1)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert restored.positive_class == 1 and restored.get_config() == metric.get_config()
    with pytest.raises(ValueError, match=r"`positive_class` must be None or a class index .*'1'"):
        metrics.F1Score(positive_class="1")
    with pytest.raises(ValueError, match=r"needs `y_pred` of shape \(batch, classes\).*\(4,\)"):
        metrics.KSStatistic(positive_class=0).update_state([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"class index below 3 .*received 3"):
        metrics.KSStatistic(positive_class=3).update_state([0], [[0.2, 0.3, 0.5]])


@pytest.mark.parametrize("seed", range(3))
def test_multiclass_confusion_matrix_equals_scikit_learn(seed):
    labels, probabilities = _softmax_outputs(seed, size=200, classes=4)
    expected = sklearn_confusion_matrix(labels, probabilities.argmax(1), labels=range(4))
    np.testing.assert_array_equal(exact.confusion_matrix(labels, probabilities), expected)


def test_multiclass_confusion_matrix_refuses_labels_that_are_not_class_indices():
    scores = [[0.2, 0.3, 0.5]] * 3
    with pytest.raises(ValueError, match=r"class indices 0 to 2; .*\[3\.0, 0\.5\]"):
        exact.confusion_matrix([3, 0.5, 1], scores)
    with pytest.raises(ValueError, match=r"`y_score\[:, 1\]` must be finite"):
        exact.confusion_matrix([0, 1], [[0.2, np.nan], [0.1, 0.9]])
    with pytest.raises(ValueError, match=r"`y_score` must be 1-D .*\(2, 3\)"):
        exact.f1_score([0, 1], [[0.2, 0.3, 0.5]] * 2)
