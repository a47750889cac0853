"""What travels: every weight or the trainable ones, in model.get_weights() order."""

import keras
import numpy as np
import pytest

from finvision import federated
from tests.federated.conftest import clone_of, image_model


@pytest.fixture(scope="module")
def model():
    return image_model(seed=1)


def _frozen_model() -> keras.Model:
    """image_model with its first convolution frozen."""
    model = image_model(seed=2)
    model.layers[1].trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_all_is_get_weights_and_round_trips(model):
    parameters = federated.model_parameters(model)
    expected = model.get_weights()
    assert len(parameters) == len(expected) == 10
    for sent, weight in zip(parameters, expected, strict=True):
        np.testing.assert_array_equal(sent, weight)
    other = image_model(seed=3)
    assert not np.array_equal(other.get_weights()[0], expected[0])
    federated.load_parameters(other, parameters)
    for received, weight in zip(other.get_weights(), expected, strict=True):
        np.testing.assert_array_equal(received, weight)


def test_parameters_are_copies(model):
    parameters = federated.model_parameters(model)
    parameters[0] += 1.0
    assert not np.array_equal(parameters[0], model.get_weights()[0])


def test_trainable_leaves_out_statistics_and_frozen_layers():
    model = _frozen_model()
    paths = [variable.path for variable in model.weights]
    trainable = {variable.path for variable in model.trainable_weights}
    expected = [w for w, path in zip(model.get_weights(), paths, strict=True) if path in trainable]
    sent = federated.model_parameters(model, "trainable")
    assert len(sent) == len(expected) == 6  # BN gamma, beta; second conv and dense
    for array, weight in zip(sent, expected, strict=True):
        np.testing.assert_array_equal(array, weight)
    names = [v.path.split("/")[-1] for v in federated.exchanged_weights(model, "trainable")]
    assert "moving_mean" not in names and "moving_variance" not in names


def test_trainable_exchange_keeps_local_state_local(small_documents):
    model = _frozen_model()
    client = federated.FlowerClient(
        model, small_documents, small_documents, batch_size=16, exchange="trainable"
    )
    before = model.get_weights()
    parameters, _, _ = client.fit(client.get_parameters({}), {})
    after = model.get_weights()
    frozen_ids = {id(v) for v in model.layers[1].weights}
    frozen = [index for index, v in enumerate(model.weights) if id(v) in frozen_ids]
    statistics = [index for index, v in enumerate(model.weights) if "moving" in v.path]
    assert len(frozen) == 2 and len(statistics) == 2
    for index in frozen:  # the frozen convolution is bit-identical
        np.testing.assert_array_equal(after[index], before[index])
    for index in statistics:  # the statistics moved, but only locally
        assert not np.allclose(after[index], before[index])
    assert len(parameters) == 6


def test_count_mismatch_names_both_counts(model):
    parameters = federated.model_parameters(model)
    with pytest.raises(ValueError, match=r"must hold 10 arrays .* received 9\."):
        federated.load_parameters(model, parameters[:-1])
    with pytest.raises(ValueError, match=r"must hold 6 arrays .*exchange='trainable'"):
        federated.load_parameters(_frozen_model(), parameters, "trainable")


def test_shape_mismatch_names_the_first_weight_and_both_shapes(model):
    parameters = federated.model_parameters(model)
    before = model.get_weights()
    parameters[-1] = np.zeros(3, "float32")  # fits
    parameters[2] = np.zeros(9, "float32")  # BN gamma (8,) -> (9,)
    parameters[4] = np.zeros(9, "float32")
    path = model.weights[2].path
    message = rf"at weight 2 '{path}': the model has shape \(8,\), the server sent shape \(9,\)\."
    with pytest.raises(ValueError, match=message):
        federated.load_parameters(model, parameters)
    for weight, original in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(weight, original)  # nothing was loaded


def test_unknown_exchange(model):
    with pytest.raises(ValueError, match=r"`exchange` must be one of \('all', 'trainable'\)"):
        federated.model_parameters(model, "changed")


def test_float64_parameters_load_as_float32(model):
    other = clone_of(model)
    parameters = [p.astype("float64") + 1.0 for p in federated.model_parameters(model)]
    federated.load_parameters(other, parameters)
    assert all(w.dtype == np.float32 for w in other.get_weights())
    np.testing.assert_allclose(other.get_weights()[0], parameters[0], rtol=1e-6)
