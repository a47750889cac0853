"""The code blocks of the task guides run as written, offline."""

import pytest

from tests.docs_blocks import block_ids, python_blocks

PAGES = {
    "deployment.md": 2,
    "preprocessing.md": 4,
    "reading-documents.md": 1,
    "tasks.md": 1,
    "text-recognition.md": 3,
}
#: Blocks that train a model: run by `make bench` (their APIs are tested in make test).
TRAINING_BLOCKS = {"text-recognition.md-block0"}
CASE_IDS = [f"{page}-{block}" for page in PAGES for block in block_ids(python_blocks(page))]
CASES = [
    pytest.param(page, code, marks=[pytest.mark.slow] if case in TRAINING_BLOCKS else [])
    for (page, code), case in zip(
        [(page, code) for page in PAGES for code in python_blocks(page)], CASE_IDS, strict=True
    )
]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_its_examples(page):
    assert len(python_blocks(page)) >= PAGES[page]


@pytest.mark.parametrize(("page", "code"), CASES, ids=CASE_IDS)
def test_example_runs(page, code):
    namespace: dict = {}
    exec(code, namespace)
    for name in ("dataset", "pairs", "parallel"):
        if name in namespace:
            assert next(iter(namespace[name])) is not None
