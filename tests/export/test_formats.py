"""One table of export formats: what the exporters write is what `compare` and the CLI read."""

import subprocess
import sys

import pytest

from finvision import export
from finvision._export_formats import FORMATS, check_suffix, format_of
from finvision.cli import export as export_command


@pytest.mark.parametrize(
    ("key", "name"),
    [("saved_model", "saved_model"), ("tflite", "tflite"), ("int8", "tflite"), ("onnx", "onnx")],
)
def test_every_export_is_found_by_its_format(exported, key, name):
    assert format_of(exported[key]).name == name


def test_anything_else_has_no_format(tmp_path):
    (tmp_path / "model.tflite").mkdir()  # a directory named like a file
    (tmp_path / "notes.txt").write_text("x")
    assert [
        format_of(tmp_path / name) for name in ("model.tflite", "notes.txt", "missing.onnx")
    ] == [None] * 3
    assert format_of(tmp_path) is None


def test_the_exporters_and_the_command_line_read_the_table():
    assert FORMATS["tflite"].quantizations == export.QUANTIZATIONS
    assert export_command.QUANTIZATIONS == ("none", "float16", "dynamic", "int8")
    assert FORMATS["saved_model"].inputs == export.saved_model.INPUTS
    with pytest.raises(ValueError, match=r"`path` must end in '.onnx'; received 'a.tflite'"):
        check_suffix("a.tflite", "onnx")


def test_the_table_loads_without_tensorflow():
    probe = "import sys, finvision._export_formats; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout == "False\n"
