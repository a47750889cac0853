"""The code blocks of docs/preprocessing.md run as written."""

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[2] / "docs" / "preprocessing.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code):
    namespace: dict = {}
    exec(code, namespace)
    for name in ("dataset", "pairs", "parallel"):
        if name in namespace:
            assert next(iter(namespace[name])) is not None
