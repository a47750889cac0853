"""MICR lines: ABA check digits of real routing numbers, E-13B glyphs drawn here, transcripts."""

import re
import unicodedata

import numpy as np
import pytest
from scipy import ndimage

from finvision.data import synthetic
from finvision.data.synthetic.micr import micr_cells, random_micr_text, random_routing_number

# Published routing numbers of US banks and Federal Reserve banks.
REAL_ROUTING_NUMBERS = ["021000021", "011000015", "026009593", "121000358", "111000025"]


@pytest.mark.parametrize("routing", REAL_ROUTING_NUMBERS)
def test_aba_check_digit_of_real_routing_numbers(routing):
    assert synthetic.aba_check_digit(routing[:8]) == int(routing[8])


@pytest.mark.parametrize("routing", [12345678, "1234567", "12345678a", "123456789"])
def test_aba_check_digit_errors(routing):
    with pytest.raises(ValueError, match=r"`routing` must be a string of 8 digits; received"):
        synthetic.aba_check_digit(routing)


def test_alphabet_and_symbols():
    assert synthetic.MICR_ALPHABET == "0123456789TAUD"
    assert synthetic.MICR_SYMBOLS == {"T": "transit", "A": "amount", "U": "on-us", "D": "dash"}
    names = {letter: unicodedata.name(synthetic.micr_to_unicode(letter)) for letter in "TAUD"}
    assert names == {
        "T": "OCR BRANCH BANK IDENTIFICATION",  # transit
        "A": "OCR AMOUNT OF CHECK",
        "U": "OCR CUSTOMER ACCOUNT NUMBER",  # on-us
        "D": "OCR DASH",
    }
    assert synthetic.micr_to_unicode("T12 3U") == "\u244612 3\u2449"


def test_glyphs_are_distinct_and_fit_the_e13b_grid():
    cells = micr_cells(36)  # 4 pixels per 0.013-inch module
    drawn = {c: cells.cell(c) for c in synthetic.MICR_ALPHABET}
    for character, cell in drawn.items():
        assert cell.shape == (36, round(36 / 9 * 0.125 / 0.013)), character  # 1/8 inch pitch
        columns = np.nonzero(cell > 0.5)[1]
        assert columns.min() > 0 and columns.max() < cell.shape[1] - 1  # inside its cell
        assert cell.max() == 1.0
    digits = [drawn[d] for d in "0123456789"]
    assert all(np.nonzero(d.max(axis=1) > 0.5)[0].tolist() == list(range(36)) for d in digits)
    assert not cells.cell(" ").any()
    for a in synthetic.MICR_ALPHABET:
        for b in synthetic.MICR_ALPHABET:
            if a < b:
                assert np.abs(drawn[a] - drawn[b]).sum() > 20, (a, b)


@pytest.mark.parametrize(("character", "parts"), [("T", 3), ("A", 3), ("D", 3), ("0", 1)])
def test_symbols_are_built_from_bars_and_squares(character, parts):
    _, count = ndimage.label(micr_cells(36).cell(character) > 0.5)
    assert count == parts


def test_random_lines_are_plausible_cheque_lines():
    for seed in range(300):
        fields = random_micr_text(np.random.default_rng(seed))
        text = fields["text"]
        assert text == fields["printed"].replace(" ", "")
        assert set(text) <= set(synthetic.MICR_ALPHABET)
        transit = re.findall(r"T([0-9D]+)T", text)
        assert transit == [fields["routing"]]
        if "D" in fields["routing"]:  # Canadian: 5-digit branch, dash, 3-digit institution
            assert re.fullmatch(r"\d{5}D\d{3}", fields["routing"])
        else:
            assert synthetic.aba_check_digit(fields["routing"][:8]) == int(fields["routing"][8])
        assert f"{fields['account']}U" in text and fields["cheque"] in text
        if fields["amount"]:
            assert text.endswith(f"A{fields['amount']}A") and len(fields["amount"]) == 10


def test_routing_numbers_use_federal_reserve_prefixes():
    prefixes = {int(random_routing_number(np.random.default_rng(s))[:2]) for s in range(400)}
    assert prefixes <= {*range(1, 13), *range(21, 33), *range(61, 73), 80}
    assert len(prefixes) > 20


def test_micr_lines_seeded_and_drawn(font_path):
    lines = synthetic.micr_lines(30, seed=4, height=32)
    again = synthetic.micr_lines(30, seed=4, height=32)
    for a, b in zip(lines, again, strict=True):
        assert a.text == b.text and np.array_equal(a.image, b.image)
        assert a.image.shape[0] == 32 and a.image.dtype == np.uint8
    assert len({line.text for line in lines}) == 30
    for line in lines:  # one pitch per character, plus margins and spaces
        pitch = micr_cells(round(line.image.shape[0] * 0.62)).pitch
        assert line.image.shape[1] >= len(line.text) * pitch


def test_plain_render_counts_the_characters():
    image = synthetic.render_micr_line("0 0 0", height=40)
    _, count = ndimage.label(image < 128)
    assert count == 3
    assert image.shape == (40, 20 + 5 * micr_cells(round(0.72 * 40)).pitch)


def test_render_errors():
    with pytest.raises(
        ValueError, match=r"MICR text may hold only '0123456789TAUD' and spaces; received 'B'"
    ):
        synthetic.render_micr_line("T1B")
