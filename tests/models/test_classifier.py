"""ImageClassifier: heads, binary tasks, new label sets, presets and precision."""

import keras
import numpy as np
import pytest

from finvision import models
from tests.conftest import predict

SHAPE = (32, 32, 3)
IMAGES = np.random.default_rng(0).integers(0, 256, (4, *SHAPE), dtype="uint8")


@pytest.fixture(scope="module")
def backbone():
    return models.create_backbone("mobilenet_v3_small", input_shape=SHAPE)


def test_softmax_head(backbone):
    classifier = models.ImageClassifier(backbone, 3)
    probabilities = predict(classifier, IMAGES)
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert classifier.backbone is backbone
    assert [layer.name for layer in classifier.layers[-2:]] == ["avg_pool", "predictions"]


def test_binary_head_is_one_sigmoid_unit(backbone):
    classifier = models.ImageClassifier(backbone, 1)
    assert classifier.get_layer("predictions").activation is keras.activations.sigmoid
    probabilities = predict(classifier, IMAGES)
    assert probabilities.shape == (4, 1)
    assert np.all((probabilities > 0) & (probabilities < 1))


def test_logits_head_and_dropout(backbone):
    classifier = models.ImageClassifier(backbone, 2, activation=None, dropout=0.3, pooling="max")
    assert classifier.get_layer("head_dropout").rate == 0.3
    pooled = keras.ops.convert_to_numpy(backbone(IMAGES)).max(axis=(1, 2))
    head = classifier.get_layer("predictions")
    expected = pooled @ keras.ops.convert_to_numpy(head.kernel) + keras.ops.convert_to_numpy(
        head.bias
    )
    np.testing.assert_allclose(predict(classifier, IMAGES), expected, rtol=1e-5, atol=1e-5)


def test_pooled_backbone_is_used_as_is():
    pooled = models.create_backbone("resnet18", input_shape=SHAPE, pooling="avg")
    classifier = models.ImageClassifier(pooled, 4)
    assert "avg_pool" not in [layer.name for layer in classifier.layers]
    assert classifier.output_shape == (None, 4)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"num_classes": 0}, ValueError, "`num_classes` must be an integer >= 1; received 0"),
        ({"num_classes": True}, ValueError, "`num_classes` must be an integer"),
        ({"num_classes": 2, "pooling": None}, ValueError, r"`pooling` must be one of \('avg'"),
        ({"num_classes": 2, "dropout": 1.0}, ValueError, r"`dropout` must be a number in \[0, 1\)"),
        (
            {"num_classes": 3, "class_names": ["cheque", "passport"]},
            ValueError,
            r"`class_names` must be 3 non-empty strings .*received \['cheque', 'passport'\]",
        ),
        (
            {"num_classes": 1, "class_names": ["tampered"]},
            ValueError,
            r"must be 2 non-empty strings \(one per class; 2 for a one-unit binary head\)",
        ),
        (
            {"num_classes": 2, "class_names": ["cheque", "cheque"]},
            ValueError,
            r"`class_names` must be distinct; received \['cheque', 'cheque'\]",
        ),
        ({"num_classes": 2, "class_names": ["a", 7]}, ValueError, r"received \['a', 7\]"),
    ],
)
def test_bad_arguments(backbone, arguments, error, message):
    with pytest.raises(error, match=message):
        models.ImageClassifier(backbone, **arguments)


def test_bad_backbones():
    with pytest.raises(TypeError, match=r"`backbone` must be a keras.Model.*received str"):
        models.ImageClassifier("resnet18", 2)
    pyramid = models.create_backbone("resnet18", input_shape=SHAPE, features_only=True)
    with pytest.raises(ValueError, match="features_only=True"):
        models.ImageClassifier(pyramid, 2)


def test_reset_head_keeps_backbone_and_settings(backbone):
    classifier = models.ImageClassifier(backbone, 10, dropout=0.2, name="doc_type")
    renewed = classifier.reset_head(4, class_names=["a", "b", "c", "d"])
    assert renewed.output_shape == (None, 4)
    assert renewed.class_names == ["a", "b", "c", "d"]
    assert renewed.backbone is classifier.backbone
    assert (renewed.name, renewed.dropout, renewed.pooling) == ("doc_type", 0.2, "avg")
    assert classifier.output_shape == (None, 10)
    assert models.ImageClassifier(backbone, 3).reset_head(1).get_layer(
        "predictions"
    ).activation is (keras.activations.sigmoid)


def test_preset_and_keras_file_round_trips(backbone, tmp_path):
    names = ["cheque", "passport", "tampered"]
    classifier = models.ImageClassifier(backbone, 3, dropout=0.1, class_names=names)
    classifier.get_layer("predictions").bias.assign([0.5, -0.5, 0.25])
    expected = predict(classifier, IMAGES)

    reloaded = models.ImageClassifier.from_preset(classifier.save_preset(tmp_path / "preset"))
    np.testing.assert_array_equal(predict(reloaded, IMAGES), expected)
    assert reloaded.get_config()["num_classes"] == 3
    assert reloaded.class_names == names

    classifier.save(tmp_path / "classifier.keras")
    loaded = keras.saving.load_model(tmp_path / "classifier.keras", safe_mode=True)
    assert isinstance(loaded, models.ImageClassifier)
    np.testing.assert_array_equal(predict(loaded, IMAGES), expected)
    assert loaded.class_names == names
    assert models.ImageClassifier(backbone, 2).class_names is None


def test_presets_of_other_kinds_are_refused(backbone, tmp_path):
    models.save_preset(backbone, tmp_path / "backbone")
    message = r"holds a Backbone; ImageClassifier.from_preset\(\) reads ImageClassifier presets"
    with pytest.raises(TypeError, match=message):
        models.ImageClassifier.from_preset(tmp_path / "backbone")
    models.ImageClassifier(backbone, 2).save_preset(tmp_path / "classifier")
    with pytest.raises(ValueError, match=r"holds an ImageClassifier.*save_preset"):
        models.create_backbone("mobilenet_v3_small", weights=tmp_path / "classifier")


def test_logits_stay_float32_under_mixed_precision():
    backbone = models.create_backbone("resnet18", input_shape=SHAPE, dtype="mixed_float16")
    classifier = models.ImageClassifier(backbone, 3)
    assert classifier.get_layer("avg_pool").compute_dtype == "float16"
    assert classifier.get_layer("predictions").compute_dtype == "float32"
    assert predict(classifier, IMAGES).dtype == np.float32


def test_predict_refuses_empty_input_naming_x():
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 3))
    classifier = models.ImageClassifier(backbone, 2)
    with pytest.raises(ValueError, match=r"`x` holds no samples: received shape \(0, 32, 32, 3\)"):
        classifier.predict(np.zeros((0, 32, 32, 3), "uint8"), verbose=0)
    with pytest.raises(ValueError, match=r"`x` holds no samples: received shape \(0, 32, 32, 3\)"):
        classifier.predict({"images": np.zeros((0, 32, 32, 3), "uint8")}, verbose=0)


@pytest.mark.tensorflow_only
def test_predict_refuses_an_empty_dataset():
    import tensorflow as tf

    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 3))
    classifier = models.ImageClassifier(backbone, 2)
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 32, 32, 3), "uint8")).batch(2)
    with pytest.raises(ValueError, match=r"`x` is a dataset with no batches"):
        classifier.predict(empty, verbose=0)
