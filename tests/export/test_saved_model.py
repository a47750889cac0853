import base64
import io
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from finvision import export
from finvision.callbacks import OperatingThreshold
from finvision.models.text_recognition import prepare_lines
from tests.export.conftest import NAMES, SIZE


def serving(path):
    return tf.saved_model.load(str(path)).signatures["serving_default"]


def encoded(image, fmt, **options):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_image_signature_names_dtypes_and_outputs(exported, classifier, images):
    serve = serving(exported["saved_model"])
    (spec,) = serve.structured_input_signature[1].values()
    assert (spec.name, spec.dtype, spec.shape.as_list()) == (
        "images",
        tf.uint8,
        [None, SIZE, SIZE, 3],
    )
    outputs = {name: (s.dtype, s.shape.as_list()) for name, s in serve.structured_outputs.items()}
    assert outputs == {"probabilities": (tf.float32, [None, 3]), "labels": (tf.string, [None])}
    result = serve(images=tf.constant(images))
    expected = classifier.predict(images, verbose=0)
    np.testing.assert_allclose(result["probabilities"].numpy(), expected, atol=1e-4)
    assert result["labels"].numpy().tolist() == [NAMES[i].encode() for i in expected.argmax(1)]


def test_bytes_input_decodes_png_exactly_and_jpeg_as_the_loaders_do(exported, classifier, images):
    serve = serving(exported["bytes"])
    (spec,) = serve.structured_input_signature[1].values()
    assert (spec.name, spec.dtype, spec.shape.as_list()) == ("image_bytes", tf.string, [None])
    assert serve.structured_outputs["labels"].dtype == tf.int64
    jpeg = encoded(images[1], "JPEG", quality=90)
    batch = tf.constant([encoded(images[0], "PNG"), jpeg])
    result = serve(image_bytes=batch)
    accurate = tf.io.decode_jpeg(jpeg, dct_method="INTEGER_ACCURATE").numpy()
    decoded = np.stack([images[0], accurate])
    assert not np.array_equal(decoded[1], images[1])  # JPEG is lossy: compare decoded pixels
    expected = classifier.predict(decoded, verbose=0)
    np.testing.assert_allclose(result["probabilities"].numpy(), expected, atol=1e-5)
    np.testing.assert_array_equal(result["labels"].numpy(), expected.argmax(1))


def rest_to_tensors(body, serve):
    """What TF Serving does with a REST body: row ("instances") or columnar ("inputs")."""
    ((name, spec),) = serve.structured_input_signature[1].items()
    rows = body["instances"] if "instances" in body else body["inputs"]
    rows = rows[name] if isinstance(rows, dict) else rows
    values = [base64.b64decode(row["b64"]) if isinstance(row, dict) else row for row in rows]
    return {name: tf.constant(values, dtype=spec.dtype)}


def test_documented_rest_requests(exported, classifier, images):
    image_body = json.loads(
        json.dumps({"signature_name": "serving_default", "instances": images[:2].tolist()})
    )
    serve = serving(exported["saved_model"])
    result = serve(**rest_to_tensors(image_body, serve))
    expected = classifier.predict(images[:2], verbose=0)
    np.testing.assert_allclose(result["probabilities"].numpy(), expected, atol=1e-4)

    png = base64.b64encode(encoded(images[0], "PNG")).decode("ascii")
    bytes_body = json.loads(json.dumps({"inputs": {"image_bytes": [{"b64": png}]}}))
    serve = serving(exported["bytes"])
    result = serve(**rest_to_tensors(bytes_body, serve))
    np.testing.assert_allclose(result["probabilities"].numpy(), expected[:1], atol=1e-4)


def test_operating_threshold_gives_the_decision(tmp_path, images):
    inputs = keras.Input((SIZE, SIZE, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(keras.layers.Rescaling(1 / 255)(inputs))
    score = keras.layers.Dense(1, activation="sigmoid", bias_initializer="ones")(pooled)
    model = keras.Model(inputs, OperatingThreshold(0.5)(score))
    scores = model.predict(images, verbose=0)[:, 0]
    threshold = float(np.median(scores))
    model.layers[-1].threshold.assign(threshold)
    path = export.to_saved_model(model, tmp_path / "binary", labels=["genuine", "forged"])
    serve = serving(path)
    assert serve.structured_outputs["decision"].dtype == tf.bool
    result = serve(images=tf.constant(images))
    np.testing.assert_array_equal(result["decision"].numpy(), scores >= threshold)
    names = np.where(scores >= threshold, b"forged", b"genuine")
    np.testing.assert_array_equal(result["labels"].numpy(), names)


def test_recognizer_signature_gives_texts_like_decode(exported, recognizer, lines):
    serve = serving(exported["reader_saved_model"])
    (spec,) = serve.structured_input_signature[1].values()
    assert spec.shape.as_list() == [None, 32, None, 1]
    result = serve(images=tf.constant(lines))
    logits = recognizer.predict(lines, verbose=0)
    np.testing.assert_allclose(
        result["probabilities"].numpy(), keras.ops.softmax(logits).numpy(), atol=1e-4
    )
    texts, _ = recognizer.decode(logits)
    assert [text.decode() for text in result["texts"].numpy()] == texts


def test_recognizer_bytes_signature_reads_lines_of_any_size_like_predict_text(tmp_path, recognizer):
    rng = np.random.default_rng(4)
    # A grey line at the model's height and an RGB one twice as tall: resized to 32 px
    # keeping the aspect ratio, then padded with white to the widest (50 px).
    gray = rng.integers(0, 256, (32, 40, 1)).astype("uint8")
    colour = rng.integers(0, 256, (64, 100, 3)).astype("uint8")
    path = export.to_saved_model(recognizer, tmp_path / "lines", input="bytes")
    encoded = tf.stack([tf.io.encode_png(gray), tf.io.encode_png(colour)])
    result = serving(path)(image_bytes=encoded)
    batch = prepare_lines([gray, colour], 32, 1)
    assert batch.shape == (2, 32, 50, 1)
    probabilities = keras.ops.softmax(recognizer.predict(batch, verbose=0)).numpy()
    np.testing.assert_allclose(result["probabilities"].numpy(), probabilities, atol=1e-4)
    texts = [text.decode() for text in result["texts"].numpy()]
    assert texts == recognizer.predict_text([gray, colour])


def test_wrong_labels_and_bytes_for_any_height(tmp_path, classifier):
    with pytest.raises(ValueError, match=r"`labels` must be 3 class names.*\['a', 'b'\]"):
        export.to_saved_model(classifier, tmp_path / "a", labels=["a", "b"])
    free = keras.Sequential([keras.Input((None, None, 3)), keras.layers.GlobalAveragePooling2D()])
    with pytest.raises(ValueError, match=r"`input`='bytes' needs .*height.*\(None, None, 3\)"):
        export.to_saved_model(free, tmp_path / "b", input="bytes")
    with pytest.raises(
        ValueError, match=r"`input` must be one of \('image', 'bytes'\); received 'png'"
    ):
        export.to_saved_model(classifier, tmp_path / "c", input="png")
    assert not any(tmp_path.iterdir())
