import warnings

import numpy as np
import pytest
import tensorflow as tf

from finvision import export
from tests.export.conftest import SIZE


def interpreter(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tf.lite.Interpreter(model_path=str(path))


def test_float_export_agrees_and_keeps_uint8_input(exported, classifier, images):
    details = interpreter(exported["tflite"])
    (source,), (target,) = details.get_input_details(), details.get_output_details()
    assert source["dtype"] == np.uint8 and target["dtype"] == np.float32
    assert source["shape_signature"].tolist() == [-1, SIZE, SIZE, 3]
    assert list(details.get_signature_list()) == ["serving_default"]
    report = export.compare(classifier, exported["tflite"], images)
    assert report.max_abs_difference <= 1e-4 and report.top1_agreement == 1.0


@pytest.mark.parametrize(("key", "tolerance"), [("float16", 1e-2), ("dynamic", 5e-2)])
def test_float16_and_dynamic_stay_close(exported, classifier, images, key, tolerance):
    # File sizes are measured by benchmarks/export.py: this model is mostly graph, not weights.
    report = export.compare(classifier, exported[key], images)
    assert report.max_abs_difference <= tolerance
    assert report.top1_agreement >= 0.98


def test_int8_agreement_and_integer_tensors(exported, classifier, images):
    details = interpreter(exported["int8"])
    (source,), (target,) = details.get_input_details(), details.get_output_details()
    assert source["dtype"] == np.uint8 and source["quantization"] == (0.0, 0)
    assert target["dtype"] == np.uint8 and target["quantization"] == (1 / 256, 0)
    report = export.compare(classifier, exported["int8"], images)
    assert report.top1_agreement >= 0.98


def test_recognizer_exports_with_a_fixed_width_and_builtin_ops(exported, recognizer, lines):
    details = interpreter(exported["reader_tflite"])
    (source,) = details.get_input_details()
    assert source["shape_signature"].tolist() == [1, 32, 48, 1]
    report = export.compare(recognizer, exported["reader_tflite"], lines)
    assert report.max_abs_difference <= 1e-4 and report.top1_agreement == 1.0


def test_representative_data_forms(tmp_path, classifier, images):
    labels = np.zeros(len(images), "int64")
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
    path = export.to_tflite(
        classifier, tmp_path / "a.tflite", quantization="int8", representative_data=dataset
    )
    assert export.compare(classifier, path, images).top1_agreement >= 0.98
    with pytest.raises(ValueError, match=r"images of shape \(32, 32, 3\).*\(8, 16, 16, 3\)"):
        export.to_tflite(
            classifier,
            tmp_path / "b.tflite",
            quantization="int8",
            representative_data=lambda: iter([np.zeros((8, 16, 16, 3))]),
        )


def test_errors_name_the_argument(tmp_path, classifier, recognizer):
    with pytest.raises(ValueError, match=r"`representative_data` is required.*received None"):
        export.to_tflite(classifier, tmp_path / "a.tflite", quantization="int8")
    with pytest.raises(ValueError, match=r"`quantization` must be one of .*received 'int4'"):
        export.to_tflite(classifier, tmp_path / "a.tflite", quantization="int4")
    with pytest.raises(ValueError, match=r"`line_width` is required.*received None"):
        export.to_tflite(recognizer, tmp_path / "a.tflite")
    with pytest.raises(ValueError, match=r"`line_width` must be None or .* 32; received 64"):
        export.to_tflite(classifier, tmp_path / "a.tflite", line_width=64)
    with pytest.raises(ValueError, match=r"'int8' is not supported for TextLineRecognizer"):
        export.to_tflite(
            recognizer, tmp_path / "a.tflite", quantization="int8", representative_data=[1]
        )
    with pytest.raises(ValueError, match=r"`path` must end in '.tflite'; received '.*model.lite'"):
        export.to_tflite(classifier, tmp_path / "model.lite")
    assert not any(tmp_path.iterdir())
