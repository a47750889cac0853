"""Transfer learning: freezing, layer-wise learning rates and a fine-tuning recipe.

Example:
>>> from finvision import transfer
>>> transfer.FineTuneRecipe().unfreeze_from
'P4'
"""

from finvision.transfer.freezing import freeze_backbone, unfreeze
from finvision.transfer.layerwise import (
    LayerwiseLearningRateMixin,
    layerwise_learning_rates,
    with_lr_multipliers,
)
from finvision.transfer.levels import layer_levels
from finvision.transfer.recipe import FineTuneRecipe, finetune

__all__ = [
    "FineTuneRecipe",
    "LayerwiseLearningRateMixin",
    "finetune",
    "freeze_backbone",
    "layer_levels",
    "layerwise_learning_rates",
    "unfreeze",
    "with_lr_multipliers",
]
