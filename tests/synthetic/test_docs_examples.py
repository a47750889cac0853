"""The code blocks of docs/synthetic.md run as written (they use the installed OCR-B)."""

import pytest

from tests.docs_blocks import block_ids, python_blocks

BLOCKS = python_blocks("synthetic.md")


def test_the_page_has_examples():
    assert len(BLOCKS) >= 7


@pytest.mark.parametrize("code", BLOCKS, ids=block_ids(BLOCKS))
def test_example_runs(code, ocr_b, capsys):
    exec(code, {})
