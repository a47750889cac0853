"""The whole-page renderer of benchmarks/documents.py, and how that benchmark judges reads."""

import importlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from finvision.documents import compose_mrz

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"
FONTS = (
    Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
# The MRZ's ink box in mm: 2.54 mm pitch, OCR-B glyphs about 1.8 mm wide and 2.5 mm tall,
# line centres 4.23 mm (TD3, TD2) or 3.7 mm (TD1) apart.
INK_BOX_MM = {"TD3": (111.0, 6.7), "TD2": (90.7, 6.7), "TD1": (75.5, 9.9)}
LINES = {"TD3": (2, 44), "TD2": (2, 36), "TD1": (3, 30)}
SPECIMEN = (  # ICAO 9303's TD1 example, all check digits right
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)


@pytest.fixture
def pages(monkeypatch):
    if not all(font.is_file() for font in FONTS):
        pytest.skip("the renderer needs the OCR-B and DejaVu fonts (fonts-ocr-b, fonts-dejavu)")
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("_independent_pages")


def test_the_page_renderer_shares_no_code_with_the_training_generators():
    source = (BENCHMARKS / "_independent_pages.py").read_text()
    imported = {
        line.split()[1] for line in source.splitlines() if line.startswith(("from ", "import "))
    }
    assert {name for name in imported if name.startswith("finvision")} == {"finvision.documents"}
    siblings = {name for name in imported if name.startswith("_") and name != "__future__"}
    assert siblings == {"_independent_mrz"}  # benchmarks/_independent_mrz.py: the MRZ text


def polygon_mask(shape, corners):
    mask = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(mask).polygon([tuple(corner) for corner in corners], fill=1)
    return np.asarray(mask, dtype=bool)


def grown(quad, margin):
    """The quad with each side moved out by ``margin`` px."""
    along = (quad[1] - quad[0]) / np.linalg.norm(quad[1] - quad[0])
    down = (quad[3] - quad[0]) / np.linalg.norm(quad[3] - quad[0])
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    return quad + margin * (signs[:, :1] * along + signs[:, 1:] * down)


@pytest.mark.parametrize("condition", ["scan", "rotated", "phone"])
def test_a_page_is_an_rgb_image_and_its_quad_holds_the_whole_mrz(pages, condition):
    for page in pages.document_pages(3, 11, condition=condition):
        assert page.image.dtype == np.uint8 and page.image.shape[2] == 3
        assert 800 <= max(page.image.shape[:2]) <= 1600
        assert (len(page.lines), len(page.lines[0])) == LINES[page.format]
        assert page.condition == condition and page.quad.shape == (4, 2)
        height, width = page.image.shape[:2]
        assert np.all((page.quad >= 0) & (page.quad <= [width, height]))
        width_px = np.linalg.norm(page.quad[1] - page.quad[0])
        height_px = np.linalg.norm(page.quad[3] - page.quad[0])
        expected = INK_BOX_MM[page.format]
        tolerance = 0.35 if condition == "phone" else 0.08  # perspective: corners move 6%
        assert width_px / height_px == pytest.approx(expected[0] / expected[1], rel=tolerance)
        grey = page.image.mean(axis=2)
        zone = polygon_mask(grey.shape, grown(page.quad, 0.3 * height_px))
        dark = grey < 0.7 * np.median(grey[zone])  # ink, against the paper around it
        inside = dark[polygon_mask(grey.shape, page.quad)]
        assert inside.mean() > 0.15  # the glyphs' ink
        assert inside.sum() >= 0.95 * dark[zone].sum()  # no ink of the zone is left outside


def test_pages_depend_on_the_seed_and_their_index_only(pages):
    first = list(pages.document_pages(2, 5, condition="phone"))
    again = list(pages.document_pages(3, 5, condition="phone"))[1]
    assert np.array_equal(first[1].image, again.image)
    assert np.array_equal(first[1].quad, again.quad) and first[1].lines == again.lines
    other = next(pages.document_pages(1, 6, condition="phone"))
    assert other.lines != first[0].lines
    scanned = next(pages.document_pages(1, 5, condition="scan"))
    assert scanned.lines == first[0].lines  # the same document, captured otherwise
    assert [page.format for page in first] == ["TD3", "TD1"]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"count": -1}, ValueError, r"`count` must be >= 0; received -1"),
        ({"count": 2.0}, TypeError, r"`count` must be an int; received 2\.0"),
        ({"count": True}, TypeError, r"`count` must be an int"),
        ({"seed": -3}, ValueError, r"`seed` must be >= 0"),
        ({"condition": "fax"}, ValueError, r"Unknown `condition` 'fax'.*'scan', 'rotated'"),
        ({"formats": ()}, ValueError, r"`formats` must name one or more of"),
        ({"formats": ("TD3", "TD4")}, ValueError, r"received \['TD3', 'TD4'\]"),
    ],
)
def test_arguments_are_checked_before_any_page_is_drawn(pages, arguments, error, message):
    call = {"count": 2, "seed": 0, "condition": "scan", **arguments}
    with pytest.raises(error, match=message):
        pages.document_pages(call.pop("count"), call.pop("seed"), **call)


@pytest.fixture
def documents(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("documents")


def box(left, top, right, bottom):
    """Corners as a text detector gives them: clockwise from the top-left."""
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def turned(item, quarter_turns):
    """A text box of a 400 x 400 px page turned clockwise; the text read upright."""
    corners = np.array(item[0], dtype=float)
    for _ in range(quarter_turns):
        corners = np.c_[400 - corners[:, 1], corners[:, 0]]
    return [box(*corners.min(axis=0), *corners.max(axis=0)), *item[1:]]


UPRIGHT_BOXES = [
    [box(10, 0, 200, 20), "Surname / Nom", 0.9],
    [box(10, 25, 300, 45), "ERIKSSON ANNA MARIA DATE", 0.9],  # the visual zone: too short
    [box(10, 100, 200, 120), "I<UTOD231458907<<<", 0.9],  # a line in two boxes
    [box(205, 100, 320, 120), "<<<<<<<<<<<<", 0.9],
    [box(10, 130, 320, 150), "7408122F1204159UTO<<<<<<<<<<<6", 0.9],
    [box(10, 160, 280, 180), "ERIKSSON<<ANNA<MARIA<<<<<<", 0.9],  # the last fillers lost
]


@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_text_boxes_become_the_mrz_lines_whichever_way_up(documents, quarter_turns):
    boxes = [turned(item, quarter_turns) for item in UPRIGHT_BOXES]
    assert documents.mrz_from_text_boxes(boxes) == SPECIMEN
    assert documents.mrz_from_text_boxes(boxes[:3]) is None  # one MRZ-like row only


def test_a_second_line_without_fillers_is_taken_only_beside_the_first(documents):
    lines = compose_mrz(
        "TD2",
        document_type="I",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA MARIA",
        document_number="D23145890",
        nationality="UTO",
        birth_date="740812",
        sex="F",
        expiry_date="120415",
        optional_data="1234567",
    )
    assert "<" not in lines[1]
    boxes = [
        [box(10, 0, 320, 20), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 0.9],  # 36, no filler
        [box(10, 100, 300, 120), lines[0].rstrip("<") + "<<", 0.9],
        [box(10, 130, 320, 150), lines[1], 0.9],
    ]
    assert documents.mrz_from_text_boxes(boxes) == lines


def test_every_engine_is_judged_by_the_same_parse(documents):
    wrong_filler = (*SPECIMEN[:2], SPECIMEN[2][:-1] + "K")  # no check digit covers it
    readings = [
        documents.Reading(SPECIMEN, SPECIMEN, 0.5),
        documents.Reading(SPECIMEN, None, 0.5),
        documents.Reading(SPECIMEN, wrong_filler, 0.5),
    ]
    figures = documents.summarise(readings)
    assert figures == pytest.approx(
        {
            "found": 2 / 3,
            "valid": 2 / 3,
            "valid_but_wrong": 1 / 3,
            "exact": 1 / 3,
            "field_accuracy": (9 + 0 + 8) / 27,  # the third read's given names are wrong
            "cer": (0 + 90 + 1) / 270,
            "pages_per_second": 2.0,
        }
    )
