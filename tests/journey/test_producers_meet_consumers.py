"""Every finvision producer of images feeds every finvision consumer, as produced.

Producers: ``from_directory`` and ``from_csv`` (float pixels in [0, 255], batched
datasets), ``load_image`` (float arrays), the synthetic generators (uint8 arrays)
and the in-house TFDS builder (uint8 examples of their stored size, resized by the
user as TFDS users do). Consumers: ``fit``, ``finetune``, ``predict``, a second task
model, int8 ``to_tflite`` calibration, ``compare``, the callbacks and the local
server. Each pair runs on the producer's own output, with no conversion by the test.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import urllib.request
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from finvision import callbacks, data, export, models, transfer
from finvision.data import synthetic
from finvision.export.local_server import make_server
from finvision.preprocessing.normalization import BackboneNormalization
from tests.journey.real_folder import BROKEN, CLASSES, make_folder, write_manifest

pytestmark = pytest.mark.tensorflow_only

SIZE = 32
#: Four outputs: the folder has three classes, the synthetic documents four.
CLASS_COUNT = 4
PRODUCERS = ("from_directory", "from_csv", "load_image", "synthetic", "tfds")


def tiny_backbone() -> keras.Model:
    inputs = keras.Input((SIZE, SIZE, 3))
    x = BackboneNormalization("torch")(inputs)
    x = keras.layers.Conv2D(8, 3, strides=2, use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    return keras.Model(inputs, keras.layers.Conv2D(16, 1)(x), name="tiny_backbone")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix") / "scans"
    files = make_folder(root, per_class=4)
    return root, files


def _from_tfds(root, data_dir):
    from finvision.data import tfds as builders

    config = builders.InHouseConfig(name="scans_v1", source=str(root))
    builder = builders.FinvisionInHouse(config=config, data_dir=str(data_dir))
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SkippedFilesWarning)
        builder.download_and_prepare()
    examples = builder.as_dataset(split="train", as_supervised=True, shuffle_files=False)
    return examples.map(lambda image, label: (tf.image.resize(image, (SIZE, SIZE)), label)).batch(8)


@pytest.fixture(scope="module", params=PRODUCERS)
def produced(request, folder, tmp_path_factory):
    """The producer's own output: a dataset of (images, labels) batches or (x, y) arrays."""
    root, files = folder
    options = {"image_size": (SIZE, SIZE), "batch_size": 8, "shuffle": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.SkippedFilesWarning)
        if request.param == "from_directory":
            return data.from_directory(root, **options)
        if request.param == "from_csv":
            manifest = write_manifest(root, files, root / "manifest.csv")
            return data.from_csv(manifest, path_column="path", label_columns="label", **options)
    if request.param == "load_image":
        paths = sorted(set(files) - BROKEN)
        images = np.stack([data.load_image(root / path, image_size=(SIZE, SIZE)) for path in paths])
        labels = np.array([sorted(CLASSES).index(path.split("/")[0]) for path in paths])
        return images, labels
    if request.param == "synthetic":
        try:
            documents = synthetic.document_types(12, seed=0, size=(SIZE, SIZE), tampered_share=0.25)
        except synthetic.FontNotFoundError:
            pytest.skip(f"OCR-B is not installed (Debian package {synthetic.OCR_B_PACKAGE})")
        return documents.images, documents.labels
    return _from_tfds(root, tmp_path_factory.mktemp("tfds"))


def as_arrays(produced) -> tuple[np.ndarray, np.ndarray]:
    """What the producer gave, gathered into arrays (to compute expectations only)."""
    if isinstance(produced, tuple):
        return np.asarray(produced[0]), np.asarray(produced[1])
    batches = list(produced.as_numpy_iterator())
    return np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches])


def classifier() -> models.ImageClassifier:
    keras.utils.set_random_seed(0)
    return models.ImageClassifier(tiny_backbone(), CLASS_COUNT)


@pytest.fixture(scope="module")
def model():
    return classifier()


@pytest.fixture(scope="module")
def exported(model, tmp_path_factory):
    root = tmp_path_factory.mktemp("exported")
    return {
        "tflite": export.to_tflite(model, root / "float.tflite"),
        "saved_model": export.to_saved_model(model, root / "served" / "1"),
    }


def images_of(produced):
    """The producer's output as an image consumer takes it: the dataset, or the images."""
    return produced[0] if isinstance(produced, tuple) else produced


def fit_input(produced) -> dict:
    if isinstance(produced, tuple):
        return {"x": produced[0], "y": produced[1], "batch_size": 8}
    return {"x": produced}


def test_fit(produced):
    trained = classifier()
    trained.compile("adam", "sparse_categorical_crossentropy", run_eagerly=True)
    history = trained.fit(**fit_input(produced), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_finetune(produced):
    # finetune needs a finvision backbone (it freezes and unfreezes by pyramid level).
    keras.utils.set_random_seed(0)
    backbone = models.create_backbone("resnet18", input_shape=(SIZE, SIZE, 3))
    trained = models.ImageClassifier(backbone, CLASS_COUNT)
    recipe = transfer.FineTuneRecipe(head_epochs=1, finetune_epochs=0, batch_size=8)
    history = transfer.finetune(trained, produced, recipe=recipe, verbose=0)
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"]).all()


def test_predict(produced, model):
    images, _ = as_arrays(produced)
    predicted = model.predict(images_of(produced), verbose=0)
    assert predicted.shape == (len(images), CLASS_COUNT)
    np.testing.assert_allclose(predicted, model.predict(images, verbose=0), atol=1e-6)


def test_a_second_task_model(produced):
    images, _ = as_arrays(produced)
    keras.utils.set_random_seed(0)
    verifier = models.SiameseVerifier(tiny_backbone(), 8)
    np.testing.assert_allclose(verifier.score(images, images), 1.0, atol=1e-5)


def test_int8_calibration(produced, model, tmp_path):
    images = images_of(produced)
    path = export.to_tflite(
        model, tmp_path / "int8.tflite", quantization="int8", representative_data=images
    )
    report = export.compare(model, path, images_of(produced))
    assert report.samples == len(as_arrays(produced)[0])


def test_compare(produced, model, exported):
    report = export.compare(model, exported["tflite"], images_of(produced))
    assert report.samples == len(as_arrays(produced)[0])
    assert report.top1_agreement == 1.0


def test_callbacks(produced, model, tmp_path):
    _, labels = as_arrays(produced)
    calibration = callbacks.ThresholdCalibration(
        produced, target_fpr=0.25, filepath=tmp_path / "threshold.json", positive_class=0
    )
    report = callbacks.EvaluationReport(produced, ["roc_auc"], positive_class=0)
    plots = callbacks.CurvePlots(tmp_path / "plots", produced, positive_class=0)
    logs: dict = {}
    for callback in (calibration, report, plots):
        callback.set_model(model)
        callback.on_epoch_end(0, logs)
    scores = model.predict(as_arrays(produced)[0], verbose=0)[:, 0]
    from sklearn.metrics import roc_auc_score

    assert logs["val_roc_auc"] == pytest.approx(roc_auc_score(labels == 0, scores), abs=1e-6)
    assert plots.last_threshold == calibration.threshold == logs["val_threshold"]
    assert len(plots.last_files) == 3


def test_local_server(produced, model, exported):
    images, _ = as_arrays(produced)
    server = make_server(exported["saved_model"].parent, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        body = json.dumps({"instances": images.tolist()}).encode()
        url = f"{server.url}/v1/models/{exported['saved_model'].parent.name}:predict"
        with urllib.request.urlopen(urllib.request.Request(url, body)) as answer:
            predictions = json.load(answer)["predictions"]
    finally:
        server.shutdown()
        server.server_close()
    served = np.array([row["probabilities"] for row in predictions])
    expected = model.predict(np.round(images).astype("uint8"), verbose=0)
    np.testing.assert_allclose(served, expected, atol=1e-5)
