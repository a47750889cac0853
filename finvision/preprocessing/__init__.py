"""Keras preprocessing layers for financial images.

Every layer takes raw pixels in [0, 255] (uint8 or float), one image
``(H, W, C)`` or a batch ``(N, H, W, C)``, and returns float32 pixels, so they
compose inside a model (and are saved and exported with it) or in ``tf.data``.
Augmentations (``Random*``, ``DocumentAugmentation``) act with
``training=True`` only, and also take Keras' dict form ``{"images": x,
"segmentation_masks": m, "points": p}``: masks and points move with the pixels.

Example:
>>> import numpy as np
>>> from finvision.preprocessing import DocumentAugmentation, Grayscale
>>> scans = np.full((2, 32, 64, 3), 240, dtype="uint8")
>>> tuple(Grayscale()(DocumentAugmentation(0.5, seed=0)(scans, training=True)).shape)
(2, 32, 64, 1)
"""

from finvision.preprocessing._layers import PIXEL_MAX
from finvision.preprocessing.albumentations_bridge import albumentations_map
from finvision.preprocessing.composite import DocumentAugmentation
from finvision.preprocessing.degradation import RandomJPEGQuality, RandomMotionBlur
from finvision.preprocessing.document import ContrastStretch, Grayscale, ResizeWithPad
from finvision.preprocessing.forensics import ErrorLevelAnalysis, SRMFilter
from finvision.preprocessing.geometric import (
    RandomPerspective,
    perspective_matrix,
    warp_perspective,
    warp_points,
)
from finvision.preprocessing.normalization import BackboneNormalization
from finvision.preprocessing.photometric import (
    RandomBrightnessContrast,
    RandomGaussianNoise,
    RandomGlare,
    RandomShadow,
)
from finvision.preprocessing.thresholding import Binarize, otsu_threshold, sauvola_threshold

__all__ = [
    "PIXEL_MAX",
    "BackboneNormalization",
    "Binarize",
    "ContrastStretch",
    "DocumentAugmentation",
    "ErrorLevelAnalysis",
    "Grayscale",
    "RandomBrightnessContrast",
    "RandomGaussianNoise",
    "RandomGlare",
    "RandomJPEGQuality",
    "RandomMotionBlur",
    "RandomPerspective",
    "RandomShadow",
    "ResizeWithPad",
    "SRMFilter",
    "albumentations_map",
    "otsu_threshold",
    "perspective_matrix",
    "sauvola_threshold",
    "warp_perspective",
    "warp_points",
]
