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
    exec(code.replace('weights="imagenet"', "weights=None"), namespace)
    assert namespace["history"].epoch == [0, 1]
    assert set(namespace["history"].history) == {"loss", "accuracy"}
    assert (tmp_path / "presets" / "document-type" / "model.weights.h5").is_file()
