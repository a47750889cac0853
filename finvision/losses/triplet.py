"""Triplet loss with batch semi-hard negative mining."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.losses._common import MarginEmbeddingLoss

# Stands in for "no candidate" before taking a minimum; larger than any distance.
_FAR = 1e30


@keras.saving.register_keras_serializable(package="finvision")
class TripletLoss(MarginEmbeddingLoss):
    """Triplet loss on every anchor-positive pair, with semi-hard negatives.

    The triplets are mined inside the batch, as FaceNet (Schroff, Kalenichenko
    and Philbin, CVPR 2015) does. With ``d`` the Euclidean distance, every
    ordered pair ``(a, p)`` of distinct samples sharing a label is an
    anchor-positive pair, and its negative ``n`` (a sample with another label) is:

    - the *semi-hard* negative: the closest one to the anchor among those
      farther than the positive, ``min d(a, n)`` with ``d(a, n) > d(a, p)``;
    - if no negative is farther than the positive, the farthest negative,
      ``max d(a, n)``.

    The pair costs ``max(d(a, p) - d(a, n) + margin, 0)``; the loss is the mean
    over the anchor-positive pairs whose anchor has at least one negative, one
    number per batch (0 if there is none). This is the rule of
    ``tfa.losses.TripletSemiHardLoss``. ``y_true`` holds identity labels,
    ``(N,)`` or ``(N, 1)``; ``y_pred`` the embeddings ``(N, D)``. Mining looks
    at ``N ** 3`` candidates, which is cheap for batches of a few hundred.

    Args:
        margin: the distance by which negatives should be farther than
            positives, > 0. For unit-norm embeddings distances lie in [0, 2].
        name: the loss name.
        reduction: the Keras reduction (the loss is already one number).
        dtype: the dtype the loss computes in (float32 by default, also under
            mixed precision).

    Example:
    >>> import numpy as np
    >>> embeddings = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    >>> # anchor 0, positive 1 (d = 1): semi-hard negative 2 (d = 2), cost 1 - 2 + 1.5
    >>> # anchor 1, positive 0 (d = 1): semi-hard negative 3 (d = 2), cost 0.5
    >>> float(TripletLoss(margin=1.5)([7, 7, 8, 9], embeddings))
    0.5
    """

    def __init__(
        self,
        margin: float = 0.5,
        name: str = "triplet_loss",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ) -> None:
        super().__init__(margin, name, reduction, dtype)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        distances, same = self.distances_and_same(y_true, y_pred)  # d[a, j]
        count = ops.shape(distances)[0]
        negative = ops.logical_not(same)
        positive = ops.logical_and(same, ops.logical_not(ops.eye(count, dtype="bool")))

        # candidates[a, p, n]: n is a negative of a, farther from a than p is.
        farther = distances[:, None, :] > distances[:, :, None]
        candidates = ops.logical_and(negative[:, None, :], farther)
        semi_hard = ops.min(ops.where(candidates, distances[:, None, :], _FAR), axis=2)
        farthest = ops.max(ops.where(negative, distances, ops.zeros_like(distances)), axis=1)
        negatives = ops.where(ops.any(candidates, axis=2), semi_hard, farthest[:, None])

        valid = ops.logical_and(positive, ops.any(negative, axis=1)[:, None])
        costs = ops.relu(distances - negatives + self.margin)
        valid = ops.cast(valid, costs.dtype)
        return ops.sum(costs * valid) / ops.maximum(ops.sum(valid), 1.0)
