"""Random MRZs are valid ICAO 9303 zones, seeded, and their images show their lines."""

import datetime

import numpy as np
import pytest

from finvision.data import synthetic
from finvision.documents.mrz import MRZ_ALPHABET, MRZ_FORMATS, parse_mrz


@pytest.fixture(scope="module")
def documents():
    return synthetic.random_mrz(600, seed=11, formats=["TD1", "TD2", "TD3"])


def test_country_codes():
    codes = synthetic.COUNTRY_CODES
    assert len(codes) == 249 and len(set(codes)) == 249 and list(codes) == sorted(codes)
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes)
    assert {"DEU", "FRA", "USA", "CHN", "BRA", "ZAF", "ALA", "SSD"} <= set(codes)


def test_every_document_is_valid_and_round_trips(documents):
    for mrz in documents:
        count, width = MRZ_FORMATS[mrz.format]
        assert len(mrz.lines) == count and all(len(line) == width for line in mrz.lines)
        assert set("".join(mrz.lines)) <= set(MRZ_ALPHABET)
        assert mrz.valid
        assert parse_mrz(mrz.lines) == mrz


def test_field_values_are_plausible(documents):
    formats = {mrz.format for mrz in documents}
    assert formats == {"TD1", "TD2", "TD3"}
    for mrz in documents:
        assert mrz.issuing_state in synthetic.COUNTRY_CODES
        assert mrz.nationality in synthetic.COUNTRY_CODES
        assert mrz.sex in ("M", "F", "X")
        birth = datetime.datetime.strptime(mrz.birth_date, "%y%m%d")
        expiry = datetime.datetime.strptime(mrz.expiry_date, "%y%m%d")
        assert birth.month == int(mrz.birth_date[2:4]) and expiry.day == int(mrz.expiry_date[4:])
        assert mrz.surname and mrz.surname.replace(" ", "").isalpha()
        assert mrz.document_type[0] == ("P" if mrz.format == "TD3" else mrz.document_type[0])
    long_numbers = [m for m in documents if len(m.document_number) > 9]
    assert long_numbers and all(m.format in ("TD1", "TD2") for m in long_numbers)
    assert all(
        m.lines[0 if m.format == "TD1" else 1][14 if m.format == "TD1" else 9] == "<"
        for m in long_numbers
    )
    letters = set("".join(m.surname + m.given_names for m in documents))
    assert set("ABCDEFGHIJKLMNOPRSTUVWYZ") <= letters


def test_seeded_and_independent_of_count():
    assert synthetic.random_mrz(8, seed=3) == synthetic.random_mrz(8, seed=3)
    assert synthetic.random_mrz(8, seed=3)[:5] == synthetic.random_mrz(5, seed=3)
    assert synthetic.random_mrz(5, seed=3) != synthetic.random_mrz(5, seed=4)
    assert synthetic.random_mrz(0, seed=3) == []


def test_formats_are_respected():
    assert {m.format for m in synthetic.random_mrz(20, seed=0, formats="TD2")} == {"TD2"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"formats": ["TD4"]},
            r"`formats` must be a non-empty sequence of \['TD1', 'TD2', 'TD3'\]",
        ),
        ({"formats": []}, r"`formats` must be a non-empty sequence"),
        ({"seed": -1}, r"`seed` must be a non-negative int; received -1"),
        ({"seed": 1.5}, r"`seed` must be a non-negative int; received 1.5"),
    ],
)
def test_argument_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        synthetic.random_mrz(2, **{"seed": 0, **arguments})


def test_count_error():
    with pytest.raises(ValueError, match=r"`count` must be a non-negative int; received -2"):
        synthetic.random_mrz(-2, seed=0)


def test_lines_show_their_text(font_path):
    lines = synthetic.mrz_lines(40, seed=5, font_path=font_path, height=32)
    again = synthetic.mrz_lines(40, seed=5, font_path=font_path, height=32)
    for a, b in zip(lines, again, strict=True):
        assert a.text == b.text and np.array_equal(a.image, b.image)
    widths = {}
    for line in lines:
        assert len(line.text) in (30, 44) and set(line.text) <= set(MRZ_ALPHABET)
        assert line.image.dtype == np.uint8 and line.image.shape[0] == 32
        paper = int(np.median(line.image))
        assert paper - int(line.image.min()) >= 100  # dark ink on light paper
        widths.setdefault(len(line.text), []).append(line.image.shape[1])
    assert np.mean(widths[44]) > np.mean(widths[30]) * 1.2  # width follows the text


def test_lines_are_seeded_per_index(font_path):
    long = synthetic.mrz_lines(6, seed=2, font_path=font_path)
    short = synthetic.mrz_lines(3, seed=2, font_path=font_path)
    for a, b in zip(long, short, strict=False):
        assert a.text == b.text and np.array_equal(a.image, b.image)


def test_blocks_stack_the_lines_of_one_document(font_path):
    for block in synthetic.mrz_blocks(12, seed=1, font_path=font_path, height=24):
        assert block.mrz.valid
        assert len(block.line_boxes) == len(block.mrz.lines)
        image = block.image
        previous_bottom = 0
        for top, left, bottom, right in block.line_boxes:
            assert bottom - top == 24 and left == 0 and right <= image.shape[1]
            band = image[top:bottom, left:right]
            assert int(band.min()) < int(np.median(band)) - 60  # ink in every line
            gap = image[previous_bottom:top]
            assert gap.size == 0 or gap.min() == gap.max()  # only paper between lines
            previous_bottom = bottom
        assert previous_bottom == image.shape[0]


def test_generation_does_not_touch_global_random_state(font_path):
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    synthetic.mrz_lines(3, seed=0, font_path=font_path)
    assert np.random.random() == expected
