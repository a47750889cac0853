"""Trains the shipped text-zone locator (finvision/presets/zones) on synthetic page photos.

The pages come from ``finvision.data.synthetic.document_pages`` (passport data pages,
ID cards, cheques and cards without a zone, at any quarter turn plus up to 15 degrees,
in mild perspective); every epoch adds fresh capture nuisance with
``DocumentAugmentation`` (the zone masks follow its perspective step). On this 2-core
CPU one epoch of 2,000 pages at 256x256 takes about 2 minutes:

    python examples/train_zone_locator.py --out finvision/presets/zones
"""

from __future__ import annotations

import argparse

import keras
import numpy as np
import tensorflow as tf

from finvision import losses, models
from finvision.data import synthetic
from finvision.preprocessing import DocumentAugmentation

SIZE = (256, 256)


def pages(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Page photos and their zone masks, as float32 arrays."""
    drawn = synthetic.document_pages(count, seed=seed, size=SIZE)
    images = np.stack([page.image for page in drawn]).astype("float32")
    masks = np.stack([page.zones for page in drawn]).astype("float32")
    return images, masks


def training_set(
    images: np.ndarray, masks: np.ndarray, batch_size: int, seed: int
) -> tf.data.Dataset:
    """Shuffled batches with fresh capture nuisance every epoch."""
    augment = DocumentAugmentation(strength=0.6, seed=seed)

    def with_nuisance(image_batch: tf.Tensor, mask_batch: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        moved = augment({"images": image_batch, "segmentation_masks": mask_batch}, training=True)
        return moved["images"], tf.round(moved["segmentation_masks"])

    return (
        tf.data.Dataset.from_tensor_slices((images, masks))
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(with_nuisance)
        .prefetch(2)
    )


def build(backbone: str) -> models.TextZoneLocator:
    """A locator on a randomly initialised backbone (BN momentum 0.9: trained from scratch)."""
    features = models.create_backbone(backbone, input_shape=(*SIZE, 3), bn_momentum=0.9)
    locator = models.TextZoneLocator(features, decoder_channels=32, name="zones")
    return locator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the preset directory to write")
    parser.add_argument("--pages", type=int, default=2000, help="training pages (default: 2000)")
    parser.add_argument("--validation-pages", type=int, default=200, help="held out (default: 200)")
    parser.add_argument("--epochs", type=int, default=8, help="epochs (default: 8)")
    parser.add_argument("--batch-size", type=int, default=16, help="batch size (default: 16)")
    parser.add_argument("--backbone", default="mobilenet_v3_small", help="backbone name")
    parser.add_argument("--init", help="a locator preset to continue from")
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="Adam's (default: 2e-3)")
    parser.add_argument("--seed", type=int, default=0, help="data seed (default: 0)")
    arguments = parser.parse_args()

    keras.utils.set_random_seed(arguments.seed)
    images, masks = pages(arguments.pages, arguments.seed)
    held_images, held_masks = pages(arguments.validation_pages, arguments.seed + 1000)
    locator = models.load_preset(arguments.init) if arguments.init else build(arguments.backbone)
    steps = arguments.epochs * -(-arguments.pages // arguments.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(arguments.learning_rate, steps, alpha=0.05)
    locator.compile(optimizer=keras.optimizers.Adam(schedule), loss=losses.DiceBCELoss())
    locator.fit(
        training_set(images, masks, arguments.batch_size, arguments.seed),
        validation_data=(held_images, held_masks),
        epochs=arguments.epochs,
        verbose=2,
    )
    shipped = models.TextZoneLocator.from_config(locator.get_config())  # without Adam's state
    shipped.set_weights(locator.get_weights())
    shipped.save_preset(arguments.out, overwrite=True)
    print(f"wrote {arguments.out}, SHA-256 {models.preset_digest(arguments.out)}")


if __name__ == "__main__":
    main()
