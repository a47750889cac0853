"""Keras callbacks that evaluate, calibrate and plot on the whole validation set.

- :class:`EvaluationReport`: exact metrics at epoch end, written into ``logs``
  (``val_eer``, ``val_ks``, ...) for ``EarlyStopping``, ``ModelCheckpoint``,
  ``CSVLogger`` and TensorBoard.
- :class:`ThresholdCalibration`: chooses the operating threshold for a target
  FPR, FMR or APCER and stores it in an :class:`OperatingThreshold` layer
  (saved with the model) or a JSON sidecar.
- :class:`CurvePlots`: ROC, DET and confusion-matrix PNGs and TensorBoard images
  (needs ``pip install "finvision[plots]"``).

Example:
>>> import numpy as np
>>> from finvision import callbacks
>>> sorted(callbacks.EvaluationReport((np.zeros((2, 1)), np.zeros(2)), ["eer", "ks"]).builtin)
['eer', 'ks']
"""

from finvision.callbacks.curve_plots import CurvePlots
from finvision.callbacks.evaluation_report import BUILTIN_METRICS, EvaluationReport
from finvision.callbacks.threshold_calibration import ThresholdCalibration
from finvision.models.operating_threshold import (
    OperatingThreshold,
    find_operating_threshold,
    get_operating_threshold,
)

__all__ = [
    "BUILTIN_METRICS",
    "CurvePlots",
    "EvaluationReport",
    "OperatingThreshold",
    "ThresholdCalibration",
    "find_operating_threshold",
    "get_operating_threshold",
]
