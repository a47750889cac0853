"""Contrastive loss over every pair of a batch of embeddings."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.losses._common import MarginEmbeddingLoss


@keras.saving.register_keras_serializable(package="finvision")
class ContrastiveLoss(MarginEmbeddingLoss):
    """Pulls same-identity embeddings together and pushes others ``margin`` apart.

    The contrastive loss of Hadsell, Chopra and LeCun (CVPR 2006), taken over
    every pair ``i < j`` of the batch with ``d`` their Euclidean distance:

    - same label (a genuine pair): ``d ** 2``;
    - different labels (an impostor pair): ``max(margin - d, 0) ** 2``.

    The loss is the mean over all ``N * (N - 1) / 2`` pairs, one number per batch
    (0 for a batch of one). ``y_true`` holds identity labels (writer, person),
    shape ``(N,)`` or ``(N, 1)``; ``y_pred`` the embeddings ``(N, D)``, such as
    the L2-normalised output of :class:`~finvision.models.verification.SiameseVerifier`,
    for which ``d ** 2 = 2 - 2 * cos`` and ``d`` lies in [0, 2]. Batches need
    several images of each identity for genuine pairs to occur.

    Args:
        margin: the distance beyond which impostor pairs cost nothing, > 0.
        name: the loss name.
        reduction: the Keras reduction (the loss is already one number).
        dtype: the dtype the loss computes in (float32 by default, also under
            mixed precision).

    Example:
    >>> import numpy as np
    >>> embeddings = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    >>> # pairs: (0, 1) genuine, d^2 = 0.8; (0, 2) and (1, 2) impostors, d = 1.414, 0.632
    >>> round(float(ContrastiveLoss(margin=1.0)([0, 0, 1], embeddings)), 4)
    0.3117
    """

    def __init__(
        self,
        margin: float = 1.0,
        name: str = "contrastive_loss",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ) -> None:
        super().__init__(margin, name, reduction, dtype)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        distances, same = self.distances_and_same(y_true, y_pred)
        pair_losses = ops.where(
            same, ops.square(distances), ops.square(ops.relu(self.margin - distances))
        )
        count = ops.shape(distances)[0]
        upper = ops.triu(ops.ones((count, count), dtype=pair_losses.dtype), k=1)
        pairs = ops.maximum(ops.sum(upper), 1.0)
        return ops.sum(pair_losses * upper) / pairs
