"""The code blocks of docs/synthetic.md run as written (they use the installed OCR-B)."""

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[2] / "docs" / "synthetic.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 7


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs(code, ocr_b, capsys):
    exec(code, {})
