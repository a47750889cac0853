"""Signature verification on writers never seen in training: a trained verifier against baselines.

Training: a ``SiameseVerifier`` (``mobilenet_v3_small`` from random weights,
``bn_momentum=0.9``, 64 x 128 grayscale, 128-d embeddings) learns with
``TripletLoss(margin=0.5)`` (semi-hard negatives) on the synthetic writers 0-799 of
``finvision.data.synthetic.signature_image``. Every batch holds 6 writers with 4
genuine signatures and 2 skilled forgeries each. A forgery gets a label of its own,
so it is only ever a negative: the hardest one, the writer's name in another hand.
The genuine signatures of the batch's other writers are the random (other-writer)
negatives. Every epoch draws fresh executions (new seeds). The training time is wall
clock and includes drawing the signatures.

Test: 4,000 pairs from ``signature_pairs`` over the held-out writers 800-999 (never
seen in training) on a seed of their own: a genuine reference signature against a
questioned one, 40% genuine, 30% skilled forgeries, 30% random forgeries. The score
is the cosine of the two embeddings (``SiameseVerifier.score``); higher means the
same writer. Figures, separately for

- skilled forgeries: genuine pairs against pairs whose questioned signature is a
  skilled forgery (someone imitating the reference writer);
- random forgeries (zero-effort impostors): genuine pairs against pairs whose
  questioned signature is a genuine signature of another held-out writer;

are the EER (FVC2000 convention), FNMR at FMR = 1% and ROC AUC (genuine = positive),
from ``finvision.metrics.functional``; for the trained verifier also by scikit-learn
(``roc_curve``, ``roc_auc_score``), which must agree (the run fails otherwise).

Systems: the trained verifier; the same network before training (the same initial
weights); HOG cosine, the cosine of ``skimage.feature.hog`` descriptors of the ink
(9 orientations, 8 x 8 cells, 2 x 2 blocks), a hand-crafted baseline with no training.

Run with ``.venv/bin/python benchmarks/verification.py``; writes
``benchmarks/results/verification.json`` (``--out`` writes elsewhere).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from _crosscheck import checked_auc, checked_eer, checked_fnmr_at_fmr
from _results import environment, write_results
from skimage.feature import hog

from finvision.data import synthetic
from finvision.losses import TripletLoss
from finvision.metrics import functional
from finvision.models import SiameseVerifier, create_backbone

TRAINING_WRITERS = 800  # ids 0-799; the test writers start here
HELD_OUT_SEED = 900_000
FMR_TARGET = 0.01
PROPORTIONS = (0.4, 0.3, 0.3)  # genuine, skilled, random


def training_epoch(
    writers: int, genuine: int, forgeries: int, epoch: int, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Fresh signatures of every training writer in a random order, each writer's together."""
    order = np.random.default_rng(epoch).permutation(writers)
    images, labels = [], []
    for writer in order.tolist():
        for k in range(genuine):
            images.append(synthetic.signature_image(writer, seed=epoch * genuine + k, size=size))
            labels.append(writer)
        for k in range(forgeries):
            seed = epoch * forgeries + k
            images.append(synthetic.signature_image(writer, seed=seed, forged=True, size=size))
            labels.append(TRAINING_WRITERS + len(labels))  # a label of its own: never a positive
    return np.stack(images)[..., None], np.asarray(labels, dtype="int32")


def figures(genuine: np.ndarray, impostor: np.ndarray) -> dict[str, float]:
    labels = np.r_[np.ones(len(genuine)), np.zeros(len(impostor))]
    return {
        "eer": functional.equal_error_rate(genuine, impostor)[0],
        "fnmr_at_fmr_1pct": functional.fnmr_at_fmr(genuine, impostor, FMR_TARGET),
        "roc_auc": functional.roc_auc(labels, np.r_[genuine, impostor]),
    }


def by_kind(scores: np.ndarray, kinds: np.ndarray) -> dict[str, dict[str, float]]:
    """Figures for skilled and for random forgeries, both against the genuine pairs."""
    genuine = scores[kinds == "genuine"]
    return {kind: figures(genuine, scores[kinds == kind]) for kind in ("skilled", "random")}


def sklearn_check(scores: np.ndarray, kinds: np.ndarray) -> dict[str, dict]:
    genuine = scores[kinds == "genuine"]
    checks = {}
    for kind in ("skilled", "random"):
        impostor = scores[kinds == kind]
        labels = np.r_[np.ones(len(genuine)), np.zeros(len(impostor))]
        checks[kind] = {
            "eer": checked_eer(genuine, impostor),
            "fnmr_at_fmr_1pct": checked_fnmr_at_fmr(genuine, impostor, FMR_TARGET),
            "roc_auc": checked_auc(labels, np.r_[genuine, impostor]),
        }
    return checks


def hog_scores(references: np.ndarray, questioned: np.ndarray) -> np.ndarray:
    def describe(images: np.ndarray) -> np.ndarray:
        descriptors = np.stack(
            [hog(255.0 - image, pixels_per_cell=(8, 8), cells_per_block=(2, 2)) for image in images]
        )
        return descriptors / np.maximum(np.linalg.norm(descriptors, axis=1, keepdims=True), 1e-12)

    return np.sum(describe(references) * describe(questioned), axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-writers", type=int, default=TRAINING_WRITERS)
    parser.add_argument("--test-writers", type=int, default=200)
    parser.add_argument("--test-pairs", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--genuine", type=int, default=4, help="genuine per writer and epoch")
    parser.add_argument("--forgeries", type=int, default=2, help="forgeries per writer and epoch")
    parser.add_argument("--writers-per-batch", type=int, default=6)
    parser.add_argument("--size", type=int, nargs=2, default=(64, 128), metavar=("H", "W"))
    parser.add_argument("--backbone", default="mobilenet_v3_small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="results file (default: benchmarks/results)")
    arguments = parser.parse_args()
    if not 2 <= arguments.train_writers <= TRAINING_WRITERS:
        parser.error(f"--train-writers must be in [2, {TRAINING_WRITERS}]")
    size = tuple(arguments.size)

    pairs = synthetic.signature_pairs(
        arguments.test_pairs,
        seed=HELD_OUT_SEED,
        writers=range(TRAINING_WRITERS, TRAINING_WRITERS + arguments.test_writers),
        size=size,
        proportions=PROPORTIONS,
    )
    references = np.stack([pair.a for pair in pairs])[..., None]
    questioned = np.stack([pair.b for pair in pairs])[..., None]
    kinds = np.array([pair.kind for pair in pairs])

    keras.utils.set_random_seed(arguments.seed)
    backbone = create_backbone(arguments.backbone, input_shape=(*size, 1), bn_momentum=0.9)
    verifier = SiameseVerifier(backbone, embedding_dim=128)
    verifier.compile(optimizer=keras.optimizers.Adam(1e-3), loss=TripletLoss(margin=0.5))
    untrained = verifier.score(references, questioned, batch_size=128)
    per_writer = arguments.genuine + arguments.forgeries
    start, losses = time.perf_counter(), []
    for epoch in range(arguments.epochs):
        images, labels = training_epoch(
            arguments.train_writers,
            arguments.genuine,
            arguments.forgeries,
            epoch,
            size,
        )
        history = verifier.fit(
            images,
            labels,
            batch_size=arguments.writers_per_batch * per_writer,
            shuffle=False,  # keeps each batch's writers together
            epochs=1,
            verbose=0,
        )
        losses.append(round(float(history.history["loss"][-1]), 4))
        print(
            f"epoch {epoch + 1}: loss {losses[-1]}, {time.perf_counter() - start:.0f} s", flush=True
        )
    training_seconds = time.perf_counter() - start
    trained = verifier.score(references, questioned, batch_size=128)

    report = environment("verification")
    report["setup"] = {
        "backbone": f"{arguments.backbone}, random initial weights, bn_momentum=0.9",
        "image_size": list(size),
        "embedding_dim": 128,
        "loss": "TripletLoss(margin=0.5), semi-hard",
        "optimizer": "Adam(1e-3)",
        "training_writers": f"0-{arguments.train_writers - 1}",
        "epochs": arguments.epochs,
        "batch": f"{arguments.writers_per_batch} writers x ({arguments.genuine} genuine "
        f"+ {arguments.forgeries} skilled forgeries)",
        "training_images_per_epoch": arguments.train_writers * per_writer,
    }
    report["training"] = {"seconds": round(training_seconds, 1), "loss_per_epoch": losses}
    report["test"] = {
        "writers": f"{TRAINING_WRITERS}-{TRAINING_WRITERS + arguments.test_writers - 1}",
        "pairs": {kind: int(np.sum(kinds == kind)) for kind in synthetic.PAIR_KINDS},
        "fmr_target": FMR_TARGET,
    }
    report["systems"] = {
        "trained": by_kind(trained, kinds),
        "untrained": by_kind(untrained, kinds),
        "hog_cosine": by_kind(hog_scores(references[..., 0], questioned[..., 0]), kinds),
    }
    report["sklearn_check"] = sklearn_check(trained, kinds)
    for system, results in report["systems"].items():
        print(system, results)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
