"""The code blocks of docs/data.md run as written, in order, offline."""

from tests.docs_blocks import python_blocks


def test_data_page_examples_run(capsys):
    blocks = python_blocks("data.md")
    assert len(blocks) == 6
    namespace: dict = {}
    for code in blocks:
        exec(code, namespace)
    printed = capsys.readouterr().out
    assert "['fraud', 'genuine']" in printed
    assert "1 skipped" in printed and "broken.png: empty file (0 bytes)" in printed
    assert "['label', 'mask', 'text']" in printed
    assert printed.rstrip().endswith("16")
    assert {row["customer"] for row in namespace["train_rows"].rows}.isdisjoint(
        {row["customer"] for row in namespace["val_rows"].rows}
    )
    assert set(namespace["weights"]) == {0, 1}
