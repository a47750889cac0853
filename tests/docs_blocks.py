"""The Python code blocks of a documentation page, for tests that run them."""

import re
from pathlib import Path

DOCS = Path(__file__).parents[1] / "docs"


def python_blocks(page: str) -> list[str]:
    """The fenced ``python`` blocks of ``docs/<page>``, in order."""
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.DOTALL)


def block_ids(blocks: list[str]) -> list[str]:
    return [f"block{index}" for index in range(len(blocks))]
