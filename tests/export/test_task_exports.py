"""Task models export through their serving hook: verifier, tamper segmenter, zone locator."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import export
from finvision.models import SiameseVerifier, TamperSegmenter, create_backbone

SIZE = 32
# Float TFLite and ONNX run the same float32 graph as Keras: differences seen are ~1e-6
# (summed in another order); the classifier tests use the same 1e-4 bound.
ATOL = 1e-4


@pytest.fixture(scope="module")
def pictures():
    return np.random.default_rng(5).integers(0, 256, (6, SIZE, SIZE, 3)).astype("uint8")


@pytest.fixture(scope="module")
def verifier():
    keras.utils.set_random_seed(0)
    return SiameseVerifier(create_backbone("mobilenet_v3_small", input_shape=(SIZE, SIZE, 3)), 8)


@pytest.fixture(scope="module")
def segmenter():
    keras.utils.set_random_seed(0)
    backbone = create_backbone("mobilenet_v3_small", input_shape=(SIZE, SIZE, 3))
    return TamperSegmenter(backbone, decoder_channels=8)


def serve(path):
    return tf.saved_model.load(str(path)).signatures["serving_default"]


def test_verifier_serves_embeddings_in_every_format(tmp_path, verifier, pictures):
    expected = verifier.predict(pictures, verbose=0)
    outputs = serve(export.to_saved_model(verifier, tmp_path / "verifier"))(
        images=tf.constant(pictures)
    )
    assert sorted(outputs) == ["embeddings"]
    np.testing.assert_allclose(outputs["embeddings"].numpy(), expected, atol=ATOL)
    for path in (
        export.to_tflite(verifier, tmp_path / "verifier.tflite"),
        export.to_onnx(verifier, tmp_path / "verifier.onnx"),
    ):
        report = export.compare(verifier, path, pictures)
        assert report.output == "embeddings"
        assert report.max_abs_difference < ATOL


def test_segmenter_serves_score_and_mask(tmp_path, segmenter, pictures):
    expected = segmenter.predict(pictures, verbose=0)
    path = export.to_saved_model(segmenter, tmp_path / "segmenter", input="bytes")
    encoded = tf.stack([tf.io.encode_png(picture) for picture in pictures])
    outputs = serve(path)(image_bytes=encoded)
    assert {name: tuple(value.shape) for name, value in outputs.items()} == {
        "score": (6, 1),
        "mask": (6, SIZE, SIZE, 1),
    }
    for name in ("score", "mask"):
        np.testing.assert_allclose(outputs[name].numpy(), expected[name], atol=ATOL)
    report = export.compare(
        segmenter, export.to_tflite(segmenter, tmp_path / "seg.tflite"), pictures
    )
    assert (report.output, report.top1_agreement) == ("score", 1.0)
    assert report.max_abs_difference < ATOL


def test_labels_need_an_output_to_name(tmp_path, segmenter):
    with pytest.raises(ValueError, match=r"`labels` cannot be used with a TamperSegmenter.*'a'"):
        export.to_saved_model(segmenter, tmp_path / "named", labels=["a", "b"])
    assert not (tmp_path / "named").exists()


@pytest.mark.slow  # 256x256 MobileNetV3 to SavedModel and TFLite: about a minute
def test_the_shipped_zone_locator_exports(tmp_path):
    """The page reader's first step runs in TF Serving and on mobile: SavedModel and TFLite."""
    from finvision.data import synthetic
    from finvision.models import TextZoneLocator

    locator = TextZoneLocator.from_preset("zones")
    pages = np.stack([page.image for page in synthetic.document_pages(2, seed=7)])
    expected = locator.predict(pages, verbose=0)
    outputs = serve(export.to_saved_model(locator, tmp_path / "zones"))(images=tf.constant(pages))
    assert sorted(outputs) == ["zones"]
    np.testing.assert_allclose(outputs["zones"].numpy(), expected, atol=ATOL)
    report = export.compare(locator, export.to_tflite(locator, tmp_path / "zones.tflite"), pages)
    assert report.output == "zones" and report.max_abs_difference < ATOL
