"""Chooses a model's operating threshold on validation data at the end of each epoch."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import keras
import numpy as np

from finvision._files import write_text
from finvision._validation import check_fraction
from finvision.callbacks import held_out
from finvision.metrics import pad, risk
from finvision.metrics.inputs import as_binary_labels, as_scores
from finvision.models.operating_threshold import find_operating_threshold


class ThresholdCalibration(keras.callbacks.Callback):
    """Picks the threshold that meets a target error rate on validation data.

    At the end of every ``every_n_epochs``-th epoch it predicts the whole
    validation set and takes the *smallest* threshold whose error rate is at
    most the target (so the largest TPR / lowest FNMR / lowest BPCER with it):

    - ``target_fpr`` or ``target_fmr``: negatives (label 0: impostors, genuine
      transactions) accepted with ``score >= t``
      (:func:`finvision.metrics.functional.threshold_at_fpr`);
    - ``target_apcer``: the worst attack species' APCER, with label 1 = bona fide
      (:func:`finvision.metrics.functional.threshold_at_apcer`).

    Where it is kept:

    - in the model, when the model has an
      :class:`~finvision.callbacks.OperatingThreshold` layer (or, for a
      subclassed model, an ``operating_threshold`` ``keras.Variable``): the value
      is a non-trainable weight, so ``model.save("m.keras")`` and
      ``ModelCheckpoint`` save it and ``keras.saving.load_model`` brings it back
      (read it with :func:`~finvision.callbacks.get_operating_threshold`). A
      plain functional model without that layer has nowhere to keep it: a
      ``.keras`` file stores only what the model's config declares, so a
      variable added afterwards would not reload;
    - in a JSON file, when ``filepath`` is given (a sidecar next to the saved
      model; with no layer in the model, ``filepath`` is required). It holds
      ``threshold`` (a number, or the string ``"inf"`` when only rejecting
      everything meets the target), the target, the rates reached and the epoch.

    It also writes the threshold into ``logs`` as ``val_threshold``, so
    ``CSVLogger`` and TensorBoard record it. List it before the callbacks that
    save or read the model (``ModelCheckpoint``), since callbacks run in order.

    Args:
        validation_data: ``(x, y)`` arrays or a re-iterable dataset of
            ``(x, y)`` batches; labels 0/1 (1 = positive / genuine / bona fide).
        target_fpr: the largest acceptable false positive rate. The default
            target when none is given is ``target_fpr=0.01``.
        target_fmr: the largest acceptable false match rate (the same rule,
            biometric vocabulary).
        target_apcer: the largest acceptable APCER of the worst attack species.
        species: attack species per validation sample, for ``target_apcer``
            (entries of bona fide samples are ignored); None = one species.
        filepath: where to write the JSON sidecar, or None.
        every_n_epochs: calibrate after every n-th epoch.
        positive_class: the output column of the positive class for models
            with ``(n, k)`` outputs (labels: class ids or one-hot).
        batch_size: batch size for predicting array data.

    Example:
    >>> import keras, numpy as np
    >>> from finvision.callbacks import OperatingThreshold, get_operating_threshold
    >>> inputs = keras.Input((1,))
    >>> model = keras.Model(inputs, OperatingThreshold()(inputs))  # outputs its input
    >>> x = np.array([[0.125], [0.25], [0.5], [0.375], [0.75], [0.875]])
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> calibration = ThresholdCalibration((x, y), target_fpr=0.0)
    >>> calibration.set_model(model)
    >>> logs = {}
    >>> calibration.on_epoch_end(0, logs)
    >>> logs, get_operating_threshold(model)
    ({'val_threshold': 0.75}, 0.75)
    """

    def __init__(
        self,
        validation_data: Any,
        *,
        target_fpr: float | None = None,
        target_fmr: float | None = None,
        target_apcer: float | None = None,
        species: Any = None,
        filepath: str | os.PathLike | None = None,
        every_n_epochs: int = 1,
        positive_class: int | None = None,
        batch_size: int = 256,
    ) -> None:
        super().__init__()
        held_out.check_validation_data(validation_data)
        targets = {
            name: value
            for name, value in (("fpr", target_fpr), ("fmr", target_fmr), ("apcer", target_apcer))
            if value is not None
        }
        if len(targets) > 1:
            raise ValueError(
                "Give one of `target_fpr`, `target_fmr`, `target_apcer`; received "
                f"{', '.join(f'target_{name}' for name in targets)}."
            )
        self.target_name, target = next(iter(targets.items()), ("fpr", 0.01))
        self.target = check_fraction(f"target_{self.target_name}", target)
        if species is not None and self.target_name != "apcer":
            raise ValueError("`species` applies to `target_apcer` only.")
        if isinstance(every_n_epochs, bool) or not isinstance(every_n_epochs, int):
            raise ValueError(f"`every_n_epochs` must be an int >= 1; received {every_n_epochs!r}.")
        if every_n_epochs < 1:
            raise ValueError(f"`every_n_epochs` must be an int >= 1; received {every_n_epochs}.")
        self.validation_data = validation_data
        self.species = species
        self.filepath = None if filepath is None else Path(filepath)
        self.every_n_epochs = every_n_epochs
        self.positive_class = positive_class
        self.batch_size = batch_size
        #: The last threshold chosen, or None before the first calibration.
        self.threshold: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.filepath is None and find_operating_threshold(self.model) is None:
            raise ValueError(
                f"ThresholdCalibration has nowhere to keep the threshold of model "
                f"{self.model.name!r}: add a `finvision.callbacks.OperatingThreshold` layer "
                "on its score output (saved with the model), or pass `filepath=` for a "
                "JSON sidecar."
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every_n_epochs:
            return
        labels, scores = held_out.binary_scores(
            *held_out.predict(self.model, self.validation_data, self.batch_size),
            self.positive_class,
        )
        labels, scores = as_binary_labels(labels, "y"), as_scores(scores, "model scores")
        if self.target_name == "apcer":
            threshold = pad.threshold_at_apcer(scores, ~labels, self.species, self.target)
            per_species, apcer, bpcer = pad.apcer_bpcer(scores, ~labels, self.species, threshold)
            reached = {"apcer": apcer, "bpcer": bpcer, "apcer_per_species": per_species}
        else:
            threshold = risk.threshold_at_fpr(labels, scores, self.target)
            (tn, fp), (fn, tp) = risk.confusion_matrix(labels, scores, threshold)
            reached = {self.target_name: fp / (fp + tn), "tpr": tp / (tp + fn)}
        self.threshold = threshold
        variable = find_operating_threshold(self.model)
        if variable is not None:
            variable.assign(np.float32(threshold))
        if self.filepath is not None:
            self._write(threshold, reached, epoch)
        if logs is not None:
            logs["val_threshold"] = threshold

    def _write(self, threshold: float, reached: dict, epoch: int) -> None:
        record = {
            "threshold": threshold if np.isfinite(threshold) else "inf",
            "decision": "accept when score >= threshold",
            "target": {self.target_name: self.target},
            "reached": {
                key: {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
                for key, value in reached.items()
            },
            "epoch": epoch + 1,
        }
        write_text(self.filepath, json.dumps(record, indent=2) + "\n")
