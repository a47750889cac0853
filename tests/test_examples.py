"""Every script in examples/ runs and prints what it promises."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_grayscale_features_preset(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.argv", ["example", str(tmp_path)])
    runpy.run_path(str(EXAMPLES / "grayscale_features_preset.py"), run_name="__main__")
    output = capsys.readouterr().out
    assert "P2: (2, 24, 56, 64)" in output
    assert "P5: (2, 3, 7, 512)" in output
    assert "identical features: True" in output
    assert (tmp_path / "cheque-resnet18" / "model.weights.h5").is_file()
