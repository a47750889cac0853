"""Which pyramid level (stage) each backbone layer belongs to."""

from __future__ import annotations

from typing import Any

from finvision.models.backbone import LEVELS, Backbone


def backbone_of(model: Any) -> Backbone:
    """Returns the finvision backbone of a task model, or the model itself.

    Args:
        model: a :class:`~finvision.models.Backbone` or a model with a
            ``backbone`` attribute holding one.

    Returns:
        The backbone.

    Raises:
        TypeError: if there is no finvision backbone.

    Example:
    >>> from finvision.models import create_backbone
    >>> backbone = create_backbone("resnet18", input_shape=(32, 32, 3))
    >>> backbone_of(backbone) is backbone
    True
    """
    backbone = model if isinstance(model, Backbone) else getattr(model, "backbone", None)
    if not isinstance(backbone, Backbone):
        raise TypeError(
            "`model` must be a finvision Backbone or a task model with a `backbone` "
            f"attribute holding one; received {type(model).__name__}."
        )
    return backbone


def parse_level(level: str | int) -> int:
    """Turns ``"P4"`` or ``4`` into the level number 4.

    Args:
        level: a pyramid level name ``"P1"`` to ``"P5"`` or its number.

    Returns:
        The level number, 1 to 5.

    Raises:
        ValueError: for anything else.

    Example:
    >>> parse_level("P4"), parse_level(2)
    (4, 2)
    """
    number = level[1:] if isinstance(level, str) and level[:1] == "P" else level
    if isinstance(number, str) and number.isdigit():
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and number in LEVELS:
        return number
    raise ValueError(f"Expected a pyramid level 'P1' to 'P5' or 1 to 5; received {level!r}.")


def layer_levels(model: Any) -> dict[str, int]:
    """Maps every backbone layer to the pyramid level of its stage.

    Level ``k`` holds the layers after the tap of ``P{k-1}`` up to and
    including the tap of ``P{k}`` (``spec.pyramid_layers``), in the backbone's
    topological layer order; level 5 runs to the end. So level 5 is the last
    stage, the one computing stride-32 features from stride-16 ones.

    Args:
        model: a backbone, or a task model owning one.

    Returns:
        ``{layer name: level}`` for every backbone layer.

    Example:
    >>> from finvision.models import create_backbone
    >>> levels = layer_levels(create_backbone("resnet18", input_shape=(32, 32, 3)))
    >>> levels["conv1_conv"], levels["conv4_block2_out"], levels["conv5_block1_1_conv"]
    (1, 4, 5)
    """
    backbone = backbone_of(model)
    taps = {layer: level for level, layer in backbone.spec.pyramid_layers.items()}
    levels, current = {}, 1
    for layer in backbone.layers:
        levels[layer.name] = current
        if layer.name in taps:
            current = int(taps[layer.name][1:]) + 1
    return levels
