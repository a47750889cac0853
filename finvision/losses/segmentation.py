"""Dice + binary cross-entropy for per-pixel masks."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from finvision.losses._common import check_number


@keras.saving.register_keras_serializable(package="finvision")
class DiceBCELoss(keras.losses.Loss):
    """``bce_weight * BCE + dice_weight * (1 - Dice)`` for binary masks, per image.

    For each image, with ``p`` the predicted probabilities and ``t`` the target
    mask (values in [0, 1]) summed over every pixel and channel:

    - ``BCE`` is the mean binary cross-entropy over the pixels;
    - ``Dice = (2 * sum(p * t) + smooth) / (sum(p) + sum(t) + smooth)``, the soft
      Dice coefficient.

    Cross-entropy gives every pixel a gradient; Dice counts the edited region as
    a whole, so a small region is not drowned by the untouched background.
    Dice is taken per image: an image with an empty target scores
    ``smooth / (sum(p) + smooth)``, which rewards predicting nothing there.
    ``y_true`` may lack the trailing channel axis of ``y_pred``. One value per
    image, ``(N,)``, reduced by ``reduction``.

    Args:
        dice_weight: weight of the Dice term, >= 0.
        bce_weight: weight of the cross-entropy term, >= 0 (not both 0).
        smooth: the Dice smoothing constant, > 0.
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        name: the loss name.
        reduction: the Keras reduction of the per-image values.
        dtype: the dtype the loss computes in (float32 by default, also under
            mixed precision).

    Example:
    >>> import numpy as np
    >>> target = np.zeros((1, 4, 4, 1), "float32")
    >>> target[0, :2, :2] = 1.0
    >>> loss = DiceBCELoss(bce_weight=0.0, smooth=1.0)
    >>> round(float(loss(target, target)), 6)  # a perfect mask: Dice 1
    0.0
    >>> round(float(loss(target, np.full_like(target, 0.5))), 4)  # Dice (4 + 1) / (8 + 4 + 1)
    0.6154
    """

    def __init__(
        self,
        dice_weight: float = 1.0,
        bce_weight: float = 1.0,
        smooth: float = 1.0,
        from_logits: bool = False,
        name: str = "dice_bce_loss",
        reduction: str = "sum_over_batch_size",
        dtype: str | None = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.dice_weight = check_number("dice_weight", dice_weight, strict=False)
        self.bce_weight = check_number("bce_weight", bce_weight, strict=False)
        if self.dice_weight == self.bce_weight == 0.0:
            raise ValueError("`dice_weight` and `bce_weight` cannot both be 0.")
        self.smooth = check_number("smooth", smooth)
        self.from_logits = bool(from_logits)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        if len(y_true.shape) == len(y_pred.shape) - 1:
            y_true = ops.expand_dims(y_true, -1)
        if len(y_true.shape) != len(y_pred.shape) or len(y_pred.shape) < 2:
            raise ValueError(
                "`y_true` and `y_pred` must be masks of the same shape (N, ...); received "
                f"shapes {tuple(y_true.shape)} and {tuple(y_pred.shape)}."
            )
        axes = tuple(range(1, len(y_pred.shape)))
        bce = ops.mean(
            ops.binary_crossentropy(y_true, y_pred, from_logits=self.from_logits), axis=axes
        )
        probabilities = ops.sigmoid(y_pred) if self.from_logits else y_pred
        overlap = ops.sum(probabilities * y_true, axis=axes)
        total = ops.sum(probabilities, axis=axes) + ops.sum(y_true, axis=axes)
        dice = (2.0 * overlap + self.smooth) / (total + self.smooth)
        return self.bce_weight * bce + self.dice_weight * (1.0 - dice)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "dice_weight": self.dice_weight,
            "bce_weight": self.bce_weight,
            "smooth": self.smooth,
            "from_logits": self.from_logits,
        }
