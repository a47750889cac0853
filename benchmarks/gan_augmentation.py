"""GAN augmentation of a rare class: spliced cheques at 2% of the training data.

Task: tell spliced cheques (the rare, positive class) from genuine ones in
32 x 64 RGB thumbnails. Cheques are drawn by ``finvision.data.synthetic.cheques``
at 144 x 320 and resized (Lanczos) to 32 x 64; spliced ones by
``finvision.data.synthetic.tampered_documents(kinds=("splice",))``: a region
(rectangle, ellipse or polygon, 10-30% of each side) replaced by lines of
figures on differently tinted paper, still visible as a patch at that size, so
the class is learnable in principle. Each seed draws its own training set
(``--train-count`` images, ``--rare-share`` of them spliced); the test set
(``--test-genuine`` genuine, ``--test-rare`` spliced) and the Fréchet
reference sets come from held-out seeds and are the same for every seed.

Classifier, the same in every arm: ``ImageClassifier`` (one sigmoid unit) on
``--backbone`` from random weights (``bn_momentum=0.9``), Adam 1e-3, binary
cross-entropy, ``--classifier-epochs`` epochs of batches of 32. Arms:

- ``plain``: the imbalanced training set as it is;
- ``class_weights``: the same, with ``finvision.data.class_weights`` (balanced);
- ``oversampled``: the training set plus ``--synthetic-rare`` copies of its own
  spliced cheques, repeated in turn: the control for the ``gan`` arm, with the same
  number of images and steps per epoch but no new pixels;
- ``gan``: the training set plus ``--synthetic-rare`` spliced cheques drawn by
  a ``ConditionalGAN`` (``ConditionalGenerator``/``ConditionalDiscriminator``,
  ``--gan-width``, latent 64, non-saturating loss, Adam 2e-4/0.5) trained for
  ``--gan-epochs`` epochs on the training set resampled to half spliced
  (``finvision.data.rebalance``), concatenated in ``tf.data`` by
  ``finvision.generative.synthesize``. No class weights.

Figures per arm and seed: recall of spliced cheques at 1% FPR on the test set
(``finvision.metrics.functional.recall_at_fpr``, cross-checked against the best
``sklearn.metrics.roc_curve`` point with FPR <= 1%; the run fails if they
differ) and ROC AUC. Fréchet distances (``finvision.generative.frechet_distance``)
on the pooled features of the ``plain`` classifier's backbone (trained on real
images only), on ``--fid-count`` images each: generated vs real spliced cheques,
two real spliced sets (the floor) and real genuine vs real spliced (how far the
other class is). Mean and standard deviation (``ddof=1``) over the seeds.

Run with ``.venv/bin/python benchmarks/gan_augmentation.py``; writes
``benchmarks/results/gan_augmentation.json`` (``--out`` writes elsewhere);
``--tiny`` runs a seconds-long smoke version.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _results import environment, write_results
from PIL import Image
from sklearn import metrics

from finvision import data, generative
from finvision.data import synthetic
from finvision.metrics import functional
from finvision.models import ImageClassifier, create_backbone

RENDER_SIZE = (144, 320)
TEST_SEED, REFERENCE_SEED, TRAIN_SEED = 900_000, 800_000, 1_000
ARMS = ("plain", "class_weights", "oversampled", "gan")
TARGET_FPR = 0.01
LATENT_DIM = 64
TINY = {
    "train_count": 40,
    "rare_share": 0.1,
    "test_genuine": 20,
    "test_rare": 10,
    "fid_count": 8,
    "seeds": [0],
    "gan_epochs": 1,
    "gan_width": 4,
    "classifier_epochs": 1,
    "synthetic_rare": 8,
    "backbone": "mobilenet_v1",
    "eager": True,
}


def cheque_images(count: int, seed: int, spliced: bool, size: tuple[int, int]) -> np.ndarray:
    """``count`` genuine or spliced cheques, resized to ``size``, uint8 RGB."""
    if spliced:
        drawn = synthetic.tampered_documents(count, seed=seed, kinds=("splice",), size=RENDER_SIZE)
        images = [document.image for document in drawn]
    else:
        images = [cheque.image for cheque in synthetic.cheques(count, seed=seed, size=RENDER_SIZE)]
    resized = [
        np.asarray(Image.fromarray(image).resize(size[::-1], Image.Resampling.LANCZOS))
        for image in images
    ]
    return np.stack(resized) if resized else np.zeros((0, *size, 3), np.uint8)


def labelled(genuine: np.ndarray, rare: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.r_[np.zeros(len(genuine)), np.ones(len(rare))].astype("int32")
    return np.concatenate([genuine, rare]), labels


def repeated_rare(
    images: np.ndarray, labels: np.ndarray, arguments: argparse.Namespace
) -> tf.data.Dataset:
    """``--synthetic-rare`` copies of the real spliced cheques, each repeated in turn."""
    rare = images[labels == 1]
    copies = rare[np.arange(arguments.synthetic_rare) % len(rare)]
    return tf.data.Dataset.from_tensor_slices((copies, np.ones(len(copies), labels.dtype)))


def checked_recall(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Recall at 1% FPR by finvision and by scikit-learn's ROC curve; equal or raises."""
    ours = functional.recall_at_fpr(labels, scores, TARGET_FPR)
    fpr, tpr, _ = metrics.roc_curve(labels, scores, drop_intermediate=False)
    theirs = float(np.max(tpr[fpr <= TARGET_FPR]))
    if not np.isclose(ours, theirs, rtol=0.0, atol=1e-12):
        raise AssertionError(f"recall at 1% FPR: finvision {ours}, scikit-learn {theirs}.")
    return {"finvision": ours, "sklearn": theirs}


def train_gan(
    images: np.ndarray, labels: np.ndarray, arguments: argparse.Namespace, seed: int
) -> tuple[generative.ConditionalGAN, list[float], float]:
    shape = images.shape[1:]
    gan = generative.ConditionalGAN(
        generative.ConditionalGenerator(2, shape, latent_dim=LATENT_DIM, width=arguments.gan_width),
        generative.ConditionalDiscriminator(2, shape, width=arguments.gan_width),
    )
    gan.compile(run_eagerly=arguments.eager)
    real = tf.data.Dataset.from_tensor_slices((images, labels))
    balanced = data.rebalance(real, [0.5, 0.5], seed=seed).batch(32, drop_remainder=True)
    start = time.perf_counter()
    history = gan.fit(balanced.prefetch(2), epochs=arguments.gan_epochs, shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    return gan, [round(v, 4) for v in history.history["discriminator_loss"]], seconds


def train_classifier(
    dataset: tf.data.Dataset, arguments: argparse.Namespace, class_weight: dict | None, seed: int
) -> tuple[ImageClassifier, float]:
    size = tuple(dataset.element_spec[0].shape[:2])
    backbone = create_backbone(arguments.backbone, input_shape=(*size, 3), bn_momentum=0.9)
    classifier = ImageClassifier(backbone, num_classes=1)
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="binary_crossentropy",
        run_eagerly=arguments.eager,
    )
    start = time.perf_counter()
    batches = dataset.shuffle(4096, seed=seed).batch(32).prefetch(2)
    classifier.fit(
        batches,
        epochs=arguments.classifier_epochs,
        class_weight=class_weight,
        shuffle=False,
        verbose=0,
    )
    return classifier, time.perf_counter() - start


def summary(values: list[float]) -> dict[str, float | list[float]]:
    array = np.asarray(values, dtype="float64")
    spread = float(array.std(ddof=1)) if len(array) > 1 else 0.0
    return {"mean": float(array.mean()), "std": spread, "per_seed": [float(v) for v in array]}


def run_seed(
    seed: int,
    arguments: argparse.Namespace,
    test: tuple[np.ndarray, np.ndarray],
    references: dict[str, np.ndarray],
) -> dict:
    """One seed: its training set, GAN and four classifiers, and their figures."""
    size = tuple(arguments.size)
    keras.utils.set_random_seed(seed)
    rare_count = max(1, round(arguments.train_count * arguments.rare_share))
    images, labels = labelled(
        cheque_images(arguments.train_count - rare_count, TRAIN_SEED + seed, False, size),
        cheque_images(rare_count, TRAIN_SEED + seed, True, size),
    )
    real = tf.data.Dataset.from_tensor_slices((images, labels))
    gan, gan_losses, gan_seconds = train_gan(images, labels, arguments, seed)
    generated = generative.synthesize(gan, {1: arguments.synthetic_rare}, seed=seed)
    datasets = {
        "plain": (real, None),
        "class_weights": (real, data.class_weights(labels)),
        "oversampled": (real.concatenate(repeated_rare(images, labels, arguments)), None),
        "gan": (real.concatenate(generated), None),
    }
    test_images, test_labels = test
    result, plain_backbone = {"arms": {}}, None
    for arm, (dataset, weights) in datasets.items():
        keras.utils.set_random_seed(seed)
        classifier, seconds = train_classifier(dataset, arguments, weights, seed)
        scores = classifier.predict(test_images, batch_size=128, verbose=0)[:, 0]
        result["arms"][arm] = {
            "recall_at_1pct_fpr": checked_recall(test_labels, scores),
            "roc_auc": functional.roc_auc(test_labels, scores),
            "training_seconds": round(seconds, 1),
        }
        if arm == "plain":
            plain_backbone = classifier.backbone
    features = {
        name: generative.backbone_features(plain_backbone, images)
        for name, images in references.items()
    }
    fake = generative.synthesize(gan, {1: arguments.fid_count}, seed=REFERENCE_SEED + seed)
    features["generated"] = generative.backbone_features(plain_backbone, fake)
    result["frechet"] = {
        "generated_vs_real_rare": generative.frechet_distance(
            features["rare_a"], features["generated"]
        ),
        "real_vs_real_rare": generative.frechet_distance(features["rare_a"], features["rare_b"]),
        "real_genuine_vs_real_rare": generative.frechet_distance(
            features["rare_a"], features["genuine"]
        ),
    }
    result["gan"] = {
        "training_seconds": round(gan_seconds, 1),
        "discriminator_loss": gan_losses,
        "training_images": len(images),
        "rare_training_images": rare_count,
    }
    print(f"seed {seed}: {result}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs=2, default=[32, 64], help="height width")
    parser.add_argument("--train-count", type=int, default=2000)
    parser.add_argument("--rare-share", type=float, default=0.02)
    parser.add_argument("--test-genuine", type=int, default=1000)
    parser.add_argument("--test-rare", type=int, default=500)
    parser.add_argument("--fid-count", type=int, default=250, help="images per Fréchet set")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--gan-epochs", type=int, default=25)
    parser.add_argument("--gan-width", type=int, default=32)
    parser.add_argument("--classifier-epochs", type=int, default=6)
    parser.add_argument("--synthetic-rare", type=int, default=500)
    parser.add_argument("--backbone", default="mobilenet_v3_small")
    parser.add_argument("--eager", action="store_true", help="train without tracing graphs")
    parser.add_argument("--tiny", action="store_true", help="a seconds-long smoke run (eager)")
    parser.add_argument("--out", default=None, help="results file (default: benchmarks/results)")
    arguments = parser.parse_args()
    if arguments.tiny:
        vars(arguments).update(TINY)
    size = tuple(arguments.size)
    start = time.perf_counter()
    test = labelled(
        cheque_images(arguments.test_genuine, TEST_SEED, False, size),
        cheque_images(arguments.test_rare, TEST_SEED, True, size),
    )
    rare = cheque_images(2 * arguments.fid_count, REFERENCE_SEED, True, size)
    references = {
        "rare_a": rare[: arguments.fid_count],
        "rare_b": rare[arguments.fid_count :],
        "genuine": cheque_images(arguments.fid_count, REFERENCE_SEED, False, size),
    }
    seeds = {seed: run_seed(seed, arguments, test, references) for seed in arguments.seeds}

    report = environment("gan_augmentation")
    report["setup"] = {
        key: getattr(arguments, key)
        for key in (
            "size",
            "train_count",
            "rare_share",
            "test_genuine",
            "test_rare",
            "fid_count",
            "seeds",
            "gan_epochs",
            "gan_width",
            "classifier_epochs",
            "synthetic_rare",
            "backbone",
        )
    }
    report["arms"] = {
        arm: {
            "recall_at_1pct_fpr": summary(
                [seeds[s]["arms"][arm]["recall_at_1pct_fpr"]["finvision"] for s in seeds]
            ),
            "roc_auc": summary([seeds[s]["arms"][arm]["roc_auc"] for s in seeds]),
        }
        for arm in ARMS
    }
    report["frechet"] = {
        name: summary([seeds[s]["frechet"][name] for s in seeds])
        for name in ("generated_vs_real_rare", "real_vs_real_rare", "real_genuine_vs_real_rare")
    }
    report["seeds"] = {str(seed): result for seed, result in seeds.items()}
    report["total_seconds"] = round(time.perf_counter() - start, 1)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
