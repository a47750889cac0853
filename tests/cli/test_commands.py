"""The finvision command end to end at tiny sizes: quickstart, train, evaluate, predict, export."""

import json

import keras
import numpy as np
import pytest
from PIL import Image

from finvision import cli, export
from finvision.data import synthetic
from finvision.models import ImageClassifier

SIZE = ("--image-size", "32", "64")


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory, request):
    request.getfixturevalue("ocr_b_installed")
    out = tmp_path_factory.mktemp("runs") / "quickstart"
    arguments = ["quickstart", "--out", str(out), "--images", "48", "--epochs", "0", *SIZE]
    assert cli.main(arguments) == 0
    return out


@pytest.fixture(scope="module")
def ocr_b_installed():
    try:
        synthetic.find_ocr_b_font()
    except synthetic.FontNotFoundError:
        pytest.skip(f"OCR-B is not installed (Debian package {synthetic.OCR_B_PACKAGE})")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, ocr_b_installed):
    """Images of the four document types as PNG files, one subfolder per class."""
    root = tmp_path_factory.mktemp("documents")
    documents = synthetic.document_types(16, seed=5, size=(32, 64), tampered_share=0.25)
    for index, (image, label) in enumerate(zip(documents.images, documents.labels, strict=True)):
        directory = root / documents.class_names[label]
        directory.mkdir(exist_ok=True)
        Image.fromarray(image).save(directory / f"{index:02d}.png")
    return root


def test_quickstart_writes_model_preset_tflite_plots_and_report(quickstart):
    report = json.loads((quickstart / "report.json").read_text())
    assert report["images"] == 48
    assert sum(report["class_counts"].values()) == 48
    assert set(report["evaluation"]["per_class"]) == set(synthetic.DOCUMENT_TYPES)
    model = keras.saving.load_model(quickstart / "model.keras", safe_mode=True)
    assert model.class_names == list(synthetic.DOCUMENT_TYPES)
    preset = ImageClassifier.from_preset(quickstart / "preset")
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 64, 3), dtype="uint8")
    np.testing.assert_allclose(
        preset.predict(images, verbose=0), model.predict(images, verbose=0), atol=1e-6
    )
    assert (quickstart / "model_int8.tflite").stat().st_size > 0
    assert sorted(path.name for path in (quickstart / "plots").iterdir()) == [
        "quickstart_confusion.png",
        "quickstart_det.png",
        "quickstart_roc.png",
    ]


def test_quickstart_never_writes_into_a_used_directory(quickstart, capsys):
    before = {path: path.stat().st_mtime_ns for path in quickstart.rglob("*")}
    assert cli.main(["quickstart", "--out", str(quickstart)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"finvision quickstart: error: --out '{quickstart}' already holds")
    assert error.count("\n") == 1
    assert {path: path.stat().st_mtime_ns for path in quickstart.rglob("*")} == before


def test_evaluate_scores_the_folder_as_the_model_predicts_it(quickstart, folder, tmp_path, capsys):
    report_path = tmp_path / "evaluation.json"
    model_path = str(quickstart / "model.keras")
    arguments = ["evaluate", model_path, "--data", str(folder), "--json", str(report_path)]
    assert cli.main([*arguments, "--positive", "tampered_cheque"]) == 0
    assert "tampered_cheque against the other classes:" in capsys.readouterr().out
    report = json.loads(report_path.read_text())["evaluation"]

    model = keras.saving.load_model(model_path, safe_mode=True)
    files = sorted(folder.glob("*/*.png"))
    images = np.stack([np.asarray(Image.open(path)) for path in files])
    labels = [model.class_names.index(path.parent.name) for path in files]
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    assert report["accuracy"] == pytest.approx(np.mean(predicted == labels))


def test_predict_prints_top_classes_and_reports_bad_files(quickstart, folder, tmp_path, capsys):
    image = sorted(folder.glob("cheque/*.png"))[0]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    code = cli.main(["predict", str(quickstart / "preset"), str(image), str(broken), "--top", "2"])
    assert code == 1
    captured = capsys.readouterr()
    path, first, p1, second, p2 = captured.out.split()
    assert path == str(image)
    assert {first, second} <= set(synthetic.DOCUMENT_TYPES)
    assert 1 >= float(p1) >= float(p2) >= 0
    assert captured.err.startswith("finvision predict: ")
    assert str(broken) in captured.err


@pytest.mark.parametrize(("flag", "expected"), [("none", None), ("float16", "float16")])
def test_export_passes_the_quantization_to_to_tflite(
    quickstart, tmp_path, capsys, monkeypatch, flag, expected
):
    # The conversions themselves: tests/export; a real CLI export refusing to
    # overwrite, and `finvision train` on a folder: tests/journey.
    received = {}

    def to_tflite(model, path, **options):
        received.update(options, model=model)
        return path

    monkeypatch.setattr(export, "to_tflite", to_tflite)
    target = tmp_path / "model.tflite"
    arguments = ["export", str(quickstart / "model.keras"), "--format", "tflite"]
    assert cli.main([*arguments, "--out", str(target), "--quantization", flag]) == 0
    assert capsys.readouterr().out == f"Wrote {target}.\n"
    assert received["quantization"] == expected
    assert received["overwrite"] is False
    assert received["representative_data"] is None
    assert isinstance(received["model"], ImageClassifier)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["predict", "missing.keras", "a.png"], "finvision predict: error: MODEL must be"),
        (["evaluate", "missing.keras", "--data", "."], "finvision evaluate: error: MODEL must be"),
        (
            ["train", "--data", "nowhere", "--backbone", "resnet18", "--out", "{tmp}/run"],
            "finvision train: error: --data must be a folder of class subfolders or a .csv",
        ),
        (
            ["train", "--data", "{tmp}", "--backbone", "resnet1", "--out", "{tmp}/run"],
            "finvision train: error: ",
        ),
        (  # checked before the model loads or the calibration folder is scanned
            ["export", "missing.keras", "--format", "tflite", "--out", "{tmp}/model"],
            "finvision export: error: --out must end in '.tflite' for --format tflite;",
        ),
        (
            ["export", "missing.keras", "--format", "onnx", "--out", "{tmp}/model.tflite"],
            "finvision export: error: --out must end in '.onnx' for --format onnx;",
        ),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(arguments, message, tmp_path, capsys):
    arguments = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    (tmp_path / "cheque").mkdir()
    assert cli.main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith(message)
    assert error.count("\n") == 1 and "Traceback" not in error


def test_verbose_shows_the_traceback(capsys):
    assert cli.main(["predict", "missing.keras", "a.png", "--verbose"]) == 2
    error = capsys.readouterr().err
    assert "Traceback (most recent call last)" in error
    assert error.splitlines()[-1].startswith("finvision predict: error: MODEL must be")


def test_argparse_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["export", "model.keras", "--format", "pdf", "--out", "x"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


def test_quickstart_skips_plots_without_a_tampered_held_out_image(tmp_path, capsys):
    from finvision.cli.quickstart import _plots
    from finvision.data.synthetic import DOCUMENT_TYPES

    held_out = (np.zeros((3, 16, 16, 3), "uint8"), np.array([0, 1, 2]))
    assert _plots(None, held_out, tmp_path / "plots", DOCUMENT_TYPES) == []
    assert "no plots: the held-out set needs tampered_cheque" in capsys.readouterr().out
    assert not (tmp_path / "plots").exists()
