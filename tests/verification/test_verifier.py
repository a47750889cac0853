"""SiameseVerifier: unit-norm embeddings, cosine scores, ArcFace training, saving, learning."""

import keras
import numpy as np
import pytest

from finvision import models
from finvision.losses import ArcFaceHead, TripletLoss
from finvision.metrics import functional
from finvision.models.verification import SiameseVerifier
from tests.conftest import predict

SIGNATURES = np.random.default_rng(0).integers(0, 256, (4, 32, 64, 1), dtype="uint8")
FACES = np.random.default_rng(1).integers(0, 256, (3, 32, 32, 3), dtype="uint8")


@pytest.fixture(scope="module")
def verifier():
    backbone = models.create_backbone("resnet18", input_shape=(32, 64, 1))
    return SiameseVerifier(backbone, embedding_dim=16, name="signatures")


def test_embeddings_are_the_normalised_projection_of_pooled_features(verifier):
    embeddings = predict(verifier, SIGNATURES)
    assert embeddings.shape == (4, 16)
    assert embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-6)
    pooled = predict(verifier.backbone, SIGNATURES).mean(axis=(1, 2))
    projection = verifier.get_layer("projection")
    raw = pooled @ keras.ops.convert_to_numpy(projection.kernel) + keras.ops.convert_to_numpy(
        projection.bias
    )
    expected = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    np.testing.assert_allclose(embeddings, expected, rtol=1e-4, atol=1e-5)
    assert verifier.backbone.input_shape == (None, 32, 64, 1)


def test_score_is_the_symmetric_dot_product_of_embeddings(verifier):
    other = SIGNATURES[::-1]
    scores = verifier.score(SIGNATURES, other)
    embeddings = verifier.predict(SIGNATURES, verbose=0)
    np.testing.assert_allclose(scores, np.sum(embeddings * embeddings[::-1], axis=1), atol=1e-6)
    np.testing.assert_allclose(verifier.score(other, SIGNATURES), scores, atol=1e-6)
    assert scores.dtype == np.float32 and scores.shape == (4,)
    assert np.all(np.abs(scores) <= 1.0 + 1e-6)
    assert scores[1] == pytest.approx(scores[2]) and scores[0] == pytest.approx(scores[3])
    # One enrolled signature against every one, itself included (cosine 1).
    against_first = verifier.score(SIGNATURES[:1], SIGNATURES)
    np.testing.assert_allclose(against_first, embeddings @ embeddings[0], atol=1e-6)
    assert against_first[0] == pytest.approx(1.0, abs=1e-5)


def test_faces_max_pooling_dropout_and_pooled_backbones():
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 3))
    faces = SiameseVerifier(backbone, embedding_dim=8, pooling="max", dropout=0.2)
    assert faces.get_layer("head_dropout").rate == 0.2
    embeddings = predict(faces, FACES)
    assert embeddings.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-6)
    pooled = models.create_backbone("resnet18", input_shape=(32, 32, 3), pooling="avg")
    names = [layer.name for layer in SiameseVerifier(pooled, 8).layers]
    assert "avg_pool" not in names and "embedding" in names


def test_embeddings_stay_float32_under_mixed_precision():
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 3), dtype="mixed_float16")
    verifier = SiameseVerifier(backbone, embedding_dim=8)
    assert verifier.get_layer("avg_pool").compute_dtype == "float16"
    assert verifier.get_layer("embedding").compute_dtype == "float32"
    embeddings = predict(verifier, FACES)
    assert embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)


def test_keras_file_and_preset_round_trips(verifier, tmp_path):
    verifier.get_layer("projection").bias.assign(np.linspace(-1, 1, 16))
    expected = predict(verifier, SIGNATURES)

    verifier.save(tmp_path / "verifier.keras")
    loaded = keras.saving.load_model(tmp_path / "verifier.keras", safe_mode=True)
    assert isinstance(loaded, SiameseVerifier)
    assert loaded.get_config() == verifier.get_config()
    np.testing.assert_array_equal(predict(loaded, SIGNATURES), expected)

    reloaded = SiameseVerifier.from_preset(verifier.save_preset(tmp_path / "preset"))
    np.testing.assert_array_equal(predict(reloaded, SIGNATURES), expected)
    assert (reloaded.name, reloaded.embedding_dim) == ("signatures", 16)
    with pytest.raises(TypeError, match=r"SiameseVerifier.from_preset\(\) reads SiameseVerifier"):
        SiameseVerifier.from_preset(models.save_preset(verifier.backbone, tmp_path / "backbone"))


def test_arcface_training_model_shares_the_verifier(verifier, tmp_path):
    trainer = verifier.with_arcface_head(num_classes=5)
    assert trainer.name == "signatures_arcface"
    assert trainer.output_shape == (None, 5)
    verifier_variables = {id(variable) for variable in verifier.weights}
    assert verifier_variables < {id(variable) for variable in trainer.weights}
    head = trainer.get_layer("arcface_centres")
    assert isinstance(head, ArcFaceHead)
    cosines = predict(trainer, SIGNATURES)
    centres = keras.ops.convert_to_numpy(head.kernel)
    expected = predict(verifier, SIGNATURES) @ (centres / np.linalg.norm(centres, axis=0))
    np.testing.assert_allclose(cosines, expected, rtol=1e-4, atol=1e-5)

    trainer.save(tmp_path / "trainer.keras")
    loaded = keras.saving.load_model(tmp_path / "trainer.keras", safe_mode=True)
    np.testing.assert_array_equal(predict(loaded, SIGNATURES), cosines)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"embedding_dim": 0}, ValueError, "`embedding_dim` must be an integer >= 1; received 0"),
        ({"embedding_dim": 2.5}, ValueError, "`embedding_dim` must be an integer >= 1"),
        ({"pooling": "sum"}, ValueError, r"`pooling` must be one of \('avg', 'max'\); received"),
        ({"dropout": 1.0}, ValueError, r"`dropout` must be a number in \[0, 1\); received 1.0"),
    ],
)
def test_bad_arguments(verifier, arguments, error, message):
    with pytest.raises(error, match=message):
        SiameseVerifier(verifier.backbone, **arguments)


def test_bad_backbones_and_images(verifier):
    with pytest.raises(TypeError, match=r"`backbone` must be a keras.Model.*received str"):
        SiameseVerifier("resnet18")
    pyramid = models.create_backbone("resnet18", input_shape=(32, 32, 3), features_only=True)
    with pytest.raises(ValueError, match="SiameseVerifier needs the final feature map"):
        SiameseVerifier(pyramid)
    with pytest.raises(ValueError, match=r"must hold as many images.*received 4 and 2"):
        verifier.score(SIGNATURES, SIGNATURES[:2])
    with pytest.raises(ValueError, match=r"batches of images \(N, H, W, C\); received shapes"):
        verifier.score(SIGNATURES[0], SIGNATURES[0])


def bars(count, seed, size=32):
    """Class 0: a horizontal bar, class 1: a vertical bar, anywhere, on a noisy background."""
    rng = np.random.default_rng(seed)
    images = rng.normal(40, 10, (count, size, size, 1)).clip(0, 255).astype("float32")
    labels = np.arange(count) % 2
    for image, label in zip(images, labels, strict=True):
        row, column = rng.integers(4, size - 12, 2)
        height, width = (10, 3) if label else (3, 10)
        image[row : row + height, column : column + width] = 220
    return images, labels


def pair_scores(verifier, images, labels):
    embeddings = predict(verifier, images)
    scores = embeddings @ embeddings.T
    same = labels[:, None] == labels[None, :]
    genuine = scores[same & ~np.eye(len(labels), dtype=bool)]
    return genuine, scores[~same]


@pytest.mark.slow
def test_triplet_training_separates_genuine_from_impostor_pairs():
    keras.utils.set_random_seed(0)
    images, labels = bars(96, seed=0)
    held_out, held_out_labels = bars(16, seed=1)
    # From scratch, BN statistics must follow the weights within 12 steps.
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 1), bn_momentum=0.5)
    verifier = SiameseVerifier(backbone, embedding_dim=16)
    genuine, impostor = pair_scores(verifier, held_out, held_out_labels)
    assert genuine.mean() - impostor.mean() < 0.1  # a random network hardly tells them apart

    verifier.compile(optimizer=keras.optimizers.Adam(1e-3), loss=TripletLoss(margin=0.5))
    verifier.fit(images, labels, batch_size=32, epochs=4, verbose=0)
    genuine, impostor = pair_scores(verifier, held_out, held_out_labels)
    assert genuine.mean() - impostor.mean() > 1.0
    assert functional.equal_error_rate(genuine, impostor)[0] < 0.2


def test_score_refuses_empty_batches_and_a_batch_size_below_one(verifier):
    faces = np.zeros((2, *verifier.input_shape[1:]), "uint8")
    with pytest.raises(ValueError, match=r"at least one image each; received 0 and 2"):
        verifier.score(faces[:0], faces)
    with pytest.raises(ValueError, match=r"`batch_size` must be an integer >= 1; received 0"):
        verifier.score(faces, faces, batch_size=0)
