"""MICR transcripts: fields by hand-worked example, against the generator's own fields."""

import numpy as np
import pytest

from finvision import documents
from finvision.data.synthetic.micr import random_micr_text


@pytest.mark.parametrize(
    ("line", "routing", "account", "cheque", "amount"),
    [
        ("T021000021T 123456789U 0042", "021000021", "123456789", "0042", ""),  # personal
        ("U004512U T021000021T 123D456U", "021000021", "123D456", "004512", ""),  # business
        ("U04655U T01504D928T 8431054U", "01504D928", "8431054", "04655", ""),  # Canadian
        ("T021000021T1234U77 A0000012550A", "021000021", "1234", "77", "0000012550"),
    ],
)
def test_fields_of_each_layout(line, routing, account, cheque, amount):
    micr = documents.parse_micr(line)
    assert (micr.routing_number, micr.account_number, micr.cheque_number, micr.amount) == (
        routing,
        account,
        cheque,
        amount,
    )
    assert micr.valid and micr.line == line.replace(" ", "")


def test_a_wrong_routing_digit_fails_its_check():
    assert documents.parse_micr("T021000022T123U").failed_checks == ("routing_number",)
    assert not documents.parse_micr("T021000022T123U").valid


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("T021000021T123456789U0042A", "T021000021T123456789U0042"),  # no amount field
        ("T021000021T1234U77A0000012550A", "T021000021T1234U77A0000012550A"),  # the field
        ("T021000021T1234U77A000001255A", "T021000021T1234U77A000001255"),  # 9 digits
        ("T021000021T123456789U0042", "T021000021T123456789U0042"),  # no final A
        ("A", ""),
    ],
)
def test_a_final_amount_symbol_without_its_field_is_dropped(read, kept):
    assert documents.without_stray_amount_symbol(read) == kept


@pytest.mark.parametrize("line", [None, "T0210X"])
def test_stray_symbol_check_refuses_what_is_not_a_transcript(line):
    with pytest.raises(ValueError, match=r"`line` must be a MICR transcript over '0123456789TAUD'"):
        documents.without_stray_amount_symbol(line)


def test_no_generated_line_loses_its_amount_symbol():
    lines = [random_micr_text(np.random.default_rng([5, i]))["text"] for i in range(2000)]
    assert sum(line.endswith("A") for line in lines) > 200  # business cheques, encoded
    assert [documents.without_stray_amount_symbol(line) for line in lines] == lines


def test_missing_fields_are_named():
    micr = documents.parse_micr("1234567")
    assert micr.failed_fields == ("routing_number", "account_number")
    assert (micr.routing_number, micr.account_number) == ("", "")


@pytest.mark.parametrize("line", ["T02X000021T", 42, "t021t"])
def test_bad_lines_are_refused(line):
    with pytest.raises(ValueError, match="`line` must be a MICR transcript"):
        documents.parse_micr(line)


def test_generated_lines_parse_to_their_fields():
    for seed in range(200):
        fields = random_micr_text(np.random.default_rng(seed))
        micr = documents.parse_micr(fields["printed"])
        assert micr.valid, fields
        assert micr.account_number == fields["account"]
        assert micr.cheque_number == fields["cheque"]
        assert micr.amount == fields["amount"]
        assert micr.routing_number == fields["routing"]
