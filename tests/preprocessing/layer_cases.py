"""One configured instance of every public preprocessing layer, for contract tests."""

import keras
import pytest

from finvision import preprocessing as fp

# name -> (factory, input channels, output channels or None for "same as input")
LAYER_CASES = {
    "BackboneNormalization": (lambda: fp.BackboneNormalization("torch"), 3, None),
    "Grayscale": (lambda: fp.Grayscale(), 3, 1),
    "Grayscale3": (lambda: fp.Grayscale(keep_channels=True), 3, 3),
    "ResizeWithPad": (lambda: fp.ResizeWithPad(16, 40), 3, None),
    "ContrastStretch": (lambda: fp.ContrastStretch(1, 99), 3, None),
    "BinarizeOtsu": (lambda: fp.Binarize("otsu"), 1, None),
    "BinarizeSauvola": (lambda: fp.Binarize("sauvola", window_size=7), 3, None),
    "ErrorLevelAnalysis": (lambda: fp.ErrorLevelAnalysis(80), 3, None),
    "SRMFilter": (lambda: fp.SRMFilter(truncation=3.0), 1, 3),
    "RandomPerspective": (lambda: fp.RandomPerspective(0.2, seed=1), 3, None),
    "RandomGlare": (lambda: fp.RandomGlare(seed=2), 3, None),
    "RandomShadow": (lambda: fp.RandomShadow(seed=3), 1, None),
    "RandomJPEGQuality": (lambda: fp.RandomJPEGQuality((20, 40), seed=4), 3, None),
    "RandomMotionBlur": (lambda: fp.RandomMotionBlur((3, 7), seed=5), 3, None),
    "RandomGaussianNoise": (lambda: fp.RandomGaussianNoise((2, 8), seed=6), 3, None),
    "RandomBrightnessContrast": (lambda: fp.RandomBrightnessContrast(seed=7), 3, None),
    "DocumentAugmentation": (lambda: fp.DocumentAugmentation(0.8, seed=8), 3, None),
}

RANDOM_CASES = [name for name in LAYER_CASES if name.startswith(("Random", "Document"))]

# JPEG coding runs on TensorFlow ops only; these layers refuse other backends.
TENSORFLOW_ONLY_CASES = ("ErrorLevelAnalysis", "RandomJPEGQuality")
# The random cases the running backend can build, for property-based draws.
BACKEND_RANDOM_CASES = [
    name
    for name in RANDOM_CASES
    if keras.backend.backend() == "tensorflow" or name not in TENSORFLOW_ONLY_CASES
]


def case_params(names):
    """The names as pytest parameters, the TensorFlow-only ones marked so."""
    return [
        pytest.param(name, marks=pytest.mark.tensorflow_only)
        if name in TENSORFLOW_ONLY_CASES
        else name
        for name in names
    ]
