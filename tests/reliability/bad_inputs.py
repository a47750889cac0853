"""The bad-input corpus: one table of wrong calls across the public API.

Every case names the call that triggers it, the documented exception type, and
two regular expressions the message must match: one naming the argument (or
the file) at fault and one naming the value received. The calls take a
:class:`Context` of small files and tiny models built once per test module.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from finvision import callbacks, data, export, losses, metrics, models, transfer
from finvision import preprocessing as fp
from finvision.metrics import functional

NAN, INF = math.nan, math.inf
SHAPE = (32, 32, 3)


@dataclasses.dataclass
class Context:
    """Files and models the cases use."""

    root: Path
    files: dict[str, Path]
    backbone: models.Backbone
    classifier: models.ImageClassifier
    scorer: keras.Model
    preset: Path
    altered_preset: Path


def _write_png(path: Path, size: tuple[int, int] = (24, 16)) -> Path:
    pixels = np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)
    return path


def _flip_byte(path: Path, position: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[position] ^= 0xFF
    path.write_bytes(bytes(raw))


def build_context(root: Path) -> Context:
    """Writes the corpus' files under ``root`` and builds its tiny models."""
    files: dict[str, Path] = {"good_png": _write_png(root / "good.png")}
    png = files["good_png"].read_bytes()
    files["truncated_png"] = root / "truncated.png"
    files["truncated_png"].write_bytes(png[: len(png) // 2])
    files["text_as_jpg"] = root / "notes.jpg"
    files["text_as_jpg"].write_text("not an image\n" * 20)
    files["empty_png"] = root / "empty.png"
    files["empty_png"].write_bytes(b"")
    jpeg = root / "photo.jpg"
    Image.open(files["good_png"]).save(jpeg, quality=90)
    files["truncated_jpg"] = root / "truncated.jpg"
    files["truncated_jpg"].write_bytes(jpeg.read_bytes()[: jpeg.stat().st_size // 2])
    corrupt_class = root / "corrupt_tree" / "cheque"
    corrupt_class.mkdir(parents=True)
    shutil.copy(files["truncated_png"], corrupt_class / "a.png")
    (root / "empty_tree").mkdir()
    files["manifest"] = root / "manifest.csv"
    files["manifest"].write_text("path,label\ngood.png,cheque\ngood.png,id_card\n")
    files["existing_tflite"] = root / "existing.tflite"
    files["existing_tflite"].write_bytes(b"an earlier export")
    files["not_hdf5"] = root / "weights.h5"
    files["not_hdf5"].write_text("these are not weights")
    with h5py.File(root / "no_keras.h5", "w") as handle:
        handle["numbers"] = np.arange(4)
    files["no_keras_h5"] = root / "no_keras.h5"

    backbone = models.create_backbone("resnet18", input_shape=SHAPE)
    files["backbone_weights"] = root / "resnet18.weights.h5"
    backbone.save_weights(files["backbone_weights"])
    files["truncated_weights"] = root / "truncated.weights.h5"
    weights = files["backbone_weights"].read_bytes()
    files["truncated_weights"].write_bytes(weights[: len(weights) // 3])
    vgg_name = models.get_backbone_spec("vgg16").imagenet_weights.file_name
    files["fake_published"] = root / vgg_name
    shutil.copy(files["backbone_weights"], files["fake_published"])
    preset = models.save_preset(backbone, root / "preset")
    altered = root / "altered_preset"
    shutil.copytree(preset, altered)
    _flip_byte(altered / "model.weights.h5", -100)
    scorer = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    return Context(
        root=root,
        files=files,
        backbone=backbone,
        classifier=models.ImageClassifier(backbone, 2),
        scorer=scorer,
        preset=preset,
        altered_preset=altered,
    )


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad input: the call, the documented error, what its message must name.

    Attributes:
        id: ``module/what``; the module is the public package it exercises.
        call: triggers the error, given the :class:`Context`.
        error: the documented exception type (or a subclass of it).
        argument: regex that must match the argument (or file) named.
        received: regex that must match the received value named.
        xfail: reason, for a known problem not fixed yet.
    """

    id: str
    call: Callable[[Context], Any]
    error: type[BaseException]
    argument: str
    received: str
    xfail: str | None = None

    @property
    def module(self) -> str:
        return self.id.split("/")[0]


def _report(c: Context, validation_data: Any, **kwargs: Any) -> None:
    report = callbacks.EvaluationReport(validation_data, ["eer"], **kwargs)
    report.set_model(c.scorer)
    report.on_epoch_end(0, {})


def _images(*shape: int, value: float = 0.0, dtype: str = "float32") -> np.ndarray:
    return np.full(shape, value, dtype=dtype)


def _empty_dataset() -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((_images(0, *SHAPE), np.zeros(0, "int32"))).batch(2)


ONE_EPOCH = transfer.FineTuneRecipe(head_epochs=1, finetune_epochs=0)

CASES = [
    # === finvision.data: image files ===
    Case(
        "data/load_image-missing",
        lambda c: data.load_image(c.root / "nope.png"),
        data.UnreadableImageError,
        r"nope\.png",
        "file not found",
    ),
    Case(
        "data/load_image-empty",
        lambda c: data.load_image(c.files["empty_png"]),
        data.UnreadableImageError,
        r"empty\.png",
        r"empty file \(0 bytes\)",
    ),
    Case(
        "data/load_image-truncated-png",
        lambda c: data.load_image(c.files["truncated_png"]),
        data.UnreadableImageError,
        r"truncated\.png",
        "truncated|corrupt|not an image",
    ),
    Case(
        "data/load_image-truncated-jpeg",
        lambda c: data.load_image(c.files["truncated_jpg"]),
        data.UnreadableImageError,
        r"truncated\.jpg",
        "truncated|corrupt",
    ),
    Case(
        "data/load_image-text-file",
        lambda c: data.load_image(c.files["text_as_jpg"]),
        data.UnreadableImageError,
        r"notes\.jpg",
        "not an image file",
    ),
    Case(
        "data/load_image-folder",
        lambda c: data.load_image(c.root),
        data.UnreadableImageError,
        "Cannot load image",
        "a folder, not a file",
    ),
    Case(
        "data/load_image-color_mode",
        lambda c: data.load_image(c.files["good_png"], color_mode="rgba"),
        ValueError,
        "`color_mode`",
        "'rgba'",
    ),
    Case(
        "data/load_image-image_size-zero",
        lambda c: data.load_image(c.files["good_png"], image_size=(0, 8)),
        ValueError,
        "`image_size`",
        r"\(0, 8\)",
    ),
    Case(
        "data/load_image-image_size-float",
        lambda c: data.load_image(c.files["good_png"], image_size=(8.0, 8)),
        ValueError,
        "`image_size`",
        r"\(8\.0, 8\)",
    ),
    Case(
        "data/load_image-interpolation",
        lambda c: data.load_image(c.files["good_png"], interpolation="cubic"),
        ValueError,
        "`interpolation`",
        "'cubic'",
    ),
    Case(
        "data/load_image-page",
        lambda c: data.load_image(c.files["good_png"], page=3),
        ValueError,
        "`page`",
        "received 3",
    ),
    # === finvision.data: datasets ===
    Case(
        "data/from_directory-missing",
        lambda c: data.from_directory(c.root / "no_folder", image_size=(8, 8)),
        ValueError,
        "`path`",
        "no_folder",
    ),
    Case(
        "data/from_directory-no-classes",
        lambda c: data.from_directory(c.root / "empty_tree", image_size=(8, 8)),
        ValueError,
        '`labels="inferred"`',
        "empty_tree",
    ),
    Case(
        "data/from_directory-corrupt-raise",
        lambda c: data.from_directory(c.root / "corrupt_tree", image_size=(8, 8), on_error="raise"),
        data.UnreadableImageError,
        r"a\.png",
        "truncated|corrupt|not an image",
    ),
    Case(
        "data/from_directory-on_error",
        lambda c: data.from_directory(c.root, image_size=(8, 8), on_error="ignore"),
        ValueError,
        "`on_error`",
        "'ignore'",
    ),
    Case(
        "data/from_directory-batch_size",
        lambda c: data.from_directory(c.root, image_size=(8, 8), batch_size=0),
        ValueError,
        "`batch_size`",
        "received 0",
    ),
    Case(
        "data/from_directory-validation_split",
        lambda c: data.from_directory(
            c.root, image_size=(8, 8), validation_split=1.5, subset="both", seed=1
        ),
        ValueError,
        "`validation_split`",
        "1.5",
    ),
    Case(
        "data/from_csv-missing-manifest",
        lambda c: data.from_csv(c.root / "no.csv", path_column="path", image_size=(8, 8)),
        FileNotFoundError,
        "Manifest",
        r"no\.csv",
    ),
    Case(
        "data/from_csv-unknown-column",
        lambda c: data.from_csv(c.files["manifest"], path_column="file", image_size=(8, 8)),
        ValueError,
        "`path_column`",
        "'file'",
    ),
    Case(
        "data/stratified_split-fractions",
        lambda c: data.stratified_split(c.files["manifest"], fractions=(0.5, 0.6)),
        ValueError,
        "`fractions`",
        r"\(0\.5, 0\.6\)",
    ),
    Case("data/class_weights-empty", lambda c: data.class_weights([]), ValueError, "label", "none"),
    Case(
        "data/class_weights-float-labels",
        lambda c: data.class_weights([0.5, 1.0]),
        ValueError,
        "Labels",
        "float64",
    ),
    Case(
        "data/class_weights-empty-dataset",
        lambda c: data.class_weights(_empty_dataset()),
        ValueError,
        "label",
        "none",
    ),
    Case(
        "data/rebalance-not-a-dataset",
        lambda c: data.rebalance([0, 1], [0.5, 0.5]),
        TypeError,
        "`dataset`",
        "list",
    ),
    Case(
        "data/rebalance-distribution",
        lambda c: data.rebalance(
            tf.data.Dataset.from_tensor_slices((np.zeros(4), np.array([0, 1, 0, 1]))), [0.5, 0.6]
        ),
        ValueError,
        "`target_distribution`",
        r"\[0\.5, 0\.6\]",
    ),
    # === finvision.models: names, shapes, weights ===
    Case(
        "models/create_backbone-unknown-name",
        lambda c: models.create_backbone("resnet19"),
        ValueError,
        "backbone",
        "'resnet19'.*Closest names: resnet18",
    ),
    Case(
        "models/get_backbone_spec-unknown-name",
        lambda c: models.get_backbone_spec(None),
        ValueError,
        "backbone",
        "None",
    ),
    Case(
        "models/create_backbone-rank",
        lambda c: models.create_backbone("resnet18", input_shape=(32, 32)),
        ValueError,
        "`input_shape`",
        r"\(32, 32\)",
    ),
    Case(
        "models/create_backbone-channels-first",
        lambda c: models.create_backbone("resnet18", input_shape=(3, 32, 32)),
        ValueError,
        "`input_shape`",
        r"\(3, 32, 32\).*channels-first",
    ),
    Case(
        "models/create_backbone-zero-channels",
        lambda c: models.create_backbone("resnet18", input_shape=(32, 32, 0)),
        ValueError,
        "`input_shape`",
        r"\(32, 32, 0\)",
    ),
    Case(
        "models/create_backbone-string-size",
        lambda c: models.create_backbone("resnet18", input_shape=("32", 32, 3)),
        ValueError,
        "`input_shape`",
        r"\('32', 32, 3\)",
    ),
    Case(
        "models/create_backbone-pooling",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, pooling="mean"),
        ValueError,
        "`pooling`",
        "'mean'",
    ),
    Case(
        "models/create_backbone-out_levels",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, out_levels=(6,)),
        ValueError,
        "`out_levels`",
        r"\(6,\)",
    ),
    Case(
        "models/create_backbone-weights-type",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, weights=5),
        TypeError,
        "`weights`",
        "int",
    ),
    Case(
        "models/create_backbone-weights-missing",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, weights="imagnet"),
        FileNotFoundError,
        "`weights`",
        "'imagnet'",
    ),
    Case(
        "models/create_backbone-weights-not-hdf5",
        lambda c: models.create_backbone(
            "resnet18", input_shape=SHAPE, weights=c.files["not_hdf5"]
        ),
        ValueError,
        "`weights`",
        r"weights\.h5.*not a readable HDF5",
    ),
    Case(
        "models/create_backbone-weights-truncated",
        lambda c: models.create_backbone(
            "resnet18", input_shape=SHAPE, weights=c.files["truncated_weights"]
        ),
        ValueError,
        "`weights`",
        r"truncated\.weights\.h5",
    ),
    Case(
        "models/create_backbone-weights-no-keras",
        lambda c: models.create_backbone(
            "resnet18", input_shape=SHAPE, weights=c.files["no_keras_h5"]
        ),
        ValueError,
        "`weights`",
        r"no_keras\.h5.*\['numbers'\]",
    ),
    Case(
        "models/create_backbone-corrupt-published-copy",
        lambda c: models.create_backbone(
            "vgg16", input_shape=SHAPE, weights=c.files["fake_published"]
        ),
        ValueError,
        "`weights`",
        "md5 is [0-9a-f]{32}, not [0-9a-f]{32}",
    ),
    Case(
        "models/create_backbone-altered-preset-sha256",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, weights=c.altered_preset),
        ValueError,
        r"altered_preset/model\.weights\.h5",
        "SHA-256 [0-9a-f]{64}",
    ),
    Case(
        "models/load_preset-altered-sha256",
        lambda c: models.load_preset(c.altered_preset),
        ValueError,
        r"altered_preset/model\.weights\.h5",
        "SHA-256 [0-9a-f]{64}",
    ),
    Case(
        "models/read_preset-missing",
        lambda c: models.read_preset(c.root / "no_preset"),
        FileNotFoundError,
        "Preset directory",
        "no_preset",
    ),
    Case(
        "models/ImageClassifier-backbone-name",
        lambda c: models.ImageClassifier("resnet18", 2),
        TypeError,
        "`backbone`",
        "str",
    ),
    Case(
        "models/ImageClassifier-num_classes",
        lambda c: models.ImageClassifier(c.backbone, 0),
        ValueError,
        "`num_classes`",
        "received 0",
    ),
    Case(
        "models/ImageClassifier-dropout",
        lambda c: models.ImageClassifier(c.backbone, 2, dropout=1.5),
        ValueError,
        "`dropout`",
        "1.5",
    ),
    Case(
        "models/ImageClassifier-class_names",
        lambda c: models.ImageClassifier(c.backbone, 2, class_names=["cheque"]),
        ValueError,
        "`class_names`",
        r"\['cheque'\]",
    ),
    Case(
        "models/ImageClassifier-call-rank",
        lambda c: c.classifier(_images(*SHAPE)),
        ValueError,
        "'images'",
        r"found shape=\(32, 32, 3\)",
    ),
    Case(
        "models/ImageClassifier-call-channels",
        lambda c: c.classifier(_images(1, 32, 32, 4)),
        ValueError,
        "'images'",
        r"\(1, 32, 32, 4\)",
    ),
    Case(
        "models/ImageClassifier-predict-strings",
        lambda c: c.classifier.predict(np.full((1, *SHAPE), "x"), verbose=0),
        ValueError,
        "images",
        "str",
        xfail="Keras' own check says 'Invalid dtype: str32', naming no argument",
    ),
    Case(
        "models/SiameseVerifier-embedding_dim",
        lambda c: models.SiameseVerifier(c.backbone, 0),
        ValueError,
        "`embedding_dim`",
        "received 0",
    ),
    Case(
        "models/SiameseVerifier-score-rank",
        lambda c: models.SiameseVerifier(c.backbone, 4).score(_images(*SHAPE), _images(1, *SHAPE)),
        ValueError,
        "`images_a`",
        r"\(32, 32, 3\)",
    ),
    Case(
        "models/TamperSegmenter-decoder",
        lambda c: models.TamperSegmenter(c.backbone, decoder="fcn"),
        ValueError,
        "`decoder`",
        "'fcn'",
    ),
    Case(
        "models/TamperSegmenter-forensic_inputs",
        lambda c: models.TamperSegmenter(c.backbone, forensic_inputs=("dct",)),
        ValueError,
        "`forensic_inputs`",
        r"\('dct',\)",
    ),
    Case(
        "models/TextLineRecognizer-alphabet-empty",
        lambda c: models.TextLineRecognizer("", height=16),
        ValueError,
        "`alphabet`",
        "''",
    ),
    Case(
        "models/TextLineRecognizer-alphabet-list",
        lambda c: models.TextLineRecognizer(["0", "1"], height=16),
        ValueError,
        "`alphabet`",
        r"\['0', '1'\]",
    ),
    Case(
        "models/TextLineRecognizer-alphabet-repeats",
        lambda c: models.TextLineRecognizer("0110", height=16),
        ValueError,
        "`alphabet`",
        "'0110'",
    ),
    Case(
        "models/TextLineRecognizer-height",
        lambda c: models.TextLineRecognizer("mrz", height=20),
        ValueError,
        "`height`",
        "20",
    ),
    Case(
        "models/TextLineRecognizer-dropout-string",
        lambda c: models.TextLineRecognizer("mrz", height=16, dropout="0.1"),
        ValueError,
        "`dropout`",
        "'0.1'",
    ),
    Case(
        "models/encode_texts-unknown-character",
        lambda c: models.encode_texts(["1x"], "01"),
        ValueError,
        "alphabet '01'",
        r"\['x'\]",
    ),
    Case(
        "models/encode_texts-not-strings",
        lambda c: models.encode_texts([5], "01"),
        TypeError,
        "`texts`",
        r"\[5\]",
    ),
    Case(
        "models/parse_mrz-line-length",
        lambda c: models.parse_mrz(["P<UTO", "X"]),
        ValueError,
        "line 1",
        "'P<UTO'",
    ),
    Case(
        "models/parse_mrz-not-text",
        lambda c: models.parse_mrz(5),
        TypeError,
        "`lines`",
        "received 5",
    ),
    # === finvision.preprocessing: layer arguments and inputs ===
    Case(
        "preprocessing/layer-rank-2",
        lambda c: fp.Grayscale()(_images(4, 4)),
        ValueError,
        "Grayscale expects one image",
        r"shape \(4, 4\)",
    ),
    Case(
        "preprocessing/layer-rank-5",
        lambda c: fp.ContrastStretch()(_images(1, 1, 4, 4, 3)),
        ValueError,
        "ContrastStretch expects one image",
        r"shape \(1, 1, 4, 4, 3\)",
    ),
    Case(
        "preprocessing/layer-channels",
        lambda c: fp.Grayscale()(_images(1, 4, 4, 2)),
        ValueError,
        r"Grayscale supports images with \(1, 3\) channels",
        r"\(1, 4, 4, 2\)",
    ),
    Case(
        "preprocessing/layer-string-pixels",
        lambda c: fp.Grayscale()(np.full((2, 2, 3), "a")),
        ValueError,
        "Grayscale expects pixels",
        "dtype string",
    ),
    Case(
        "preprocessing/layer-complex-pixels",
        lambda c: fp.SRMFilter()(_images(1, 4, 4, 3, dtype="complex64")),
        ValueError,
        "SRMFilter expects pixels",
        "dtype complex64",
    ),
    Case(
        "preprocessing/BackboneNormalization-mode",
        lambda c: fp.BackboneNormalization("imagenet"),
        ValueError,
        "`mode`",
        "'imagenet'",
    ),
    Case(
        "preprocessing/ResizeWithPad-height",
        lambda c: fp.ResizeWithPad(0, 10),
        ValueError,
        "`height`",
        "received 0",
    ),
    Case(
        "preprocessing/Binarize-method",
        lambda c: fp.Binarize("otsuu"),
        ValueError,
        "`method`",
        "'otsuu'",
    ),
    Case(
        "preprocessing/Binarize-window_size",
        lambda c: fp.Binarize("sauvola", window_size=4),
        ValueError,
        "`window_size`",
        "received 4",
    ),
    Case(
        "preprocessing/RandomJPEGQuality-range",
        lambda c: fp.RandomJPEGQuality((0, 200)),
        ValueError,
        "`quality`",
        r"\(0, 200\)",
    ),
    Case(
        "preprocessing/RandomJPEGQuality-none",
        lambda c: fp.RandomJPEGQuality(None),
        ValueError,
        "`quality`",
        "None",
    ),
    Case(
        "preprocessing/RandomMotionBlur-reversed",
        lambda c: fp.RandomMotionBlur((9, 3)),
        ValueError,
        "`length`",
        r"\(9, 3\)",
    ),
    Case(
        "preprocessing/RandomGlare-probability-nan",
        lambda c: fp.RandomGlare(probability=NAN),
        ValueError,
        "`probability`",
        "nan",
    ),
    Case(
        "preprocessing/ErrorLevelAnalysis-quality",
        lambda c: fp.ErrorLevelAnalysis(0),
        ValueError,
        "`quality`",
        "received 0",
    ),
    Case(
        "preprocessing/DocumentAugmentation-strength",
        lambda c: fp.DocumentAugmentation("x"),
        ValueError,
        "`strength`",
        "'x'",
    ),
    Case(
        "preprocessing/otsu_threshold-rank",
        lambda c: fp.otsu_threshold(_images(4, 4)),
        ValueError,
        "`gray`",
        r"\(4, 4\)",
    ),
    Case(
        "preprocessing/sauvola_threshold-window",
        lambda c: fp.sauvola_threshold(_images(1, 8, 8, 1), window_size=4),
        ValueError,
        "`window_size`",
        "received 4",
    ),
    # === finvision.metrics: scores, labels, rates ===
    Case(
        "metrics/eer-nan-score",
        lambda c: functional.equal_error_rate([0.9, NAN], [0.2]),
        ValueError,
        "`genuine`",
        "1 NaN",
    ),
    Case(
        "metrics/roc_auc-inf-score",
        lambda c: functional.roc_auc([0, 1], [0.1, INF]),
        ValueError,
        "`y_score`",
        "1 infinite",
    ),
    Case(
        "metrics/eer-empty",
        lambda c: functional.equal_error_rate([], [0.2]),
        ValueError,
        "`genuine`",
        "empty",
    ),
    Case(
        "metrics/roc_auc-strings",
        lambda c: functional.roc_auc([0, 1], ["a", "b"]),
        ValueError,
        "`y_score`",
        "dtype <U1",
    ),
    Case(
        "metrics/roc_auc-2d-scores",
        lambda c: functional.roc_auc([0, 1], np.zeros((2, 2))),
        ValueError,
        "`y_score`",
        r"\(2, 2\)",
    ),
    Case(
        "metrics/roc_auc-lengths",
        lambda c: functional.roc_auc([0, 1, 1], [0.1, 0.2]),
        ValueError,
        "`y_true` has 3",
        "`y_score` has 2",
    ),
    Case(
        "metrics/roc_auc-labels",
        lambda c: functional.roc_auc([0, 2], [0.1, 0.2]),
        ValueError,
        "`y_true`",
        r"\[2\]",
    ),
    Case(
        "metrics/recall_at_fpr-rate",
        lambda c: functional.recall_at_fpr([0, 1], [0.1, 0.2], fpr=1.5),
        ValueError,
        "`fpr`",
        "1.5",
    ),
    Case(
        "metrics/f1-threshold-nan",
        lambda c: functional.f1_score([0, 1], [0.1, 0.2], threshold=NAN),
        ValueError,
        "`threshold`",
        "NaN",
    ),
    Case(
        "metrics/cer-empty",
        lambda c: functional.character_error_rate([], []),
        ValueError,
        "`references`",
        "empty",
    ),
    Case(
        "metrics/cer-one-string",
        lambda c: functional.character_error_rate("IBAN", "1BAN"),
        TypeError,
        "`references`",
        "'IBAN'",
    ),
    Case(
        "metrics/EqualErrorRate-num_thresholds",
        lambda c: metrics.EqualErrorRate(num_thresholds=1),
        ValueError,
        "`num_thresholds`",
        "received 1",
    ),
    Case(
        "metrics/FalseMatchRate-threshold",
        lambda c: metrics.FalseMatchRate(threshold="x"),
        ValueError,
        "`threshold`",
        "'x'",
    ),
    Case(
        "metrics/EqualErrorRate-shapes",
        lambda c: metrics.EqualErrorRate().update_state([0, 1], np.zeros((2, 2))),
        ValueError,
        "`y_true` and `y_pred`",
        r"\(2,\) and \(2, 2\)",
    ),
    # === finvision.losses ===
    Case(
        "losses/ContrastiveLoss-margin",
        lambda c: losses.ContrastiveLoss(margin=-1),
        ValueError,
        "`margin`",
        "received -1",
    ),
    Case(
        "losses/TripletLoss-margin",
        lambda c: losses.TripletLoss(margin="a"),
        ValueError,
        "`margin`",
        "'a'",
    ),
    Case(
        "losses/ArcFaceHead-num_classes",
        lambda c: losses.ArcFaceHead(1),
        ValueError,
        "`num_classes`",
        "received 1",
    ),
    Case(
        "losses/ArcFaceLoss-margin",
        lambda c: losses.ArcFaceLoss(margin=2),
        ValueError,
        "`margin`",
        "received 2",
    ),
    Case(
        "losses/DiceBCELoss-shapes",
        lambda c: losses.DiceBCELoss()(_images(2, 4, 4, 1), _images(2, 4)),
        ValueError,
        "`y_true` and `y_pred`",
        r"\(2, 4, 4, 1\) and \(2, 4\)",
    ),
    Case(
        "losses/ContrastiveLoss-rank",
        lambda c: losses.ContrastiveLoss()([0, 1], _images(2)),
        ValueError,
        "`y_pred`",
        r"\(2,\)",
    ),
    # === finvision.callbacks ===
    Case(
        "callbacks/EvaluationReport-unknown-metric",
        lambda c: callbacks.EvaluationReport((_images(2, 4), np.zeros(2)), ["eerr"]),
        ValueError,
        "report metric",
        "'eerr'.*Closest: eer",
    ),
    Case(
        "callbacks/EvaluationReport-validation_data",
        lambda c: callbacks.EvaluationReport(5, ["eer"]),
        ValueError,
        "`validation_data`",
        "int",
    ),
    Case(
        "callbacks/EvaluationReport-threshold",
        lambda c: callbacks.EvaluationReport((_images(2, 4), np.zeros(2)), threshold="x"),
        ValueError,
        "`threshold`",
        "'x'",
    ),
    Case(
        "callbacks/EvaluationReport-empty-arrays",
        lambda c: _report(c, (_images(0, 4), np.zeros(0))),
        ValueError,
        "`validation_data`",
        "no samples.*\\(0, 4\\)",
    ),
    Case(
        "callbacks/EvaluationReport-empty-dataset",
        lambda c: _report(
            c, tf.data.Dataset.from_tensor_slices((_images(0, 4), np.zeros(0))).batch(2)
        ),
        ValueError,
        "`validation_data`",
        "no batch",
    ),
    Case(
        "callbacks/EvaluationReport-nan-scores",
        lambda c: _report(c, (_images(2, 4, value=NAN), np.array([0, 1]))),
        ValueError,
        "`model scores`",
        "2 NaN",
    ),
    Case(
        "callbacks/ThresholdCalibration-target",
        lambda c: callbacks.ThresholdCalibration((_images(2, 4), np.zeros(2)), target_fpr=2),
        ValueError,
        "`target_fpr`",
        "received 2",
    ),
    Case(
        "callbacks/OperatingThreshold-nan",
        lambda c: callbacks.OperatingThreshold(NAN),
        ValueError,
        "`threshold`",
        "NaN",
    ),
    # === finvision.transfer ===
    Case(
        "transfer/unfreeze-level",
        lambda c: transfer.unfreeze(c.backbone, "P7"),
        ValueError,
        "`from_level`",
        "'P7'",
    ),
    Case(
        "transfer/freeze_backbone-not-a-model",
        lambda c: transfer.freeze_backbone("resnet18"),
        TypeError,
        "`model`",
        "str",
    ),
    Case(
        "transfer/layerwise-decay",
        lambda c: transfer.layerwise_learning_rates(keras.optimizers.SGD(), c.backbone, "a"),
        ValueError,
        "`decay`",
        "'a'",
    ),
    Case(
        "transfer/FineTuneRecipe-epochs",
        lambda c: transfer.FineTuneRecipe(head_epochs=-1),
        ValueError,
        "`head_epochs`",
        "received -1",
    ),
    Case(
        "transfer/FineTuneRecipe-learning-rate",
        lambda c: transfer.FineTuneRecipe(finetune_learning_rate=0),
        ValueError,
        "`finetune_learning_rate`",
        "received 0",
    ),
    Case(
        "models/create_backbone-bn-momentum",
        lambda c: models.create_backbone("resnet18", input_shape=SHAPE, bn_momentum=2.0),
        ValueError,
        "`bn_momentum`",
        "received 2.0",
    ),
    Case(
        "transfer/FineTuneRecipe-no-epochs",
        lambda c: transfer.FineTuneRecipe(head_epochs=0, finetune_epochs=0),
        ValueError,
        "`head_epochs` \\+ `finetune_epochs`",
        "received 0 and 0",
    ),
    Case(
        "transfer/FineTuneRecipe-layer-decay",
        lambda c: transfer.FineTuneRecipe(layer_decay=2),
        ValueError,
        "`layer_decay`",
        "<= 1; received 2",
    ),
    Case(
        "transfer/FineTuneRecipe-bn-momentum",
        lambda c: transfer.FineTuneRecipe(bn_momentum=2.0),
        ValueError,
        "`bn_momentum`",
        "< 1; received 2.0",
    ),
    Case(
        "transfer/FineTuneRecipe-weight-decay-nan",
        lambda c: transfer.FineTuneRecipe(weight_decay=NAN),
        ValueError,
        "`weight_decay`",
        "received nan",
    ),
    Case(
        "transfer/FineTuneRecipe-steps",
        lambda c: transfer.FineTuneRecipe(steps_per_epoch=0),
        ValueError,
        "`steps_per_epoch`",
        "received 0",
    ),
    Case(
        "transfer/finetune-recipe-dict",
        lambda c: transfer.finetune(
            c.classifier, (_images(2, *SHAPE), np.array([0, 1])), recipe={}
        ),
        TypeError,
        "`recipe`",
        "received dict",
    ),
    Case(
        "transfer/finetune-unknown-unfreeze-level",
        lambda c: transfer.finetune(
            c.classifier,
            (_images(2, *SHAPE), np.array([0, 1])),
            recipe=dataclasses.replace(ONE_EPOCH, unfreeze_from="top"),
        ),
        ValueError,
        "`unfreeze_from`",
        "received 'top'",
    ),
    Case(
        "transfer/finetune-string-labels",
        lambda c: transfer.finetune(
            c.classifier, (_images(2, *SHAPE), np.array(["cheque", "id"])), recipe=ONE_EPOCH
        ),
        ValueError,
        "`train_data` labels",
        "dtype <U6",
    ),
    Case(
        "transfer/finetune-validation-length",
        lambda c: transfer.finetune(
            c.classifier,
            (_images(2, *SHAPE), np.array([0, 1])),
            (_images(3, *SHAPE), np.array([0, 1])),
            recipe=ONE_EPOCH,
        ),
        ValueError,
        "`validation_data`",
        "3 images and 2 labels",
    ),
    Case(
        "transfer/finetune-not-a-model",
        lambda c: transfer.finetune("resnet18", (_images(2, *SHAPE), np.array([0, 1]))),
        TypeError,
        "`model`",
        "str",
    ),
    Case(
        "transfer/finetune-empty-arrays",
        lambda c: transfer.finetune(
            c.classifier, (_images(0, *SHAPE), np.zeros(0)), recipe=ONE_EPOCH
        ),
        ValueError,
        "`train_data`",
        "0 samples",
    ),
    Case(
        "transfer/finetune-empty-dataset",
        lambda c: transfer.finetune(c.classifier, _empty_dataset(), recipe=ONE_EPOCH),
        ValueError,
        "`train_data`",
        "0 samples",
    ),
    Case(
        "transfer/finetune-unknown-loss",
        lambda c: transfer.finetune(
            c.classifier,
            (_images(2, *SHAPE), np.array([0, 1])),
            verbose=0,
            recipe=dataclasses.replace(ONE_EPOCH, loss="no_such_loss"),
        ),
        ValueError,
        "loss",
        "no_such_loss",
    ),
    # === finvision.export ===
    Case(
        "export/to_saved_model-existing-folder",
        lambda c: export.to_saved_model(c.classifier, c.root),
        FileExistsError,
        "`path`",
        "already exists and is not empty",
    ),
    Case(
        "export/to_tflite-existing-file",
        lambda c: export.to_tflite(c.classifier, c.files["existing_tflite"]),
        FileExistsError,
        "`path`",
        r"existing\.tflite",
    ),
    Case(
        "export/to_saved_model-under-a-file",
        lambda c: export.to_saved_model(c.classifier, c.files["good_png"] / "model"),
        NotADirectoryError,
        "`path`",
        r"good\.png' is a file",
    ),
    Case(
        "export/to_tflite-suffix",
        lambda c: export.to_tflite(c.classifier, c.root / "m.bin"),
        ValueError,
        "`path`",
        r"m\.bin",
    ),
    Case(
        "export/to_tflite-quantization",
        lambda c: export.to_tflite(c.classifier, c.root / "m.tflite", quantization="int4"),
        ValueError,
        "`quantization`",
        "'int4'",
    ),
    Case(
        "export/to_onnx-suffix",
        lambda c: export.to_onnx(c.classifier, c.root / "m.pb"),
        ValueError,
        "`path`",
        r"m\.pb",
    ),
    Case(
        "export/to_saved_model-input",
        lambda c: export.to_saved_model(c.classifier, c.root / "sm", input="png"),
        ValueError,
        "`input`",
        "'png'",
    ),
    Case(
        "export/to_saved_model-labels",
        lambda c: export.to_saved_model(c.classifier, c.root / "sm", labels=["cheque"]),
        ValueError,
        "`labels`",
        r"\['cheque'\]",
    ),
    Case(
        "export/to_saved_model-not-a-model",
        lambda c: export.to_saved_model("m", c.root / "s"),
        TypeError,
        "`model`",
        "str",
    ),
    Case(
        "export/compare-unknown-format",
        lambda c: export.compare(c.classifier, c.root / "model.bin", _images(1, *SHAPE)),
        ValueError,
        "`exported_path`",
        r"model\.bin",
    ),
    Case(
        "export/compare-nan-pixels",
        lambda c: export.compare(c.classifier, c.root, _images(1, *SHAPE, value=NAN)),
        ValueError,
        "`data`",
        "NaN",
    ),
]
