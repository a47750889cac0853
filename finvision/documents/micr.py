"""Cheque MICR lines: the routing check digit and the fields of a transcript.

Transcripts write the E-13B symbols as letters (see
:data:`~finvision.documents.alphabets.MICR_ALPHABET`): ``T`` transit, ``A``
amount, ``U`` on-us, ``D`` dash. A line holds a transit field between two
``T`` (a US routing number of 9 digits, or a Canadian ``branch D
institution``), an on-us field ending in ``U`` (the account, followed by the
cheque number on personal cheques), on business cheques an auxiliary on-us
field ``U cheque U`` before the transit field, and after printing, an amount
``A 10 digits A``.
"""

from __future__ import annotations

import dataclasses
import re

_TRANSIT = re.compile(r"T([0-9D]+)T")
_AMOUNT = re.compile(r"A(\d+)A")
_AUXILIARY = re.compile(r"U(\d+)U")
_AMOUNT_FIELD_AT_END = re.compile(r"A\d{10}A$")


def aba_check_digit(routing: str) -> int:
    """The check digit of a US routing (ABA transit) number.

    The nine digits weighted 3, 7, 1, 3, 7, 1, 3, 7, 1 sum to a multiple of 10.

    Args:
        routing: the first 8 digits.

    Returns:
        The ninth digit.

    Raises:
        ValueError: if ``routing`` is not 8 digits.

    Example:
    >>> aba_check_digit("02100002")  # 021000021
    1
    """
    if not (isinstance(routing, str) and len(routing) == 8 and routing.isdigit()):
        raise ValueError(f"`routing` must be a string of 8 digits; received {routing!r}.")
    digits = [int(d) for d in routing]
    total = 3 * sum(digits[0::3]) + 7 * sum(digits[1::3]) + sum(digits[2::3])
    return -total % 10


@dataclasses.dataclass(frozen=True)
class ParsedMICR:
    """The fields of a MICR line and what does not hold.

    Attributes:
        line: the transcript.
        routing_number: the transit field (9 digits, or ``branch D institution``).
        account_number: the on-us account (may hold ``D``).
        cheque_number: the serial number (auxiliary on-us, or after the account).
        amount: the encoded amount in cents, ``""`` when not encoded.
        failed_checks: ``("routing_number",)`` when a 9-digit routing number's
            check digit does not hold, else empty.
        failed_fields: the fields missing or malformed: ``"routing_number"``
            without a transit field, ``"account_number"`` without an on-us field.

    Example:
    >>> micr = parse_micr("T021000021T123456789U0042")
    >>> micr.routing_number, micr.account_number, micr.cheque_number, micr.valid
    ('021000021', '123456789', '0042', True)
    """

    line: str
    routing_number: str
    account_number: str
    cheque_number: str
    amount: str
    failed_checks: tuple[str, ...]
    failed_fields: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """Whether the routing check digit holds and the transit and on-us fields are there."""
        return not self.failed_checks and not self.failed_fields


def parse_micr(line: str) -> ParsedMICR:
    """Splits a MICR transcript into its fields and checks the routing number.

    Args:
        line: a transcript over ``0123456789TAUD`` (spaces are ignored).

    Returns:
        A :class:`ParsedMICR`; fields it cannot find are ``""`` and listed in
        ``failed_fields``.

    Raises:
        ValueError: if ``line`` is not a string or holds other characters.

    Example:
    >>> micr = parse_micr("U004512U T021000021T 123D456U A0000012550A")
    >>> micr.cheque_number, micr.account_number, micr.amount
    ('004512', '123D456', '0000012550')
    >>> parse_micr("T021000022T123U").failed_checks
    ('routing_number',)
    """
    _check_transcript(line)
    text = line.replace(" ", "")
    amount = _AMOUNT.search(text)
    if amount:
        text = text[: amount.start()] + text[amount.end() :]
    transit = _TRANSIT.search(text)
    before, after = (text[: transit.start()], text[transit.end() :]) if transit else ("", text)
    auxiliary = _AUXILIARY.fullmatch(before)
    on_us = after.split("U")
    account = on_us[0] if len(on_us) > 1 else ""
    cheque = auxiliary.group(1) if auxiliary else (on_us[1] if len(on_us) > 1 else "")
    routing = transit.group(1) if transit else ""
    failed_checks = ()
    if len(routing) == 9 and routing.isdigit() and aba_check_digit(routing[:8]) != int(routing[8]):
        failed_checks = ("routing_number",)
    failed_fields = tuple(
        name
        for name, value in (("routing_number", routing), ("account_number", account))
        if not value
    )
    return ParsedMICR(
        line=line.replace(" ", ""),
        routing_number=routing,
        account_number=account,
        cheque_number=cheque,
        amount=amount.group(1) if amount else "",
        failed_checks=failed_checks,
        failed_fields=failed_fields,
    )


def without_stray_amount_symbol(line: str) -> str:
    """A MICR transcript without a last amount symbol ``A`` that closes no amount field.

    The amount field of a cheque's MICR line is ten digits between two amount
    symbols, at the right end of the line (ANSI X9.13), or nothing when the
    amount is not encoded. A line that ends in ``A`` without those ten digits
    before it was not printed so: the reader saw a symbol past the end of the
    line. Other lines are returned as they are.

    Args:
        line: a transcript over ``0123456789TAUD``.

    Returns:
        ``line``, less a stray final ``A``.

    Raises:
        ValueError: if ``line`` is not a string or holds other characters.

    Example:
    >>> without_stray_amount_symbol("T021000021T123456U0123A")
    'T021000021T123456U0123'
    >>> without_stray_amount_symbol("T021000021T123456U0123A0000012550A")
    'T021000021T123456U0123A0000012550A'
    """
    _check_transcript(line)
    return line[:-1] if line.endswith("A") and not _AMOUNT_FIELD_AT_END.search(line) else line


def _check_transcript(line: object) -> None:
    if not isinstance(line, str) or not set(line) <= set("0123456789TAUD "):
        raise ValueError(
            f"`line` must be a MICR transcript over '0123456789TAUD'; received {line!r}."
        )
