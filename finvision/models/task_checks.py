"""Argument checks shared by the task models: clear errors naming the argument."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

#: Stride of the coarsest pyramid level, P5.
MAX_STRIDE = 32


def check_feature_backbone(backbone: Any, task: str) -> None:
    """Checks that ``backbone`` is a Keras model ending in one feature map or vector.

    Args:
        backbone: the candidate backbone.
        task: the task model's class name, for the error message.

    Raises:
        TypeError: if ``backbone`` is not a ``keras.Model``.
        ValueError: if it outputs a dict of pyramid levels.

    Example:
    >>> check_feature_backbone("resnet18", "SiameseVerifier")
    Traceback (most recent call last):
    ...
    TypeError: `backbone` must be a keras.Model such as finvision.models.create_backbone(...); received str.
    """  # noqa: E501
    _check_model(backbone)
    if isinstance(backbone.output, dict):
        raise ValueError(
            f"`backbone` outputs a dict of pyramid levels (features_only=True); {task} needs "
            "the final feature map: create it with features_only=False."
        )


def check_pyramid_backbone(backbone: Any, task: str) -> None:
    """Checks that ``backbone`` exposes pyramid levels a decoder can align.

    Args:
        backbone: the candidate backbone.
        task: the task model's class name, for the error message.

    Raises:
        TypeError: if ``backbone`` is not a ``keras.Model``.
        ValueError: if it has no ``pyramid_outputs`` ``"P1"`` to ``"P5"``, or a
            fixed height or width that is not a multiple of 32.

    Example:
    >>> from finvision.models import create_backbone
    >>> check_pyramid_backbone(create_backbone("resnet18", input_shape=(48, 64, 3)), "Segmenter")
    Traceback (most recent call last):
    ...
    ValueError: Segmenter needs an input height and width that are multiples of 32 (or None); the backbone takes (48, 64, 3).
    """  # noqa: E501
    _check_model(backbone)
    pyramid = getattr(backbone, "pyramid_outputs", None)
    if not isinstance(pyramid, dict) or any(f"P{level}" not in pyramid for level in range(1, 6)):
        raise ValueError(
            f"`backbone` must expose `pyramid_outputs` 'P1' to 'P5' (a finvision Backbone from "
            f"create_backbone); received a {type(backbone).__name__} without them."
        )
    shape = tuple(backbone.input_shape[1:])
    if any(size is not None and size % MAX_STRIDE for size in shape[:2]):
        raise ValueError(
            f"{task} needs an input height and width that are multiples of {MAX_STRIDE} "
            f"(or None); the backbone takes {shape}."
        )


def check_class_names(class_names: Sequence[str] | None, num_classes: int) -> list[str] | None:
    """Checks optional class names: one distinct non-empty string per class.

    A one-unit binary head (``num_classes=1``) names both classes.

    Returns:
        The names as a list, or None.

    Raises:
        ValueError: naming the expected count and the names received.

    Example:
    >>> check_class_names(("genuine", "forged"), 1)
    ['genuine', 'forged']
    """
    if class_names is None:
        return None
    names = list(class_names) if not isinstance(class_names, str) else [class_names]
    expected = max(num_classes, 2)  # a binary sigmoid head names both classes
    if len(names) != expected or not all(isinstance(n, str) and n for n in names):
        raise ValueError(
            f"`class_names` must be {expected} non-empty strings (one per class"
            f"{'; 2 for a one-unit binary head' if num_classes == 1 else ''}); "
            f"received {class_names!r}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"`class_names` must be distinct; received {class_names!r}.")
    return names


def _check_model(backbone: Any) -> None:
    if not isinstance(backbone, keras.Model):
        raise TypeError(
            "`backbone` must be a keras.Model such as finvision.models.create_backbone(...); "
            f"received {type(backbone).__name__}."
        )
