"""``finvision read``: page photos in, the fields printed (text or JSON), failures reported."""

import json

import pytest
from PIL import Image

from finvision.cli import main
from finvision.data import synthetic
from finvision.data.synthetic import fonts

try:
    fonts.find_ocr_b_font()
except fonts.FontNotFoundError:
    pytest.skip(f"OCR-B is not installed ({fonts.OCR_B_PACKAGE})", allow_module_level=True)


#: Pages the shipped models read right: these tests are about the command; how well the
#: models read is measured in tests/models/test_page_reading.py.
SEEDS = {"TD3": 1, "cheque": 4, "card": 0}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """A passport page, a cheque and a card without a zone, as PNG files."""
    folder = tmp_path_factory.mktemp("pages")
    drawn = {}
    for kind in ("TD3", "cheque", "card"):
        page = synthetic.document_pages(1, seed=SEEDS[kind], kinds=[kind], size=(600, 800))[0]
        Image.fromarray(page.image).save(folder / f"{kind}.png")
        drawn[kind] = (folder / f"{kind}.png", page)
    return drawn


def test_json_lines_hold_the_fields(pages, capsys):
    path, page = pages["TD3"]
    assert main(["read", str(path), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["lines"] == list(page.lines) and record["valid"] is True
    assert record["fields"]["document_number"] == page.lines[1][:9].rstrip("<")
    assert record["kind"] == "mrz" and len(record["quad"]) == 4


def test_text_for_a_cheque(pages, capsys):
    path, page = pages["cheque"]
    assert main(["read", "--kind", "micr", str(path)]) == 0
    output = capsys.readouterr().out
    assert output.startswith(f"{path}  MICR valid")
    assert f"  {page.lines[0]}\n" in output and "routing_number: " in output


def test_pages_without_a_zone_and_broken_files_give_exit_code_1(pages, tmp_path, capsys):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    path, _ = pages["card"]
    assert main(["read", str(path), str(broken)]) == 1
    error = capsys.readouterr().err
    assert f"finvision read: {path}: no MRZ found" in error
    assert "broken.png" in error
