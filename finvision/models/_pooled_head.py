"""The pooling and dropout in front of a dense head, shared by the vector-output tasks."""

from __future__ import annotations

from typing import Any

import keras


def pooling_layers(
    pooling: str, dropout: float, dtype: Any
) -> tuple[keras.layers.Layer, keras.layers.Layer | None]:
    """A global pooling layer and, for a non-zero rate, a dropout layer.

    Args:
        pooling: ``"avg"`` or ``"max"``.
        dropout: dropout rate; 0 means no dropout layer.
        dtype: the layers' dtype policy (the backbone's).

    Returns:
        ``(pooler, dropout_layer_or_None)``.

    Example:
    >>> pooler, dropout = pooling_layers("max", 0.0, "float32")
    >>> pooler.name, dropout
    ('max_pool', None)
    """
    layer = (
        keras.layers.GlobalAveragePooling2D if pooling == "avg" else keras.layers.GlobalMaxPooling2D
    )
    pooler = layer(name=f"{pooling}_pool", dtype=dtype)
    if not dropout:
        return pooler, None
    return pooler, keras.layers.Dropout(dropout, name="head_dropout", dtype=dtype)


def pooled(
    features: Any, pooler: keras.layers.Layer, dropout_layer: keras.layers.Layer | None
) -> Any:
    """Pools a feature map (a vector passes through), then applies dropout if any.

    Example:
    >>> pooler, dropout = pooling_layers("avg", 0.0, "float32")
    >>> tuple(pooled(keras.Input((4, 4, 8)), pooler, dropout).shape)
    (None, 8)
    """
    if len(features.shape) == 4:
        features = pooler(features)
    return features if dropout_layer is None else dropout_layer(features)
