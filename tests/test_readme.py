"""The README's fine-tuning example runs as written (offline: without downloading)."""

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_runs(tmp_path, monkeypatch):
    text = README.read_text()
    section = text[text.index("## Fine-tune a classifier") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 10
    assert 'weights="imagenet"' in code
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    # Offline and small: no ImageNet weights, and 64 px instead of 224 (a fifth of the time).
    assert "(32, 224, 224, 3)" in code
    small = code.replace('weights="imagenet"', "weights=None, input_shape=(64, 64, 3)")
    exec(small.replace("(32, 224, 224, 3)", "(32, 64, 64, 3)"), namespace)
    assert namespace["history"].epoch == [0, 1]
    assert set(namespace["history"].history) == {"loss", "accuracy"}
    assert (tmp_path / "presets" / "document-type" / "model.weights.h5").is_file()
