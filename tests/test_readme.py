"""The README's fine-tuning example runs as written (offline: without downloading)."""

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_runs():
    text = README.read_text()
    section = text[text.index("## Fine-tune a classifier") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 10
    assert 'weights="imagenet"' in code
    namespace: dict = {}
    exec(code.replace('weights="imagenet"', "weights=None"), namespace)
    history = namespace["model"].history.history
    assert set(history) == {"loss", "accuracy"}
    assert namespace["backbone"].trainable_weights == []
