"""The code blocks of docs/tampering.md run in order, as written (slow: they train)."""

import pytest

from tests.docs_blocks import python_blocks


@pytest.mark.slow
def test_the_page_runs():
    blocks = python_blocks("tampering.md")
    assert len(blocks) == 2
    namespace: dict = {}
    for code in blocks:
        exec(code, namespace)
    assert namespace["outputs"]["mask"].shape == (2, 256, 256, 1)
    assert namespace["outputs"]["score"].shape == (2, 1)
    assert namespace["labels"].shape == (8, 1)
