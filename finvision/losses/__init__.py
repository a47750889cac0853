"""Losses for verification and tamper segmentation, written with ``keras.ops``.

- Metric learning on embeddings (``y_true``: identity labels, ``y_pred``:
  embeddings ``(N, D)``, triplets and pairs formed inside the batch):
  :class:`ContrastiveLoss`, :class:`TripletLoss` (semi-hard mining).
- Margin classification over training identities: :class:`ArcFaceHead` (the
  class centres, a layer) with :class:`ArcFaceLoss`.
- Masks: :class:`DiceBCELoss`.

Every class is registered as Keras-serializable under ``finvision``.

Example:
>>> import numpy as np
>>> from finvision import losses
>>> embeddings = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
>>> float(losses.ContrastiveLoss(margin=1.0)([0, 0, 1], embeddings))  # impostors beyond 1
0.0
"""

from finvision.losses.arcface import ArcFaceHead, ArcFaceLoss
from finvision.losses.contrastive import ContrastiveLoss
from finvision.losses.segmentation import DiceBCELoss
from finvision.losses.triplet import TripletLoss

__all__ = ["ArcFaceHead", "ArcFaceLoss", "ContrastiveLoss", "DiceBCELoss", "TripletLoss"]
