"""Metrics banks judge models by: error rates at operating points, not accuracy.

Two layers with one set of definitions (score convention: higher = more likely
genuine / bona fide / positive; a sample is accepted when ``score >= threshold``):

- :mod:`finvision.metrics.functional`: exact functions on NumPy arrays, for
  reports and for calibrating thresholds on a whole validation set.
- Stateful Keras metrics for ``model.compile(metrics=[...])``, streaming over
  batches: :class:`EqualErrorRate`, :class:`FalseMatchRate`,
  :class:`FalseNonMatchRate`, :class:`KSStatistic`, :class:`RecallAtFPR`,
  :class:`BPCERAtAPCER`, :class:`F1Score`, :class:`CharacterErrorRate`,
  :class:`WordErrorRate`.

Example:
>>> from finvision import metrics
>>> metrics.functional.fnmr_at_fmr([0.9, 0.8, 0.3], [0.1, 0.2, 0.5, 0.85], fmr=0.25)
0.3333333333333333
>>> metrics.EqualErrorRate(num_thresholds=101).name
'equal_error_rate'
"""

from finvision.metrics import functional
from finvision.metrics.streaming import (
    BPCERAtAPCER,
    EqualErrorRate,
    F1Score,
    FalseMatchRate,
    FalseNonMatchRate,
    KSStatistic,
    RecallAtFPR,
)
from finvision.metrics.streaming_text import CharacterErrorRate, WordErrorRate

__all__ = [
    "BPCERAtAPCER",
    "CharacterErrorRate",
    "EqualErrorRate",
    "F1Score",
    "FalseMatchRate",
    "FalseNonMatchRate",
    "KSStatistic",
    "RecallAtFPR",
    "WordErrorRate",
    "functional",
]
