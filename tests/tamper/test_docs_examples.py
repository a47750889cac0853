"""The code blocks of docs/tampering.md run in order, as written (slow: they train)."""

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[2] / "docs" / "tampering.md"


@pytest.mark.slow
def test_the_page_runs():
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)
    assert len(blocks) == 2
    namespace: dict = {}
    for code in blocks:
        exec(code, namespace)
    assert namespace["outputs"]["mask"].shape == (2, 256, 256, 1)
    assert namespace["outputs"]["score"].shape == (2, 1)
    assert namespace["labels"].shape == (8, 1)
