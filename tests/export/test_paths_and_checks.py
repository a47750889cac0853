import keras
import numpy as np
import pytest

from finvision import export


@pytest.mark.parametrize(
    "exporter",
    [export.to_saved_model, export.to_tflite, export.to_onnx],
    ids=["saved_model", "tflite", "onnx"],
)
def test_unbuilt_and_non_models_are_refused(tmp_path, exporter):
    suffix = {"to_tflite": ".tflite", "to_onnx": ".onnx"}.get(exporter.__name__, "")
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(
        ValueError, match=r"`model` must be a built keras.Model.*unbuilt Sequential"
    ):
        exporter(unbuilt, tmp_path / f"a{suffix}")
    with pytest.raises(TypeError, match=r"`model` must be a keras\.Model; received str"):
        exporter("mobilenet_v3_small", tmp_path / f"a{suffix}")


def test_existing_outputs_are_never_overwritten_unasked(tmp_path, classifier):
    user_file = tmp_path / "model.tflite"
    user_file.write_bytes(b"the user's model")
    with pytest.raises(FileExistsError, match=f"`path` '{user_file}' already exists"):
        export.to_tflite(classifier, user_file)
    assert user_file.read_bytes() == b"the user's model"

    directory = tmp_path / "serving"
    directory.mkdir()
    (directory / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        export.to_saved_model(classifier, directory)
    assert [p.name for p in directory.iterdir()] == ["notes.txt"]

    export.to_tflite(classifier, user_file, overwrite=True)
    assert user_file.read_bytes()[4:8] == b"TFL3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tflite", "serving"]


def test_empty_directory_is_used_and_a_failed_export_leaves_nothing(tmp_path, classifier):
    empty = tmp_path / "empty"
    empty.mkdir()
    export.to_saved_model(classifier, empty)
    assert (empty / "saved_model.pb").is_file()
    with pytest.raises(ValueError, match="`labels` must be 3 class names"):
        export.to_saved_model(classifier, tmp_path / "failed", labels=["a"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_compare_report_against_hand_computed_values(exported, classifier, images):
    report = export.compare(classifier, exported["int8"], images)
    from tests.export.test_tflite import interpreter

    run = interpreter(exported["int8"])
    run.resize_tensor_input(0, images.shape)
    run.allocate_tensors()
    run.set_tensor(run.get_input_details()[0]["index"], images)
    run.invoke()
    quantized = run.get_tensor(run.get_output_details()[0]["index"])
    exported_scores = quantized.astype("float64") / 256
    expected = classifier.predict(images, verbose=0)
    assert report.format == "tflite" and report.samples == len(images)
    difference = np.abs(exported_scores - expected)
    assert report.max_abs_difference == pytest.approx(difference.max(), rel=1e-5)
    assert report.mean_abs_difference == pytest.approx(difference.mean(), rel=1e-5)
    agreement = np.mean(exported_scores.argmax(1) == expected.argmax(1))
    assert report.top1_agreement == agreement
    assert report.file_size_bytes == exported["int8"].stat().st_size
    assert f"top-1 agreement {agreement:.2%}" in str(report)


def test_compare_checks_its_inputs(exported, classifier, images, tmp_path):
    with pytest.raises(ValueError, match="`exported_path` must be a SavedModel directory"):
        export.compare(classifier, tmp_path, images)
    with pytest.raises(
        ValueError, match=r"`data` must hold pixels.*received values in \[0.0, 0.429.*\[0, 1\]"
    ):
        export.compare(classifier, exported["tflite"], images / 510)
    saved = export.compare(classifier, exported["bytes"], images)
    assert saved.format == "saved_model" and saved.max_abs_difference <= 1e-4
