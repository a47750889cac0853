"""Tamper localisation on photographs never seen in training: a trained segmenter against ELA.

Images: 128 x 128 crops of the photographs scikit-image ships (``skimage.data``, no
download), each photograph rescaled at random first so that a crop shows between
its whole short side and a 400-pixel part of it; grayscale photographs are repeated
to RGB. Training crops come from 14 photographs, test crops from 4 others
(``TEST_PHOTOS``: the cat, the rocket, the clock, the text), so no test scene, object
or camera is seen in training; splice donors come from the same split.

Edits, with exact masks, by ``finvision.data.synthetic.tamper``; one kind per image,
in equal shares:

- ``copy_move``: a region (rectangle, ellipse or polygon, 10-30% of each side)
  copied elsewhere in the same crop;
- ``splice``: such a region from a crop of another photograph;
- ``splice_jpeg_donor``: the same, the donor crop JPEG-compressed first (quality
  50-80), so the pasted region carries a compression history the rest lacks;
- ``splice_recompressed``: a splice, then the whole image saved as JPEG (quality
  70-95), which blurs every trace; its authentic twin is recompressed the same way.

Every edited image has an authentic twin, the same crop unedited (recompressed like
it where the kind says so), so the test set holds as many authentic as edited images.

Systems:

- the segmenter: ``TamperSegmenter`` (``mobilenet_v3_small`` from random weights,
  ``bn_momentum=0.9``, FPN with 32 channels, forensic inputs ELA and SRM), trained
  with ``DiceBCELoss`` on the mask and binary cross-entropy on the score, Adam 1e-3,
  batches of 16, fresh edits every epoch; pixel score = the mask, image score = the
  ``score`` output; operating threshold 0.5.
- ELA threshold: ``ErrorLevelAnalysis(quality=90, scale=1)``, averaged over the
  channels and smoothed by an 8 x 8 mean filter, is the pixel score; the image score
  is its 99th percentile. The operating threshold is the one with the best pixel F1
  on the first epoch's training images (chosen on training images, never on test).

Figures, for all edits and per kind, from ``finvision.metrics.functional``:

- pixel F1 at the operating threshold, pooled over every pixel of the edited test
  images (tampered pixels are positive);
- pixel F1 at the best threshold for the test set itself (among 50 quantiles of the
  scores and the operating threshold), an optimistic bound that no deployed
  threshold reaches, with that threshold;
- image-level ROC AUC, edited (positive) against authentic images (for a kind: its
  edited images against their own twins); also by ``sklearn.metrics.roc_auc_score``,
  which must agree (the run fails otherwise).

Run with ``.venv/bin/python benchmarks/tamper.py``; writes
``benchmarks/results/tamper.json`` (``--out`` writes elsewhere).
"""

from __future__ import annotations

import argparse
import io
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _crosscheck import checked_auc
from _results import environment, write_results
from PIL import Image
from scipy.ndimage import uniform_filter
from skimage import data

from finvision.data import synthetic
from finvision.losses import DiceBCELoss
from finvision.metrics import functional
from finvision.models import TamperSegmenter, create_backbone
from finvision.preprocessing import ErrorLevelAnalysis

TRAIN_PHOTOS = (
    "astronaut",
    "coffee",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
    "camera",
    "coins",
    "moon",
    "grass",
    "gravel",
    "brick",
    "page",
    "cell",
    "motorcycle",
)
TEST_PHOTOS = ("chelsea", "rocket", "clock", "text")
KINDS = ("copy_move", "splice", "splice_jpeg_donor", "splice_recompressed")
HELD_OUT_SEED = 900_000
LARGEST_VIEW = 400  # pixels of the photograph's short side a crop may show
ELA_SMOOTHING = 8


def photograph(name: str) -> np.ndarray:
    """A scikit-image photograph as uint8 RGB."""
    loaded = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
    image = np.asarray(loaded, dtype=np.uint8)
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image[..., :3]


def random_crop(photo: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    short = min(photo.shape[:2])
    low = size / short
    scale = rng.uniform(low, max(low, min(1.0, LARGEST_VIEW / short)))
    height, width = (max(size, round(side * scale)) for side in photo.shape[:2])
    resized = np.asarray(Image.fromarray(photo).resize((width, height), Image.BICUBIC))
    top, left = int(rng.integers(0, height - size + 1)), int(rng.integers(0, width - size + 1))
    return resized[top : top + size, left : left + size]


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer))


def edited_pair(
    photos: list[np.ndarray], kind: str, rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An edited crop of ``kind``, its mask and its authentic twin."""
    index = int(rng.integers(len(photos)))
    authentic = random_crop(photos[index], rng, size)
    seed = int(rng.integers(2**31))
    if kind == "copy_move":
        edited = synthetic.tamper(authentic, "copy_move", seed=seed)
    else:
        donor_index = (index + int(rng.integers(1, len(photos)))) % len(photos)
        donor = random_crop(photos[donor_index], rng, size)
        if kind == "splice_jpeg_donor":
            donor = jpeg(donor, int(rng.integers(50, 81)))
        edited = synthetic.tamper(authentic, "splice", seed=seed, donor=donor)
    image = edited.image
    if kind == "splice_recompressed":
        quality = int(rng.integers(70, 96))
        image, authentic = jpeg(image, quality), jpeg(authentic, quality)
    return image, edited.mask, authentic


def edited_set(photos: list[np.ndarray], count: int, seed: int, size: int) -> dict[str, np.ndarray]:
    """``count`` edited crops (kinds in turn) and their authentic twins."""
    images, masks, twins = [], [], []
    for i in range(count):
        rng = np.random.default_rng((seed, i))
        image, mask, authentic = edited_pair(photos, KINDS[i % len(KINDS)], rng, size)
        images.append(image)
        masks.append(mask)
        twins.append(authentic)
    return {
        "edited": np.stack(images),
        "masks": np.stack(masks).astype("float32"),
        "authentic": np.stack(twins),
        "kinds": np.array([KINDS[i % len(KINDS)] for i in range(count)]),
    }


def ela_map(images: np.ndarray) -> np.ndarray:
    """The ELA baseline's pixel scores ``(N, H, W)``."""
    ela = ErrorLevelAnalysis(quality=90, scale=1.0)
    error = np.concatenate([np.asarray(ela(images[i : i + 64])) for i in range(0, len(images), 64)])
    return uniform_filter(error.mean(axis=-1), size=(1, ELA_SMOOTHING, ELA_SMOOTHING))


def best_f1(
    labels: np.ndarray, scores: np.ndarray, also: float | None = None
) -> tuple[float, float]:
    """The best pixel F1 over 50 thresholds (quantiles of the scores) and ``also``, and where."""
    levels = 1.0 - np.geomspace(0.5, 1e-4, 50)
    candidates = np.unique(np.r_[np.quantile(scores, levels), [] if also is None else [also]])
    f1 = [functional.f1_score(labels, scores, threshold) for threshold in candidates]
    best = int(np.argmax(f1))
    return f1[best], float(candidates[best])


def figures(
    test: dict[str, np.ndarray],
    pixel_scores: np.ndarray,
    edited_scores: np.ndarray,
    authentic_scores: np.ndarray,
    threshold: float,
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Pixel F1 and image AUC for all edits and per kind; and the scikit-learn AUC check."""
    results, checks = {}, {}
    for kind in ("all", *KINDS):
        chosen = test["kinds"] == kind if kind != "all" else np.ones(len(test["kinds"]), bool)
        labels, scores = test["masks"][chosen].ravel(), pixel_scores[chosen].ravel()
        f1_best, best_threshold = best_f1(labels, scores, also=threshold)
        image_labels = np.r_[np.ones(chosen.sum()), np.zeros(chosen.sum())]
        checks[kind] = checked_auc(
            image_labels, np.r_[edited_scores[chosen], authentic_scores[chosen]]
        )
        results[kind] = {
            "pixel_f1": functional.f1_score(labels, scores, threshold),
            "pixel_f1_best_test_threshold": f1_best,
            "best_test_threshold": best_threshold,
            "image_auc": checks[kind]["finvision"],
            "edited_images": int(chosen.sum()),
        }
    return results, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="crop side, a multiple of 32")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-edits", type=int, default=800, help="edited crops per epoch")
    parser.add_argument("--test-edits", type=int, default=400)
    parser.add_argument("--backbone", default="mobilenet_v3_small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="results file (default: benchmarks/results)")
    arguments = parser.parse_args()
    size = arguments.size
    train_photos = [photograph(name) for name in TRAIN_PHOTOS]
    test = edited_set(
        [photograph(name) for name in TEST_PHOTOS], arguments.test_edits, HELD_OUT_SEED, size
    )

    keras.utils.set_random_seed(arguments.seed)
    backbone = create_backbone(arguments.backbone, input_shape=(size, size, 3), bn_momentum=0.9)
    segmenter = TamperSegmenter(backbone, decoder_channels=32, forensic_inputs=("ela", "srm"))
    segmenter.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss={"mask": DiceBCELoss(), "score": "binary_crossentropy"},
    )
    start, losses, ela_threshold = time.perf_counter(), [], None
    for epoch in range(arguments.epochs):
        train = edited_set(train_photos, arguments.train_edits, epoch, size)
        images = np.concatenate([train["edited"], train["authentic"]])
        masks = np.concatenate([train["masks"], np.zeros_like(train["masks"])])[..., None]
        labels = masks.max(axis=(1, 2))
        if ela_threshold is None:  # the baseline's threshold, from training images only
            ela_threshold = best_f1(train["masks"].ravel(), ela_map(train["edited"]).ravel())[1]
        history = segmenter.fit(
            images, {"mask": masks, "score": labels}, batch_size=16, epochs=1, verbose=0
        )
        losses.append(round(float(history.history["loss"][-1]), 4))
        print(
            f"epoch {epoch + 1}: loss {losses[-1]}, {time.perf_counter() - start:.0f} s", flush=True
        )
    training_seconds = time.perf_counter() - start

    edited_out = segmenter.predict(test["edited"], batch_size=32, verbose=0)
    authentic_out = segmenter.predict(test["authentic"], batch_size=32, verbose=0)
    ela_edited, ela_authentic = ela_map(test["edited"]), ela_map(test["authentic"])
    model_figures, model_check = figures(
        test,
        edited_out["mask"][..., 0],
        edited_out["score"][:, 0],
        authentic_out["score"][:, 0],
        0.5,
    )
    ela_figures, ela_check = figures(
        test,
        ela_edited,
        np.percentile(ela_edited, 99, axis=(1, 2)),
        np.percentile(ela_authentic, 99, axis=(1, 2)),
        ela_threshold,
    )

    report = environment("tamper")
    report["setup"] = {
        "image_size": size,
        "train_photos": list(TRAIN_PHOTOS),
        "test_photos": list(TEST_PHOTOS),
        "kinds": list(KINDS),
        "model": f"TamperSegmenter({arguments.backbone} from random weights, bn_momentum=0.9, "
        "decoder='fpn', decoder_channels=32, forensic_inputs=('ela', 'srm'))",
        "parameters": segmenter.count_params(),
        "epochs": arguments.epochs,
        "training_images_per_epoch": 2 * arguments.train_edits,
    }
    report["training"] = {"seconds": round(training_seconds, 1), "loss_per_epoch": losses}
    report["test"] = {
        "edited_images": arguments.test_edits,
        "authentic_images": arguments.test_edits,
    }
    report["systems"] = {
        "segmenter": {"operating_threshold": 0.5, **model_figures},
        "ela_threshold": {"operating_threshold": ela_threshold, **ela_figures},
    }
    report["sklearn_check"] = {"image_auc": {"segmenter": model_check, "ela_threshold": ela_check}}
    for system, results in report["systems"].items():
        print(system, {kind: results[kind] for kind in ("all", *KINDS)})
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
