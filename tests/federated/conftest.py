"""Shared pieces of the federated tests: a tiny image model and a small document task."""

import itertools
import os

# Flower reports usage to its servers when a server or client starts, unless told not to.
os.environ["FLWR_TELEMETRY_ENABLED"] = "0"

import keras
import numpy as np
import pytest

import finvision.federated  # noqa: F401  (first: imports Flower with its typer warnings muted)
from finvision.data import synthetic

SIZE = 32
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"


def image_model(seed: int = 0, *, learning_rate: float = 1e-2) -> keras.Model:
    """A small CNN with BatchNormalization, compiled with Adam and accuracy.

    BatchNormalization momentum 0.5: the moving statistics follow the last few batches,
    so after the hundred-odd steps of these tests inference matches training (with
    0.9 or Keras' 0.99 the held-out accuracy of some seeds collapses)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            keras.layers.Rescaling(1 / 127.5, offset=-1),
            keras.layers.Conv2D(8, 3, strides=2, padding="same"),
            keras.layers.BatchNormalization(momentum=0.5),
            keras.layers.ReLU(),
            keras.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def clone_of(model: keras.Model, seed: int = 0) -> keras.Model:
    """A fresh compiled copy of ``image_model`` with the weights and learning rate of ``model``."""
    copy = image_model(seed, learning_rate=float(model.optimizer.learning_rate))
    copy.set_weights(model.get_weights())
    return copy


def documents(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cheques, ID cards and signature cards at 32 x 32 px (no tampered class)."""
    data = synthetic.document_types(
        count, seed=seed, size=(SIZE, SIZE), tampered_share=0.0, font_path=DEJAVU
    )
    return data.images, data.labels


def split(data: tuple[np.ndarray, np.ndarray], sizes: list[int], seed: int = 0) -> list:
    """Disjoint shards of ``data`` of the given sizes, drawn at random."""
    x, y = data
    order = np.random.default_rng(seed).permutation(len(x))
    bounds = np.cumsum([0, *sizes])
    return [(x[order[a:b]], y[order[a:b]]) for a, b in itertools.pairwise(bounds)]


@pytest.fixture(scope="package")
def small_documents() -> tuple[np.ndarray, np.ndarray]:
    """48 labelled document images."""
    return documents(48, seed=11)
