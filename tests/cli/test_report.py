"""The evaluation report of the commands against scikit-learn."""

import numpy as np
import pytest
from sklearn import metrics

from finvision.cli._common import UsageError
from finvision.cli._report import evaluate_predictions

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 4, 200)
PROBABILITIES = RNG.dirichlet(np.ones(4), 200) + np.eye(4)[LABELS] * RNG.uniform(0, 0.6, (200, 1))
PROBABILITIES /= PROBABILITIES.sum(axis=1, keepdims=True)
NAMES = ["cheque", "id_card", "signature_card", "tampered_cheque"]


def test_multiclass_scores_match_scikit_learn():
    report = evaluate_predictions(LABELS, PROBABILITIES, NAMES, "tampered_cheque")
    predicted = PROBABILITIES.argmax(axis=1)
    assert report.accuracy == pytest.approx(metrics.accuracy_score(LABELS, predicted))
    assert report.macro_f1 == pytest.approx(metrics.f1_score(LABELS, predicted, average="macro"))
    precision, recall, f1, support = metrics.precision_recall_fscore_support(LABELS, predicted)
    for index, name in enumerate(NAMES):
        scores = report.per_class[name]
        assert (scores["precision"], scores["recall"], scores["f1"], scores["support"]) == (
            pytest.approx(precision[index]),
            pytest.approx(recall[index]),
            pytest.approx(f1[index]),
            support[index],
        )
    np.testing.assert_array_equal(report.confusion, metrics.confusion_matrix(LABELS, predicted))
    positive = LABELS == 3
    assert report.one_vs_rest["roc_auc"] == pytest.approx(
        metrics.roc_auc_score(positive, PROBABILITIES[:, 3])
    )
    fpr, tpr, _ = metrics.roc_curve(positive, PROBABILITIES[:, 3])
    assert report.one_vs_rest["ks"] == pytest.approx(np.max(tpr - fpr))
    assert report.one_vs_rest["recall_at_1pct_fpr"] == pytest.approx(tpr[fpr <= 0.01].max())


def test_binary_sigmoid_output_reads_as_class_one():
    scores = np.array([[0.9], [0.2], [0.7], [0.4]])
    report = evaluate_predictions([1, 0, 0, 1], scores, ["genuine", "forged"])
    assert report.positive_class == "forged"
    assert report.accuracy == 0.5
    assert report.one_vs_rest["roc_auc"] == pytest.approx(0.75)


def test_report_prints_and_serialises(capsys):
    report = evaluate_predictions(LABELS, PROBABILITIES, NAMES, "tampered_cheque")
    report.print()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"accuracy {report.accuracy:.4f}   macro F1 {report.macro_f1:.4f}"
    assert printed[1].split() == ["class", "precision", "recall", "F1", "images"]
    assert printed[6] == "tampered_cheque against the other classes:"
    assert report.as_dict()["confusion"] == report.confusion.tolist()


def test_unknown_positive_class():
    with pytest.raises(UsageError, match=r"--positive must be one of \['a', 'b'\]; received 'c'"):
        evaluate_predictions([0, 1], np.eye(2), ["a", "b"], "c")
