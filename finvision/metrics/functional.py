"""Exact metric functions: NumPy arrays in, Python floats out.

Every function here is the textbook definition computed on the whole data set,
with the score convention "higher = more likely genuine / bona fide / positive"
and the decision rule "accept when ``score >= threshold``". They are the
reference the streaming Keras metrics in :mod:`finvision.metrics.streaming` are
tested against. See the module of each group for its definitions and tie rules:
:mod:`~finvision.metrics.biometric` (FMR, FNMR, EER),
:mod:`~finvision.metrics.pad` (APCER, BPCER), :mod:`~finvision.metrics.risk`
(ROC, AUC, KS, recall at FPR, F1) and :mod:`~finvision.metrics.ocr` (CER, WER).

Example:
>>> from finvision.metrics import functional
>>> functional.equal_error_rate([0.9, 0.8, 0.7, 0.3], [0.1, 0.2, 0.4, 0.75])
(0.25, 0.7)
>>> functional.character_error_rate(["IBAN"], ["1BAN"])
0.25
"""

from finvision.metrics.biometric import (
    det_curve,
    equal_error_rate,
    false_match_rate,
    false_non_match_rate,
    fnmr_at_fmr,
    threshold_at_fmr,
)
from finvision.metrics.ocr import (
    character_error_rate,
    edit_distance,
    exact_match_rate,
    word_error_rate,
)
from finvision.metrics.pad import (
    apcer_bpcer,
    average_classification_error_rate,
    bpcer_at_apcer,
    threshold_at_apcer,
)
from finvision.metrics.risk import (
    confusion_matrix,
    f1_score,
    ks_statistic,
    recall_at_fpr,
    roc_auc,
    roc_curve,
    threshold_at_fpr,
)

__all__ = [
    "apcer_bpcer",
    "average_classification_error_rate",
    "bpcer_at_apcer",
    "character_error_rate",
    "confusion_matrix",
    "det_curve",
    "edit_distance",
    "equal_error_rate",
    "exact_match_rate",
    "f1_score",
    "false_match_rate",
    "false_non_match_rate",
    "fnmr_at_fmr",
    "ks_statistic",
    "recall_at_fpr",
    "roc_auc",
    "roc_curve",
    "threshold_at_apcer",
    "threshold_at_fmr",
    "threshold_at_fpr",
    "word_error_rate",
]
