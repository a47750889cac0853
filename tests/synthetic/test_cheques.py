"""Cheques: the values returned are the values drawn, in the boxes returned."""

import datetime
import re

import numpy as np
import pytest

from finvision.data import synthetic
from finvision.data.synthetic.micr import micr_cells


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (0, "ZERO AND 00/100"),
        (100, "ONE AND 00/100"),
        (1105, "ELEVEN AND 05/100"),
        (11900, "ONE HUNDRED NINETEEN AND 00/100"),
        (100000, "ONE THOUSAND AND 00/100"),
        (2000015, "TWENTY THOUSAND AND 15/100"),
        (4008199, "FORTY THOUSAND EIGHTY-ONE AND 99/100"),
        (99999999, "NINE HUNDRED NINETY-NINE THOUSAND NINE HUNDRED NINETY-NINE AND 99/100"),
    ],
)
def test_amount_in_words(cents, words):
    assert synthetic.amount_in_words(cents) == words


def test_amount_in_words_range():
    with pytest.raises(ValueError, match=r"`cents` must be in \[0, 1e9\); received -1"):
        synthetic.amount_in_words(-1)


@pytest.fixture(scope="module")
def drawn(font_path):
    return synthetic.cheques(6, seed=2, size=(192, 432), font_path=font_path)


def test_values_agree(drawn):
    for cheque in drawn:
        cents = round(float(cheque.amount) * 100)
        assert re.fullmatch(r"\d+\.\d\d", cheque.amount)
        assert float(cheque.courtesy_amount.lstrip("*").replace(",", "")) == float(cheque.amount)
        assert cheque.legal_amount == synthetic.amount_in_words(cents)
        formats = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
        parsed = []
        for layout in formats:
            try:
                parsed.append(datetime.datetime.strptime(cheque.date, layout))
            except ValueError:
                continue
        assert parsed
        assert cheque.routing_number in cheque.micr and cheque.account_number in cheque.micr
        assert set(cheque.micr) <= set(synthetic.MICR_ALPHABET)
        assert cheque.payee


def test_every_field_box_holds_ink(drawn):
    for cheque in drawn:
        image = cheque.image.astype(int).sum(axis=2)
        paper = np.median(image)
        assert sorted(cheque.boxes) == sorted(synthetic.CHEQUE_FIELDS)
        for name, (top, left, bottom, right) in cheque.boxes.items():
            assert 0 <= top < bottom <= 192 and 0 <= left < right <= 432, name
            assert image[top:bottom, left:right].min() < paper - 150, name


def test_micr_box_fits_the_transcript(drawn):
    for cheque in drawn:
        top, left, bottom, right = cheque.boxes["micr"]
        pitch = micr_cells(bottom - top).pitch  # the box is one glyph high
        assert bottom - top <= round(0.055 * 192) and left >= 0.03 * 432 - 1  # whole, not cut
        # One pitch per character, plus at most 10 spaces between the fields.
        assert len(cheque.micr) * pitch <= right - left <= (len(cheque.micr) + 10) * pitch
        band = cheque.image[top:bottom, left:right].min(axis=2)
        ink = (band < np.median(band) - 80).any(axis=0)
        assert ink[:pitch].any() and ink[-pitch:].any()  # the box starts and ends with glyphs


def test_seeded_and_sized(font_path):
    a = synthetic.cheques(2, seed=9, size=(96, 192), font_path=font_path)
    b = synthetic.cheques(3, seed=9, size=(96, 192), font_path=font_path)
    for x, y in zip(a, b, strict=False):
        assert np.array_equal(x.image, y.image) and x.micr == y.micr and x.payee == y.payee
    assert a[0].image.shape == (96, 192, 3) and a[0].image.dtype == np.uint8
    assert a[0].micr != a[1].micr


@pytest.mark.parametrize("size", [(95, 400), (200, 191), (200,), "200x400"])
def test_size_errors(size, font_path):
    with pytest.raises(ValueError, match=r"`size` must be"):
        synthetic.cheques(1, seed=0, size=size, font_path=font_path)
