"""ICAO 9303 check digits, parsing and composing against the specimens of Doc 9303."""

import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finvision.documents.mrz import MRZ_ALPHABET, compose_mrz, mrz_check_digit, parse_mrz

# Specimens printed in ICAO Doc 9303 (parts 4, 5 and 6).
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
TD1_LONG_NUMBER = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)


def oracle_check_digit(text):
    """The rule written out: values 0-9, A=10 .. Z=35, '<'=0; weights 7, 3, 1 repeating."""
    total = 0
    for index, character in enumerate(text):
        if character.isdigit():
            value = int(character)
        elif character == "<":
            value = 0
        else:
            value = ord(character) - ord("A") + 10
        total += value * (7, 3, 1)[index % 3]
    return total % 10


@pytest.mark.parametrize(
    ("text", "digit"),
    [("L898902C<", 3), ("L898902C3", 6), ("740812", 2), ("120415", 9), ("ZE184226B<<<<<", 1)],
)
def test_check_digits_of_the_specimens(text, digit):
    assert mrz_check_digit(text) == digit


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=MRZ_ALPHABET, max_size=50))
def test_check_digit_equals_the_rule_written_out(text):
    assert mrz_check_digit(text) == oracle_check_digit(text)


def test_check_digit_rejects_other_characters():
    with pytest.raises(ValueError, match=r"only A-Z, 0-9 and '<'; received 'ab1' \(invalid 'a'\)"):
        mrz_check_digit("ab1")


def test_td3_specimen():
    mrz = parse_mrz(TD3)
    assert (mrz.format, mrz.document_type, mrz.issuing_state) == ("TD3", "P", "UTO")
    assert (mrz.surname, mrz.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert (mrz.document_number, mrz.nationality, mrz.sex) == ("L898902C3", "UTO", "F")
    assert (mrz.birth_date, mrz.expiry_date, mrz.optional_data) == ("740812", "120415", "ZE184226B")
    assert mrz.optional_data_2 == ""
    assert mrz.failed_checks == () and mrz.valid
    assert mrz.lines == TD3


def test_td2_specimen():
    mrz = parse_mrz(TD2)
    assert (mrz.format, mrz.document_type, mrz.document_number) == ("TD2", "I", "D23145890")
    assert (mrz.surname, mrz.given_names, mrz.optional_data) == ("ERIKSSON", "ANNA MARIA", "")
    assert mrz.valid


def test_td1_specimen():
    mrz = parse_mrz(TD1)
    assert (mrz.format, mrz.document_type, mrz.document_number) == ("TD1", "I", "D23145890")
    assert (mrz.birth_date, mrz.sex, mrz.expiry_date, mrz.nationality) == (
        "740812",
        "F",
        "120415",
        "UTO",
    )
    assert (mrz.surname, mrz.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert mrz.valid


def test_long_td1_document_number_continues_in_the_optional_data():
    mrz = parse_mrz(TD1_LONG_NUMBER)
    assert mrz.document_number == "D23145890734"
    assert mrz.optional_data == ""
    assert mrz.valid
    assert mrz_check_digit("D23145890734") == 9  # the digit after the continuation


def test_string_with_line_breaks_and_surrounding_whitespace():
    assert parse_mrz("  " + TD3[0] + "\r\n" + TD3[1] + "  \n") == parse_mrz(TD3)


@pytest.mark.parametrize(
    ("line", "position", "failed"),
    [
        (1, 9, ("document_number", "composite")),
        (1, 19, ("birth_date", "composite")),
        (1, 27, ("expiry_date", "composite")),
        (1, 42, ("optional_data", "composite")),
        (1, 43, ("composite",)),
    ],
)
def test_each_wrong_check_digit_is_named(line, position, failed):
    lines = list(TD3)
    wrong = str((int(lines[line][position]) + 1) % 10)
    lines[line] = lines[line][:position] + wrong + lines[line][position + 1 :]
    assert parse_mrz(lines).failed_checks == failed


def test_td1_wrong_digits_are_named():
    lines = list(TD1)
    lines[0] = lines[0][:14] + "8" + lines[0][15:]
    lines[1] = lines[1][:14] + "0" + lines[1][15:]
    assert parse_mrz(lines).failed_checks == ("document_number", "expiry_date", "composite")


@pytest.mark.parametrize("seed", range(3))
def test_any_single_digit_substitution_in_a_checked_field_is_caught(seed):
    # Weights 7, 3 and 1 are prime to 10, so changing one digit changes the sum mod 10.
    rng = np.random.default_rng(seed)
    for position in [*range(13, 19), *range(21, 27)]:
        lines = list(TD3)
        old = int(lines[1][position])
        new = (old + int(rng.integers(1, 10))) % 10
        lines[1] = lines[1][:position] + str(new) + lines[1][position + 1 :]
        failed = parse_mrz(lines).failed_checks
        assert failed[0] == ("birth_date" if position < 19 else "expiry_date")
        assert "composite" in failed


def test_filler_check_digit_is_valid_only_for_an_empty_field():
    empty = compose_mrz(
        "TD3",
        document_type="P",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA",
        document_number="L898902C3",
        nationality="UTO",
        birth_date="740812",
        sex="F",
        expiry_date="120415",
    )
    assert empty[1][28:43] == "<" * 14 + "0"
    with_filler = [empty[0], empty[1][:42] + "<" + empty[1][43:]]
    assert parse_mrz(with_filler).failed_checks == ()
    filler_digit = [TD3[0], TD3[1][:42] + "<" + TD3[1][43:]]
    assert "optional_data" in parse_mrz(filler_digit).failed_checks


def test_unspecified_sex_reads_x():
    lines = compose_mrz(
        "TD2",
        document_type="ID",
        issuing_state="D",
        surname="MUSTERMANN",
        given_names="",
        document_number="T22000129",
        nationality="D",
        birth_date="640812",
        sex="X",
        expiry_date="231031",
    )
    assert lines[1][20] == "<"
    mrz = parse_mrz(lines)
    assert (mrz.sex, mrz.issuing_state, mrz.given_names) == ("X", "D", "")
    assert lines[0].startswith("IDD<<MUSTERMANN<<<")


def test_compose_writes_the_specimens():
    common = {
        "issuing_state": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "nationality": "UTO",
        "birth_date": "740812",
        "sex": "F",
        "expiry_date": "120415",
    }
    assert (
        compose_mrz(
            "TD3",
            document_type="P",
            document_number="L898902C3",
            optional_data="ZE184226B",
            **common,
        )
        == TD3
    )
    assert compose_mrz("TD2", document_type="I", document_number="D23145890", **common) == TD2
    assert compose_mrz("TD1", document_type="I", document_number="D23145890", **common) == TD1
    assert (
        compose_mrz("TD1", document_type="I", document_number="D23145890734", **common)
        == TD1_LONG_NUMBER
    )


words = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=6)  # names fit TD1
codes = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=3)
dates = st.dates().map(lambda day: day.strftime("%y%m%d"))  # ICAO 9303 YYMMDD
alnum = st.text(alphabet=string.ascii_uppercase + string.digits, max_size=7)


@settings(max_examples=150, deadline=None)
@given(
    format=st.sampled_from(["TD1", "TD2", "TD3"]),
    document_type=st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=2),
    state=codes,
    nationality=codes,
    surname=st.lists(words, min_size=1, max_size=2).map(" ".join),
    given=st.lists(words, max_size=2).map(" ".join),
    number=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=9),
    birth=dates,
    expiry=dates,
    sex=st.sampled_from("MFX"),
    optional=alnum,
)
def test_compose_then_parse_round_trips(
    format, document_type, state, nationality, surname, given, number, birth, expiry, sex, optional
):
    lines = compose_mrz(
        format,
        document_type=document_type,
        issuing_state=state,
        surname=surname,
        given_names=given,
        document_number=number,
        nationality=nationality,
        birth_date=birth,
        sex=sex,
        expiry_date=expiry,
        optional_data=optional,
    )
    mrz = parse_mrz(lines)
    assert mrz.valid
    assert (mrz.format, mrz.document_type, mrz.issuing_state) == (format, document_type, state)
    assert (mrz.surname, mrz.given_names, mrz.document_number) == (surname, given, number)
    assert (mrz.nationality, mrz.birth_date, mrz.sex) == (nationality, birth, sex)
    assert (mrz.expiry_date, mrz.optional_data) == (expiry, optional)


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        ([TD3[0]], ValueError, r"must hold 3 lines \(TD1\) or 2 lines \(TD2, TD3\); received 1"),
        ([*TD1, TD1[0]], ValueError, r"received 4"),
        ([TD3[0][:40], TD3[1][:40]], ValueError, r"or 44 \(TD3\) characters; line 1 has 40"),
        ([TD3[0], TD3[1][:43]], ValueError, r"TD3 lines must be 44 characters long; line 2 has 43"),
        ([TD1[0], TD1[1], TD1[2][:29]], ValueError, r"TD1 lines must be 30 .* line 3 has 29"),
        ([TD3[0].lower(), TD3[1]], ValueError, r"MRZ line 1 holds 'p' at index 0"),
        ([TD3[0], TD3[1][:5] + " " + TD3[1][6:]], ValueError, r"line 2 holds ' ' at index 5"),
        ([1, 2], TypeError, r"`lines` must be a sequence of strings"),
        (None, TypeError, r"`lines` must be a sequence of strings"),
    ],
)
def test_parse_errors(lines, error, message):
    with pytest.raises(error, match=message):
        parse_mrz(lines)


BASE = {
    "document_type": "P",
    "issuing_state": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA",
    "document_number": "L898902C3",
    "nationality": "UTO",
    "birth_date": "740812",
    "sex": "F",
    "expiry_date": "120415",
}


@pytest.mark.parametrize(
    ("format", "changes", "message"),
    [
        ("TD4", {}, r"`format` must be one of \['TD1', 'TD2', 'TD3'\]; received 'TD4'"),
        ("TD3", {"sex": "Q"}, r"`sex` must be 'M', 'F', 'X' or '<'; received 'Q'"),
        ("TD3", {"surname": "MÜLLER"}, r"`surname` may hold only .*invalid 'Ü' at index 1"),
        ("TD3", {"surname": "A" * 40}, r"`surname` must fit in 39 characters; received 40"),
        ("TD3", {"given_names": "B" * 35}, r"`surname and given_names` must fit in 39"),
        ("TD3", {"document_number": "1234567890"}, r"`document_number` must fit in 9"),
        ("TD3", {"birth_date": "7408"}, None),
        ("TD3", {"birth_date": "1974-08-12"}, r"`birth_date` may hold only A-Z, 0-9 and '<'"),
        ("TD2", {"optional_data_2": "X"}, r"`optional_data_2` exists in TD1 only"),
        ("TD1", {"optional_data": "A" * 16}, r"`optional_data` must fit in 15"),
    ],
)
def test_compose_errors(format, changes, message):
    arguments = {**BASE, **changes}
    if message is None:  # a short date is padded with fillers, as ICAO allows for unknown parts
        assert compose_mrz(format, **arguments)[1][13:19] == "7408<<"
        return
    with pytest.raises(ValueError, match=message):
        compose_mrz(format, **arguments)


SPECIMEN_TD3 = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


def _with(line, position, text):
    return line[:position] + text + line[position + len(text) :]


@pytest.mark.parametrize(
    ("lines", "failed_fields"),
    [
        (
            ["<" * 44, "<" * 44],
            (
                "document_type",
                "issuing_state",
                "name",
                "document_number",
                "nationality",
                "expiry_date",
            ),
        ),
        ([SPECIMEN_TD3[0], _with(SPECIMEN_TD3[1], 13, "991399")], ("birth_date",)),
        ([SPECIMEN_TD3[0], _with(SPECIMEN_TD3[1], 13, "740230")], ("birth_date",)),
        ([SPECIMEN_TD3[0], _with(SPECIMEN_TD3[1], 20, "Q")], ("sex",)),
        ([SPECIMEN_TD3[0], _with(SPECIMEN_TD3[1], 21, "12<415")], ("expiry_date",)),
        ([_with(SPECIMEN_TD3[0], 5, "3RIKSSON"), SPECIMEN_TD3[1]], ("name",)),
        (
            [_with(SPECIMEN_TD3[0], 2, "U1O"), _with(SPECIMEN_TD3[1], 10, "1TO")],
            ("issuing_state", "nationality"),
        ),
    ],
    ids=[
        "all-filler",
        "month-13",
        "february-30",
        "sex-Q",
        "expiry-unknown",
        "digit-name",
        "digit-state",
    ],
)
def test_fields_that_break_icao_9303_are_reported_and_make_the_mrz_invalid(lines, failed_fields):
    mrz = parse_mrz(lines)
    assert mrz.failed_fields == failed_fields
    assert not mrz.valid


def test_unknown_birth_date_parts_and_a_leap_day_are_valid_forms():
    for birth in ("74<<<<", "7408<<", "000229"):
        mrz = parse_mrz([SPECIMEN_TD3[0], _with(SPECIMEN_TD3[1], 13, birth)])
        assert mrz.failed_fields == (), birth
