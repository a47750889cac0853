"""Exact metrics on the whole validation set at epoch end, written into ``logs``."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from finvision.callbacks import held_out
from finvision.metrics import biometric, pad, risk
from finvision.metrics.inputs import as_binary_labels, as_scores, as_threshold

ScoreMetric = Callable[[np.ndarray, np.ndarray, Any, float], float]


def _split(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return scores[labels], scores[~labels]


#: Built-in report entries: name -> f(labels, scores, species, threshold).
BUILTIN_METRICS: dict[str, ScoreMetric] = {
    "roc_auc": lambda y, s, species, t: risk.roc_auc(y, s),
    "ks": lambda y, s, species, t: risk.ks_statistic(y, s),
    "recall_at_fpr": lambda y, s, species, t: risk.recall_at_fpr(y, s, fpr=0.01),
    "f1": lambda y, s, species, t: risk.f1_score(y, s, threshold=t),
    "eer": lambda y, s, species, t: biometric.equal_error_rate(*_split(y, s))[0],
    "fnmr_at_fmr": lambda y, s, species, t: biometric.fnmr_at_fmr(*_split(y, s), fmr=0.01),
    "fmr": lambda y, s, species, t: biometric.false_match_rate(*_split(y, s), threshold=t),
    "fnmr": lambda y, s, species, t: biometric.false_non_match_rate(*_split(y, s), threshold=t),
    "apcer": lambda y, s, species, t: pad.apcer_bpcer(s, ~y, species, t)[1],
    "bpcer": lambda y, s, species, t: pad.apcer_bpcer(s, ~y, species, t)[2],
    "bpcer_at_apcer": lambda y, s, species, t: pad.bpcer_at_apcer(s, ~y, species, apcer=0.05),
}


class EvaluationReport(keras.callbacks.Callback):
    """Computes exact metrics on the whole validation set and adds them to ``logs``.

    Streaming Keras metrics approximate curve metrics over a threshold grid and
    see one batch at a time; this callback predicts the whole validation set at
    the end of every ``every_n_epochs``-th epoch and computes the exact values
    with :mod:`finvision.metrics.functional`. Each value goes into the epoch's
    ``logs`` as ``prefix + name`` (``val_eer``, ...), so ``EarlyStopping``,
    ``ModelCheckpoint``, ``ReduceLROnPlateau``, ``CSVLogger``, ``TensorBoard``
    and the ``History`` returned by ``fit`` see them. Callbacks run in list
    order: put this one *before* those that read the logs. On other epochs the
    keys are absent, as with ``fit(validation_freq=...)``.

    Built-in names, for labels 0/1 (1 = positive / genuine / bona fide) and one
    score per sample (higher = more positive):

    - ``"roc_auc"``, ``"ks"``, ``"recall_at_fpr"`` (FPR <= 1%), ``"f1"``;
    - ``"eer"``, ``"fnmr_at_fmr"`` (FMR <= 1%), ``"fmr"``, ``"fnmr"``;
    - ``"apcer"`` (worst species), ``"bpcer"``, ``"bpcer_at_apcer"`` (BPCER20),
      with attack species from ``species``.

    ``"f1"``, ``"fmr"``, ``"fnmr"``, ``"apcer"`` and ``"bpcer"`` use ``threshold``.
    Anything else (another target, OCR error rates after decoding) is a
    callable in a dict ``{name: fn}``; ``fn(y_true, y_pred)`` receives the raw
    labels and model outputs as NumPy arrays and returns a float.

    Args:
        validation_data: ``(x, y)`` arrays or a re-iterable dataset of
            ``(x, y)`` batches, in a fixed order when ``species`` is given.
        metrics: built-in names, and/or a dict of name -> callable.
        every_n_epochs: compute after every n-th epoch.
        species: attack species per validation sample for the PAD metrics, or
            None for a single species.
        threshold: decision threshold of the metrics at a fixed threshold.
        positive_class: the output column of the positive class for models
            with ``(n, k)`` outputs (labels: class ids or one-hot).
        batch_size: batch size for predicting array data.
        prefix: prepended to each name to form the log key.

    Raises:
        ValueError: for unknown names, or (at epoch end) a log key that another
            metric already wrote.

    Example:
    >>> import keras, numpy as np
    >>> inputs = keras.Input((1,))
    >>> model = keras.Model(inputs, keras.layers.Identity()(inputs))  # score = x
    >>> x = np.array([[0.9], [0.8], [0.7], [0.3], [0.1], [0.2], [0.4], [0.75]])
    >>> y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    >>> report = EvaluationReport((x, y), metrics=["eer", {"positives": lambda y, p: y.sum()}])
    >>> report.set_model(model)
    >>> logs = {"loss": 0.3}
    >>> report.on_epoch_end(0, logs)
    >>> logs
    {'loss': 0.3, 'val_eer': 0.25, 'val_positives': 4.0}
    """

    def __init__(
        self,
        validation_data: Any,
        metrics: Sequence[str | Mapping[str, Callable[[Any, Any], float]]] = ("roc_auc",),
        every_n_epochs: int = 1,
        *,
        species: Any = None,
        threshold: float = 0.5,
        positive_class: int | None = None,
        batch_size: int = 256,
        prefix: str = "val_",
    ) -> None:
        super().__init__()
        held_out.check_validation_data(validation_data)
        if isinstance(every_n_epochs, bool) or not isinstance(every_n_epochs, int):
            raise ValueError(f"`every_n_epochs` must be an int >= 1; received {every_n_epochs!r}.")
        if every_n_epochs < 1:
            raise ValueError(f"`every_n_epochs` must be an int >= 1; received {every_n_epochs}.")
        self.validation_data = validation_data
        self.builtin, self.custom = _resolve(metrics)
        self.every_n_epochs = every_n_epochs
        self.species = species
        self.threshold = as_threshold(threshold)
        self.positive_class = positive_class
        self.batch_size = batch_size
        self.prefix = prefix
        #: The values of the last report, keyed by log key.
        self.results: dict[str, float] = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every_n_epochs:
            return
        y_true, y_pred = held_out.predict(self.model, self.validation_data, self.batch_size)
        results = {}
        if self.builtin:
            labels, scores = held_out.binary_scores(y_true, y_pred, self.positive_class)
            labels, scores = as_binary_labels(labels, "y"), as_scores(scores, "model scores")
            for name in self.builtin:
                value = BUILTIN_METRICS[name](labels, scores, self.species, self.threshold)
                results[self.prefix + name] = float(value)
        for name, function in self.custom.items():
            results[self.prefix + name] = float(function(y_true, y_pred))
        if logs is not None:
            taken = sorted(key for key in results if key in logs)
            if taken:
                raise ValueError(
                    f"EvaluationReport would overwrite {taken}, already in the logs (from "
                    "compiled metrics or another callback); rename its metrics or change "
                    "`prefix`."
                )
            logs.update(results)
        self.results = results


def _resolve(
    metrics: Sequence[str | Mapping[str, Callable[[Any, Any], float]]],
) -> tuple[list[str], dict[str, Callable[[Any, Any], float]]]:
    if isinstance(metrics, (str, Mapping)):
        metrics = [metrics]
    builtin, custom = [], {}
    for entry in metrics:
        if isinstance(entry, Mapping):
            for name, function in entry.items():
                if not callable(function):
                    raise ValueError(f"Metric {name!r} must be callable; received {function!r}.")
                custom[str(name)] = function
        elif entry in BUILTIN_METRICS:
            builtin.append(entry)
        else:
            close = difflib.get_close_matches(str(entry), list(BUILTIN_METRICS), n=3)
            hint = f" Closest: {', '.join(close)}." if close else ""
            raise ValueError(
                f"Unknown report metric {entry!r}.{hint} Built-in names: "
                f"{sorted(BUILTIN_METRICS)}; pass other metrics as a dict name -> fn(y_true, "
                "y_pred)."
            )
    if not builtin and not custom:
        raise ValueError("`metrics` is empty; name at least one metric.")
    duplicates = sorted(set(builtin) & set(custom))
    if duplicates or len(set(builtin)) != len(builtin):
        raise ValueError(f"Metric names must be unique; repeated: {duplicates or builtin}.")
    return builtin, custom
