"""Contrastive, triplet and ArcFace losses against NumPy loops and hand-worked batches."""

import itertools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision.losses import ArcFaceHead, ArcFaceLoss, ContrastiveLoss, TripletLoss

RNG = np.random.default_rng(7)
EMBEDDINGS = RNG.normal(size=(6, 4)).astype("float32")
EMBEDDINGS /= np.linalg.norm(EMBEDDINGS, axis=1, keepdims=True)
LABELS = np.array([0, 0, 1, 1, 1, 2])


def numpy_contrastive(embeddings, labels, margin):
    costs = []
    for i, j in itertools.combinations(range(len(labels)), 2):
        distance = np.linalg.norm(embeddings[i] - embeddings[j])
        same = labels[i] == labels[j]
        costs.append(distance**2 if same else max(margin - distance, 0.0) ** 2)
    return np.mean(costs)


def numpy_triplet(embeddings, labels, margin):
    """The documented mining rule, written as loops over anchors, positives and negatives."""
    count = len(labels)
    distance = np.linalg.norm(embeddings[:, None] - embeddings[None], axis=-1)
    costs = []
    for anchor, positive in itertools.permutations(range(count), 2):
        if labels[anchor] != labels[positive]:
            continue
        negatives = [n for n in range(count) if labels[n] != labels[anchor]]
        if not negatives:
            continue
        farther = [
            distance[anchor, n]
            for n in negatives
            if distance[anchor, n] > distance[anchor, positive]
        ]
        chosen = min(farther) if farther else max(distance[anchor, n] for n in negatives)
        costs.append(max(distance[anchor, positive] - chosen + margin, 0.0))
    return np.mean(costs) if costs else 0.0


def value(loss, labels, embeddings):
    return float(loss(labels, embeddings))


@pytest.mark.parametrize("margin", [0.5, 1.0, 1.5])
def test_contrastive_matches_pair_loop(margin):
    expected = numpy_contrastive(EMBEDDINGS, LABELS, margin)
    assert value(ContrastiveLoss(margin), LABELS, EMBEDDINGS) == pytest.approx(expected, rel=1e-5)


def test_contrastive_hand_worked():
    # Points on a line at 0, 0.5, 3: one genuine pair at d = 0.5, impostors at d = 3 and 2.5.
    embeddings = np.array([[0.0], [0.5], [3.0]])
    assert value(ContrastiveLoss(margin=2.8), [1, 1, 2], embeddings) == pytest.approx(
        (0.25 + 0.0 + 0.3**2) / 3
    )
    assert value(ContrastiveLoss(), [[4]], np.ones((1, 3))) == 0.0  # no pair


@pytest.mark.parametrize("margin", [0.2, 0.5, 1.0])
def test_triplet_matches_mining_loop(margin):
    expected = numpy_triplet(EMBEDDINGS, LABELS, margin)
    assert expected > 0
    assert value(TripletLoss(margin), LABELS, EMBEDDINGS) == pytest.approx(expected, rel=1e-5)


def test_triplet_picks_the_semi_hard_negative():
    # Anchor 0 and positive 1 (d = 1) on a line; negatives at distances 0.5 (hard),
    # 1.2 (semi-hard) and 3 (easy) from the anchor, each with a label of its own.
    embeddings = np.array([[0.0], [1.0], [0.5], [-1.2], [3.0]])
    labels = [0, 0, 1, 2, 3]
    # Anchor 0: semi-hard 1.2, cost 1 - 1.2 + 0.5 = 0.3. Anchor 1: negatives at 0.5,
    # 2.2 and 2; the closest beyond 1 is 2, cost 1 - 2 + 0.5 < 0, so 0.
    assert value(TripletLoss(margin=0.5), labels, embeddings) == pytest.approx(0.15)
    # Hardest-negative mining would give (1 - 0.5 + 0.5) for both pairs: 1.0.


def test_triplet_falls_back_to_the_farthest_negative():
    # Positive at d = 3; negatives at 1 and 2 from the anchor are all closer.
    embeddings = np.array([[0.0], [3.0], [1.0], [2.0]])
    # Anchor 0: farthest negative 2, cost 3 - 2 + 0.5. Anchor 1: negatives at 2 and 1,
    # farthest 2, cost 1.5. (The hardest would cost 2.5.)
    assert value(TripletLoss(margin=0.5), [0, 0, 1, 2], embeddings) == pytest.approx(1.5)


def test_triplet_without_triplets_is_zero():
    assert value(TripletLoss(), [0, 1, 2], EMBEDDINGS[:3]) == 0.0  # no positive pair
    assert value(TripletLoss(), [5, 5, 5], EMBEDDINGS[:3]) == 0.0  # no negative


@pytest.mark.parametrize("loss", [ContrastiveLoss(), TripletLoss()])
@pytest.mark.tensorflow_only  # tf.GradientTape
def test_gradients_are_finite_for_identical_embeddings(loss):
    embeddings = tf.Variable(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], "float32"))
    with tf.GradientTape() as tape:
        result = loss(np.array([0, 0, 1, 1]), embeddings)
    gradient = tape.gradient(result, embeddings).numpy()
    assert np.all(np.isfinite(gradient))
    assert np.abs(gradient).sum() > 0


def test_pair_losses_accept_column_labels_and_reject_bad_shapes():
    loss = TripletLoss()
    assert value(loss, LABELS[:, None], EMBEDDINGS) == value(loss, LABELS, EMBEDDINGS)
    with pytest.raises(ValueError, match=r"`y_pred` must be a batch of embeddings \(N, D\)"):
        loss(LABELS, EMBEDDINGS[:, :, None])
    with pytest.raises(ValueError, match="received 5 labels for 6 embeddings"):
        ContrastiveLoss()(LABELS[:5], EMBEDDINGS)


def test_arcface_logits_add_the_margin_to_the_true_angle():
    angles = np.array([[0.3, 1.2, 2.0], [1.0, 0.4, 2.9]], "float32")
    cosines = np.cos(angles)
    loss = ArcFaceLoss(scale=30.0, margin=0.5)
    logits = keras.ops.convert_to_numpy(loss.logits(np.array([0, 1]), cosines))
    expected = 30.0 * cosines
    expected[0, 0] = 30.0 * np.cos(0.3 + 0.5)
    expected[1, 1] = 30.0 * np.cos(0.4 + 0.5)
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-4)
    # The true class past pi - m: cos(theta) - m sin(m), not cos(theta + m).
    past = keras.ops.convert_to_numpy(loss.logits(np.array([2]), cosines[1:]))
    assert past[0, 2] == pytest.approx(30.0 * (np.cos(2.9) - 0.5 * np.sin(0.5)), rel=1e-5)


def test_arcface_loss_is_softmax_cross_entropy_of_the_logits():
    cosines = np.cos(RNG.uniform(0.2, 2.5, (4, 5))).astype("float32")
    labels = np.array([3, 0, 4, 4])
    loss = ArcFaceLoss(scale=16.0, margin=0.3)
    logits = keras.ops.convert_to_numpy(loss.logits(labels, cosines)).astype("float64")
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(4), labels].mean()
    assert float(loss(labels, cosines)) == pytest.approx(expected, rel=1e-5)
    no_margin = ArcFaceLoss(scale=16.0, margin=0.0)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, 16.0 * cosines)
    assert float(no_margin(labels, cosines)) == pytest.approx(float(plain), rel=1e-5)


def test_arcface_head_outputs_cosines_with_normalised_centres():
    head = ArcFaceHead(3, name="arc_face_head")  # explicit: auto-names depend on test order
    embeddings = RNG.normal(size=(4, 5)).astype("float32") * 3.0
    cosines = keras.ops.convert_to_numpy(head(embeddings))
    centres = keras.ops.convert_to_numpy(head.kernel)
    expected = (embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)) @ (
        centres / np.linalg.norm(centres, axis=0, keepdims=True)
    )
    np.testing.assert_allclose(cosines, expected, rtol=1e-5, atol=1e-6)
    assert [weight.path for weight in head.weights] == ["arc_face_head/kernel"]


def test_serialization_round_trips():
    objects = [
        ContrastiveLoss(margin=0.7, name="pairs"),
        TripletLoss(margin=0.3),
        ArcFaceLoss(scale=32.0, margin=0.2, reduction="sum"),
        ArcFaceHead(7, kernel_initializer="zeros", name="centres"),
    ]
    for original in objects:
        config = keras.saving.serialize_keras_object(original)
        assert config["registered_name"].startswith("finvision>")
        restored = keras.saving.deserialize_keras_object(config, safe_mode=True)
        assert type(restored) is type(original)
        assert restored.get_config() == original.get_config()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ContrastiveLoss(margin=0), r"`margin` must be a number > 0.0; received 0"),
        (lambda: TripletLoss(margin=-1.0), r"`margin` must be a number > 0.0; received -1.0"),
        (lambda: TripletLoss(margin="1"), r"`margin` must be a number > 0.0; received '1'"),
        (lambda: ArcFaceLoss(scale=0.0), r"`scale` must be a number > 0.0; received 0.0"),
        (lambda: ArcFaceLoss(margin=-0.1), r"`margin` must be a number >= 0.0; received -0.1"),
        (lambda: ArcFaceLoss(margin=math.pi / 2), r"`margin` must be in \[0, pi/2\) radians"),
        (lambda: ArcFaceHead(1), r"`num_classes` must be an integer >= 2; received 1"),
        (lambda: ArcFaceHead(True), r"`num_classes` must be an integer >= 2; received True"),
    ],
)
def test_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"ArcFaceHead expects embeddings \(N, D\)"):
        ArcFaceHead(3)(np.zeros((2, 4, 4), "float32"))
    with pytest.raises(ValueError, match=r"`y_pred` must hold cosines with every class centre"):
        ArcFaceLoss()([0], np.zeros((1, 2, 3)))
