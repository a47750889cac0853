"""Grayscale cheque scans: multi-scale features, saved as an offline preset.

Builds a ResNet-18 for one-channel scans (pretrained RGB weights would be
adapted the same way), reads its feature pyramid, writes a preset directory and
reloads it with no network.

Run: ``python examples/grayscale_features_preset.py [OUTPUT_DIR]``.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

from finvision import models


def main(output_dir: Path) -> None:
    # Cheque scans are ~2.3:1; height and width need only be multiples of 32 for
    # exact pyramid strides.
    backbone = models.create_backbone(
        "resnet18", input_shape=(96, 224, 1), features_only=True, out_levels=(2, 3, 4, 5)
    )
    scans = np.random.default_rng(0).integers(0, 256, (2, 96, 224, 1), dtype="uint8")
    features = backbone(scans)
    for level, feature_map in features.items():
        print(f"{level}: {tuple(feature_map.shape)}")

    preset = models.save_preset(backbone, output_dir / "cheque-resnet18", overwrite=True)
    print(f"preset written to {preset}: {sorted(path.name for path in preset.iterdir())}")
    reloaded = models.load_preset(preset)
    same = all(
        np.array_equal(np.asarray(reloaded(scans)[level]), np.asarray(features[level]))
        for level in features
    )
    print(f"reloaded offline, identical features: {same}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()))
