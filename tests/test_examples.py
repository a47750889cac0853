"""Every script in examples/ runs and prints what it promises."""

import runpy
from pathlib import Path

import numpy as np
import pytest

from finvision.data.synthetic import fonts
from finvision.models import TextLineRecognizer, TextZoneLocator

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_grayscale_features_preset(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["example", str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "grayscale_features_preset.py"), run_name="__main__")
    output = capsys.readouterr().out
    assert "P2: (2, 24, 56, 64)" in output
    assert "P5: (2, 3, 7, 512)" in output
    assert "identical features: True" in output
    assert (tmp_path / "cheque-resnet18" / "model.weights.h5").is_file()


@pytest.mark.slow
def test_train_line_readers_writes_a_preset(tmp_path, capsys, monkeypatch):
    try:
        fonts.find_ocr_b_font()
    except fonts.FontNotFoundError:
        pytest.skip(f"OCR-B is not installed (Debian package {fonts.OCR_B_PACKAGE})")
    arguments = ["--lines-per-epoch", "32", "--batch-size", "16", "--validation-lines", "8"]
    monkeypatch.setattr(
        "sys.argv", ["train", "micr", "--out", str(tmp_path / "micr"), "--epochs", "1", *arguments]
    )
    runpy.run_path(str(EXAMPLES / "train_line_readers.py"), run_name="__main__")
    assert "epoch 1 (augmentation 0.23): loss" in capsys.readouterr().out
    reader = TextLineRecognizer.from_preset(tmp_path / "micr")
    assert reader.alphabet == "0123456789TAUD"
    assert getattr(reader, "optimizer", None) is None  # saved without Adam's state

    # --init continues from that preset: with a zero learning rate no trainable weight
    # moves (batch-norm statistics do).
    continue_from = ["--init", str(tmp_path / "micr"), "--learning-rate", "0"]
    monkeypatch.setattr(
        "sys.argv",
        [
            "train",
            "micr",
            "--out",
            str(tmp_path / "again"),
            "--epochs",
            "1",
            *continue_from,
            *arguments,
        ],
    )
    runpy.run_path(str(EXAMPLES / "train_line_readers.py"), run_name="__main__")
    continued = TextLineRecognizer.from_preset(tmp_path / "again")
    for before, after in zip(reader.trainable_weights, continued.trainable_weights, strict=True):
        np.testing.assert_array_equal(before.numpy(), after.numpy())


@pytest.mark.slow
def test_train_zone_locator_writes_a_preset(tmp_path, capsys, monkeypatch):
    try:
        fonts.find_ocr_b_font()
    except fonts.FontNotFoundError:
        pytest.skip(f"OCR-B is not installed (Debian package {fonts.OCR_B_PACKAGE})")
    arguments = ["--pages", "8", "--validation-pages", "4", "--batch-size", "4", "--epochs", "1"]
    monkeypatch.setattr("sys.argv", ["train", "--out", str(tmp_path / "zones"), *arguments])
    runpy.run_path(str(EXAMPLES / "train_zone_locator.py"), run_name="__main__")
    assert "SHA-256" in capsys.readouterr().out
    locator = TextZoneLocator.from_preset(tmp_path / "zones")
    assert locator.zones == ("mrz", "micr") and locator.output_shape == (None, 256, 256, 2)
