"""A tiny binary classifier on random vectors, shared by the callback tests."""

import keras
import numpy as np
import pytest


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] + 0.8 * rng.normal(size=200) > 0).astype("int64")
    return x, y


def tiny_model(with_threshold=False, outputs=1):
    """Dense(8) -> Dense(outputs); optionally an OperatingThreshold on the score."""
    from finvision.callbacks import OperatingThreshold

    keras.utils.set_random_seed(1)
    inputs = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    activation = "sigmoid" if outputs == 1 else "softmax"
    scores = keras.layers.Dense(outputs, activation=activation)(hidden)
    if with_threshold:
        scores = OperatingThreshold(name="operating_threshold")(scores)
    model = keras.Model(inputs, scores)
    loss = "binary_crossentropy" if outputs == 1 else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    return model
