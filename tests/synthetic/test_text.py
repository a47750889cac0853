"""Font lookup and text lines, against Pillow drawing the whole string."""

import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from finvision.data import synthetic
from finvision.data.synthetic import fonts
from finvision.data.synthetic.text import LineStyle, ink_on_paper, paint, place_line
from finvision.documents.mrz import MRZ_ALPHABET


@pytest.fixture
def font_directories(monkeypatch, tmp_path):
    """Points the OCR-B lookup at an empty temporary directory."""
    monkeypatch.setattr(fonts, "FONT_DIRECTORIES", (str(tmp_path),))
    fonts.find_ocr_b_font.cache_clear()
    yield tmp_path
    fonts.find_ocr_b_font.cache_clear()


def test_missing_ocr_b_names_the_package_and_font_path(font_directories):
    with pytest.raises(
        synthetic.FontNotFoundError, match=r"apt-get install fonts-ocr-b.*`font_path=`"
    ):
        synthetic.find_ocr_b_font()
    with pytest.raises(synthetic.FontNotFoundError, match="fonts-ocr-b"):
        synthetic.mrz_lines(1, seed=0)


def test_ocr_b_is_found_in_a_font_directory_tree(font_directories, font_path):
    nested = font_directories / "opentype" / "ocr-b"
    nested.mkdir(parents=True)
    shutil.copy(font_path, nested / "OCRB.otf")
    assert synthetic.find_ocr_b_font() == nested / "OCRB.otf"
    line = synthetic.mrz_lines(1, seed=0)[0]  # font_path=None uses the font found
    assert line.image.shape[0] == 32


def test_installed_ocr_b_draws_every_mrz_and_cheque_character(ocr_b):
    cells = fonts.glyph_cells(ocr_b, 24)
    for character in MRZ_ALPHABET + "$,.-/*":
        assert cells.cell(character).max() > 0.5, character


def test_bad_font_path():
    with pytest.raises(
        FileNotFoundError, match=r"`font_path` must be a font file; received 'x.ttf'"
    ):
        synthetic.render_text_line("A", font_path="x.ttf")


def test_missing_glyph_is_a_clear_error(font_path):
    with pytest.raises(ValueError, match=r"DejaVuSansMono.ttf has no glyph for '\u4e00'"):
        synthetic.render_text_line("A\u4e00", font_path=font_path)


def test_ocr_b_lacks_the_euro_sign(ocr_b):
    with pytest.raises(ValueError, match=r"OCRB.otf has no glyph for '€'"):
        synthetic.render_text_line("€1", font_path=ocr_b)


@pytest.mark.parametrize("size", [20, 31])
def test_cells_side_by_side_equal_pillow_drawing_the_string(font_path, size):
    cells = fonts.glyph_cells(font_path, size)
    text = "P<UTOERIKSSON<<ANNA0123456789"
    coverage = cells.line(text)
    reference = Image.new("L", (coverage.shape[1], cells.height), 0)
    ImageDraw.Draw(reference).text((0, 0), text, fill=255, font=cells.font)
    np.testing.assert_array_equal(np.rint(coverage * 255).astype(np.uint8), np.asarray(reference))


def test_ocr_b_cells_equal_pillow_at_every_size(ocr_b):
    for size in range(12, 40, 3):
        cells = fonts.glyph_cells(ocr_b, size)
        text = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
        coverage = cells.line(text)
        reference = Image.new("L", (coverage.shape[1], cells.height), 0)
        ImageDraw.Draw(reference).text((0, 0), text, fill=255, font=cells.font)
        np.testing.assert_array_equal(np.rint(coverage * 255), np.asarray(reference))


def test_gaps_insert_blank_columns(font_path):
    cells = fonts.glyph_cells(font_path, 20)
    plain = cells.line("AB")
    spaced = cells.line("AB", np.array([3, 2]))
    width_a = cells.cell("A").shape[1]
    assert spaced.shape[1] == plain.shape[1] + 5
    np.testing.assert_array_equal(spaced[:, :width_a], plain[:, :width_a])
    assert not spaced[:, width_a : width_a + 3].any()
    np.testing.assert_array_equal(spaced[:, width_a + 3 : -2], plain[:, width_a:])


def test_plain_line_layout(font_path):
    image = synthetic.render_text_line("<<<<<", height=40, font_path=font_path)
    assert image.dtype == np.uint8 and image.shape[0] == 40
    assert image[:, :10].min() == 255 and image[:, -10:].min() == 255  # margins of 0.25 height
    assert image.min() == 0
    _, components = ndimage.label(image < 128)
    assert components == 5


@pytest.mark.parametrize("seed", range(5))
def test_random_styles_keep_characters_apart_and_vary(font_path, seed):
    image = synthetic.render_text_line("<L<L<L", height=32, font_path=font_path, seed=seed)
    again = synthetic.render_text_line("<L<L<L", height=32, font_path=font_path, seed=seed)
    other = synthetic.render_text_line("<L<L<L", height=32, font_path=font_path, seed=seed + 10)
    np.testing.assert_array_equal(image, again)
    assert image.shape != other.shape or not np.array_equal(image, other)
    paper = int(np.median(image))
    _, components = ndimage.label(image < paper - 40)
    assert components == 6


def test_ink_on_paper_and_paint_by_hand():
    np.testing.assert_array_equal(ink_on_paper(np.array([0.0, 0.25, 1.0]), 40, 240), [240, 190, 40])
    canvas = np.full((3, 3, 3), 200, np.uint8)
    box = paint(canvas, np.array([[1.0, 0.5], [0.0, 1.0]]), 2, -1, (0, 100, 200))
    assert box == (2, 0, 3, 1)
    np.testing.assert_array_equal(canvas[2, 0], [100, 150, 200])
    assert (canvas[:2] == 200).all() and (canvas[2, 1:] == 200).all()


def test_place_line_margins_and_position():
    coverage = np.ones((2, 3), np.float32)
    image = place_line(coverage, 10, LineStyle(margins=(0.2, 0.1), vertical=1.0, ink=5, paper=250))
    assert image.shape == (10, 2 + 3 + 1)
    assert (image[8:, 2:5] == 5).all() and (image[:8] == 250).all()
    assert (image[:, :2] == 250).all() and (image[:, 5:] == 250).all()


@pytest.mark.parametrize("height", [7, 0, 32.0, True])
def test_bad_height(height, font_path):
    with pytest.raises(ValueError, match=r"`height` must be an int >= 8; received"):
        synthetic.render_text_line("A", height=height, font_path=font_path)


def ink_rows(image):
    """The rows holding ink: darker than halfway between the paper and the darkest ink."""
    paper, ink = np.percentile(image, 95), image.min()
    return np.flatnonzero((image < (paper + ink) / 2).any(axis=1))


# The share of the height a classic line's ink spans: MRZ caps 0.38-0.53 of the line,
# MICR glyphs 0.62-0.82 (a row more or less, as rows are counted whole).
@pytest.mark.parametrize(
    ("generator", "classic_span"),
    [(synthetic.mrz_lines, (0.35, 0.6)), (synthetic.micr_lines, (0.6, 0.85))],
    ids=["mrz", "micr"],
)
def test_capture_layout_crops_lines_as_real_captures_do(generator, classic_span):
    classic = generator(60, seed=3)
    captured = generator(60, seed=3, layout="capture")
    assert [line.text for line in captured] == [line.text for line in classic]
    assert {line.image.shape[0] for line in captured} == {32}
    # The share of the height the ink spans (caps, turned lines' drift included).
    spans = np.array([np.ptp(ink_rows(line.image)) + 1 for line in captured]) / 32
    classic_spans = np.array([np.ptp(ink_rows(line.image)) + 1 for line in classic]) / 32
    assert classic_span[0] <= classic_spans.min() and classic_spans.max() < classic_span[1]
    # Captured lines span from under half the height (loose crops) to all of it (tight
    # crops, turned lines).
    assert spans.min() < 0.5 and spans.max() > 0.9
    assert np.median(spans) > np.median(classic_spans)
    touching = [line for line in captured if {0, 31} & set(ink_rows(line.image))]
    assert 0 < len(touching) < len(captured)  # ink touches an edge now and then


@pytest.mark.parametrize("generator", [synthetic.mrz_lines, synthetic.micr_lines])
def test_unknown_layout_is_refused(generator):
    with pytest.raises(ValueError, match=r"`layout` must be one of \('classic', 'capture'\)"):
        generator(1, seed=0, layout="tight")
