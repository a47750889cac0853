"""SequenceClassifier, PerFrame and FramePositionEncoding."""

import keras
import numpy as np
import pytest

from finvision import models
from finvision.data.synthetic import blink_clips
from tests.conftest import predict

FRAME = (32, 32, 3)
CLIPS = np.random.default_rng(0).integers(0, 256, (2, 5, *FRAME), dtype="uint8")


def tiny_backbone(seed: int = 0) -> keras.Model:
    """Three conv-BN-ReLU blocks: quick to train from scratch on 32 px frames."""
    keras.utils.set_random_seed(seed)
    images = keras.Input(FRAME)
    features = keras.layers.Rescaling(1 / 255)(images)
    for filters, strides in ((16, 2), (32, 2), (32, 1)):
        features = keras.layers.Conv2D(filters, 3, strides=strides, padding="same")(features)
        features = keras.layers.ReLU()(keras.layers.BatchNormalization()(features))
    return keras.Model(images, features, name="tiny_cnn")


@pytest.fixture(scope="module")
def backbone():
    return tiny_backbone()


@pytest.mark.parametrize("temporal", models.TEMPORAL_LAYERS)
def test_each_temporal_layer_classifies_clips(backbone, temporal):
    model = models.SequenceClassifier(backbone, 3, temporal=temporal, units=8, num_heads=2)
    probabilities = predict(model, CLIPS)
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert model.backbone is backbone
    names = [layer.name for layer in model.layers]
    assert names[:3] == ["clips", "frame_encoder", "frame_pooler"]
    assert names[-1] == "predictions"


def test_lstm_reads_the_pooled_frame_features_in_order(backbone):
    """Oracle: the backbone on each frame, averaged, then the LSTM and head by hand."""
    model = models.SequenceClassifier(backbone, 2, temporal="lstm", units=4, activation=None)
    frames = keras.ops.convert_to_numpy(backbone(CLIPS.reshape(-1, *FRAME).astype("float32")))
    per_frame = frames.mean(axis=(1, 2)).reshape(2, 5, -1)
    lstm = model.get_layer("temporal_lstm")
    kernel, recurrent, bias = (keras.ops.convert_to_numpy(w) for w in lstm.weights)
    state, carry = np.zeros((2, 4)), np.zeros((2, 4))
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    for step in range(5):
        gates = per_frame[:, step] @ kernel + state @ recurrent + bias
        i, f, c, o = np.split(gates, 4, axis=1)  # Keras' gate order
        carry = sigmoid(f) * carry + sigmoid(i) * np.tanh(c)
        state = sigmoid(o) * np.tanh(carry)
    head = model.get_layer("predictions")
    expected = state @ keras.ops.convert_to_numpy(head.kernel) + keras.ops.convert_to_numpy(
        head.bias
    )
    np.testing.assert_allclose(predict(model, CLIPS), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("temporal", models.TEMPORAL_LAYERS)
def test_frame_order_changes_the_output(backbone, temporal):
    keras.utils.set_random_seed(1)
    model = models.SequenceClassifier(
        backbone, 2, temporal=temporal, units=8, num_heads=2, activation=None
    )
    logits, reversed_logits = predict(model, CLIPS), predict(model, CLIPS[:, ::-1])
    assert np.abs(logits - reversed_logits).max() > 1e-3 * np.abs(logits).max()


def test_clip_length_is_free_unless_fixed(backbone):
    model = models.SequenceClassifier(backbone, 2, temporal="gru", units=8)
    assert model.input_shape == (None, None, *FRAME)
    assert predict(model, CLIPS[:, :3]).shape == (2, 2)
    fixed = models.SequenceClassifier(backbone, 2, temporal="gru", units=8, frames=5)
    assert fixed.input_shape == (None, 5, *FRAME)


def test_binary_head_dropout_and_a_finvision_backbone():
    backbone = models.create_backbone("mobilenet_v3_small", input_shape=FRAME, pooling="avg")
    model = models.SequenceClassifier(
        backbone, 1, dropout=0.25, units=8, class_names=["live", "attack"]
    )
    assert model.get_layer("predictions").activation is keras.activations.sigmoid
    assert model.get_layer("head_dropout").rate == 0.25
    assert "frame_pooler" not in [layer.name for layer in model.layers]  # pooled backbone
    assert predict(model, CLIPS).shape == (2, 1)


def test_config_round_trip_keeps_every_argument(backbone):
    model = models.SequenceClassifier(
        backbone, 3, temporal="attention", frames=5, units=8, num_heads=4, pooling="max"
    )
    config = model.get_config()
    rebuilt = models.SequenceClassifier.from_config(config).get_config()
    assert {key: rebuilt[key] for key in config if key != "backbone"} == {
        key: config[key] for key in config if key != "backbone"
    }
    assert {key: config[key] for key in ("temporal", "frames", "units", "num_heads")} == {
        "temporal": "attention",
        "frames": 5,
        "units": 8,
        "num_heads": 4,
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"temporal": "transformer"}, r"`temporal` must be one of \('lstm', 'gru', 'attention'\)"),
        ({"frames": 0}, "`frames` must be an integer >= 1; received 0"),
        ({"units": 2.5}, "`units` must be an integer >= 1; received 2.5"),
        (
            {"temporal": "attention", "units": 10, "num_heads": 4},
            "`units` must be a multiple of `num_heads`.*units=10, num_heads=4",
        ),
        ({"class_names": ["a"]}, "`class_names` must be 2 non-empty strings"),
        ({"dropout": 1.0}, r"`dropout` must be a number in \[0, 1\)"),
    ],
)
def test_bad_arguments_name_themselves(backbone, arguments, message):
    with pytest.raises(ValueError, match=message):
        models.SequenceClassifier(backbone, 2, **arguments)


def test_per_frame_equals_time_distributed(backbone):
    clips = CLIPS.astype("float32")
    expected = keras.layers.TimeDistributed(backbone)(clips)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(models.PerFrame(backbone)(clips)),
        keras.ops.convert_to_numpy(expected),
        rtol=1e-5,
        atol=1e-6,
    )


def test_per_frame_refuses_frames_without_a_time_axis(backbone):
    with pytest.raises(ValueError, match=r"rank >= 3; received shape \(None, 32\)"):
        models.PerFrame(keras.layers.Dense(2))(keras.Input((32,)))
    with pytest.raises(TypeError, match=r"`layer` must be a keras\.layers\.Layer.*received str"):
        models.PerFrame("resnet18")


def test_frame_positions_follow_the_sinusoid_formula():
    frames, width = 6, 10
    encoded = keras.ops.convert_to_numpy(
        models.FramePositionEncoding()(np.zeros((2, frames, width), "float32"))
    )
    expected = np.zeros((frames, width))
    for t in range(frames):
        for i in range(width):
            angle = t / 10000 ** ((i - i % 2) / width)
            expected[t, i] = np.sin(angle) if i % 2 == 0 else np.cos(angle)
    np.testing.assert_allclose(encoded[0], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(encoded[0], encoded[1])


# === Learning: order is the only signal ===


def _fit(model: keras.Model, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int) -> None:
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)


@pytest.mark.slow
def test_sequence_model_beats_a_per_frame_classifier_on_blink_order():
    """Frames of both classes are alike; a per-frame classifier stays near chance."""
    train, test = blink_clips(1024, seed=0), blink_clips(256, seed=1)
    frames = train.clips.shape[1]

    per_frame = models.ImageClassifier(tiny_backbone(), 2)
    _fit(per_frame, train.clips.reshape(-1, *FRAME), np.repeat(train.labels, frames), 4, 64)
    frame_scores = predict(per_frame, test.clips.reshape(-1, *FRAME))
    clip_scores = frame_scores.reshape(len(test.labels), frames, 2).mean(axis=1)
    per_frame_accuracy = np.mean(clip_scores.argmax(axis=1) == test.labels)

    sequence = models.SequenceClassifier(tiny_backbone(), 2, temporal="gru", units=32)
    _fit(sequence, train.clips, train.labels, 12, 16)
    sequence_accuracy = np.mean(predict(sequence, test.clips).argmax(axis=1) == test.labels)

    assert abs(per_frame_accuracy - 0.5) < 0.1, per_frame_accuracy
    assert sequence_accuracy > per_frame_accuracy + 0.15, (sequence_accuracy, per_frame_accuracy)
