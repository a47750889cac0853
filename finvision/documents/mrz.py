"""Machine-readable zones of travel documents (ICAO Doc 9303): check digits, parsing, composing.

Three formats are covered:

- TD1 (ID cards): 3 lines of 30 characters;
- TD2 (older ID cards, visas): 2 lines of 36 characters;
- TD3 (passports): 2 lines of 44 characters.

A check digit is the sum of the character values weighted 7, 3, 1, 7, 3, 1, ...
modulo 10, where ``0``-``9`` count as themselves, ``A``-``Z`` as 10-35 and the
filler ``<`` as 0. Field values are returned with their trailing fillers removed
and names with ``<`` read as spaces. Pure Python: no Keras import.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Sequence

#: Every character an MRZ may hold: capital letters, digits and the filler ``<``.
__all__ = [
    "MRZ_ALPHABET",
    "MRZ_FORMATS",
    "ParsedMRZ",
    "compose_mrz",
    "mrz_check_digit",
    "parse_mrz",
]

MRZ_ALPHABET = string.ascii_uppercase + string.digits + "<"
#: Line count and line length of each format.
MRZ_FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}

_VALUES = {character: index for index, character in enumerate(string.digits)}
_VALUES.update({character: 10 + index for index, character in enumerate(string.ascii_uppercase)})
_VALUES["<"] = 0
_SEX_CODES = {"M": "M", "F": "F", "<": "X"}
_LETTERS = frozenset(string.ascii_uppercase)
_ALPHA_FILLER = _LETTERS | {"<"}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # any year: YY has no century


def _is_date(value: str, *, unknown_parts: bool) -> bool:
    """``YYMMDD`` with a real month and day; ``<<`` for an unknown part where allowed."""
    parts = [value[2:4], value[4:6]]  # any two-digit year is a year
    allowed = ("<<",) if unknown_parts else ()
    if not (value[0:2].isdigit() or value[0:2] in allowed):
        return False
    if not all(part.isdigit() or part in allowed for part in parts):
        return False
    month, day = (None if part == "<<" else int(part) for part in parts)
    if month is not None and not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= (_DAYS_IN_MONTH[month - 1] if month else 31)


#: The form ICAO 9303 (part 3) fixes for each field, besides its check digit.
_FIELD_RULES = {
    "document_type": lambda v: v[0] in _LETTERS and v[1] in _ALPHA_FILLER,
    "issuing_state": lambda v: v[0] in _LETTERS and set(v) <= _ALPHA_FILLER,
    "nationality": lambda v: v[0] in _LETTERS and set(v) <= _ALPHA_FILLER,
    "name": lambda v: v[0] in _LETTERS and set(v) <= _ALPHA_FILLER,
    "document_number": lambda v: v[0] != "<",
    "birth_date": lambda v: _is_date(v, unknown_parts=True),
    "sex": lambda v: v in _SEX_CODES,
    "expiry_date": lambda v: _is_date(v, unknown_parts=False),
}


@dataclasses.dataclass(frozen=True)
class _Field:
    """A field of a layout: ``length`` characters from ``start`` of line ``line``."""

    name: str
    line: int
    start: int
    length: int
    checked: bool = False  # a check digit follows the field

    @property
    def check_position(self) -> int:
        return self.start + self.length


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where each field, check digit and the composite check digit sit in a format."""

    fields: tuple[_Field, ...]
    composite: tuple[int, int]  # (line, position)
    composite_spans: tuple[tuple[int, int, int], ...]  # (line, start, stop)
    long_document_numbers: bool  # TD1 and TD2 continue long numbers in optional data

    def composite_text(self, rows: Sequence[Sequence[str]]) -> str:
        """The characters the composite check digit covers."""
        return "".join("".join(rows[row][start:stop]) for row, start, stop in self.composite_spans)

    def field(self, name: str) -> _Field:
        return next(field for field in self.fields if field.name == name)


_F = _Field
_LAYOUTS = {
    "TD1": _Layout(
        fields=(
            _F("document_type", 0, 0, 2),
            _F("issuing_state", 0, 2, 3),
            _F("document_number", 0, 5, 9, checked=True),
            _F("optional_data", 0, 15, 15),
            _F("birth_date", 1, 0, 6, checked=True),
            _F("sex", 1, 7, 1),
            _F("expiry_date", 1, 8, 6, checked=True),
            _F("nationality", 1, 15, 3),
            _F("optional_data_2", 1, 18, 11),
            _F("name", 2, 0, 30),
        ),
        composite=(1, 29),
        composite_spans=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        long_document_numbers=True,
    ),
    "TD2": _Layout(
        fields=(
            _F("document_type", 0, 0, 2),
            _F("issuing_state", 0, 2, 3),
            _F("name", 0, 5, 31),
            _F("document_number", 1, 0, 9, checked=True),
            _F("nationality", 1, 10, 3),
            _F("birth_date", 1, 13, 6, checked=True),
            _F("sex", 1, 20, 1),
            _F("expiry_date", 1, 21, 6, checked=True),
            _F("optional_data", 1, 28, 7),
        ),
        composite=(1, 35),
        composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 35)),
        long_document_numbers=True,
    ),
    "TD3": _Layout(
        fields=(
            _F("document_type", 0, 0, 2),
            _F("issuing_state", 0, 2, 3),
            _F("name", 0, 5, 39),
            _F("document_number", 1, 0, 9, checked=True),
            _F("nationality", 1, 10, 3),
            _F("birth_date", 1, 13, 6, checked=True),
            _F("sex", 1, 20, 1),
            _F("expiry_date", 1, 21, 6, checked=True),
            _F("optional_data", 1, 28, 14, checked=True),
        ),
        composite=(1, 43),
        composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 43)),
        long_document_numbers=False,
    ),
}


def mrz_check_digit(text: str) -> int:
    """Computes the ICAO 9303 check digit of a field.

    Args:
        text: characters from :data:`MRZ_ALPHABET`.

    Returns:
        The check digit, 0-9.

    Raises:
        ValueError: if ``text`` holds a character outside :data:`MRZ_ALPHABET`.

    Example:
    >>> mrz_check_digit("L898902C<")
    3
    >>> mrz_check_digit("740812")
    2
    """
    try:
        values = [_VALUES[c] for c in text]
    except KeyError as error:
        raise ValueError(
            f"`text` may hold only A-Z, 0-9 and '<'; received {text!r} (invalid {error.args[0]!r})."
        ) from None
    return (7 * sum(values[0::3]) + 3 * sum(values[1::3]) + sum(values[2::3])) % 10


@dataclasses.dataclass(frozen=True)
class ParsedMRZ:
    """The fields of a machine-readable zone and the check digits that failed.

    Attributes:
        format: ``"TD1"``, ``"TD2"`` or ``"TD3"``.
        document_type: e.g. ``"P"`` (passport), ``"ID"``, ``"I"``, ``"AC"``.
        issuing_state: ICAO code of the issuing state or organisation, e.g.
            ``"UTO"``, ``"D"`` (Germany).
        surname: the primary identifier, ``<`` read as spaces.
        given_names: the secondary identifier, ``<`` read as spaces; ``""`` if none.
        document_number: including the characters a long TD1/TD2 number
            continues in the optional data.
        nationality: ICAO code.
        birth_date: ``YYMMDD`` as printed (``<`` for unknown parts).
        sex: ``"M"``, ``"F"`` or ``"X"`` (unspecified, ``<`` in the MRZ).
        expiry_date: ``YYMMDD`` as printed.
        optional_data: TD1 line 1 and TD2 optional data, or the TD3 personal number.
        optional_data_2: TD1 line 2 optional data; ``""`` for TD2 and TD3.
        failed_checks: names of the check digits that do not match, among
            ``"document_number"``, ``"birth_date"``, ``"expiry_date"``,
            ``"optional_data"`` (TD3) and ``"composite"``; empty when all match.
        lines: the MRZ lines.
        failed_fields: names of the fields whose form breaks ICAO 9303, in
            layout order: a document type, state, nationality or name that does
            not start with a letter or holds a digit, an empty document number,
            a birth date that is no date (``<<`` may stand for an unknown part),
            an expiry date that is no date, a sex other than M, F or ``<``.

    Example:
    >>> mrz = parse_mrz(["I<UTOD231458907<<<<<<<<<<<<<<<",
    ...                  "7408122F1204159UTO<<<<<<<<<<<6",
    ...                  "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"])
    >>> mrz.given_names, mrz.valid
    ('ANNA MARIA', True)
    """

    format: str
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str
    sex: str
    expiry_date: str
    optional_data: str
    optional_data_2: str
    failed_checks: tuple[str, ...]
    lines: tuple[str, ...]
    failed_fields: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether every check digit matches and every field has its ICAO 9303 form."""
        return not self.failed_checks and not self.failed_fields


def _as_lines(lines: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(lines, str):
        lines = [line for line in lines.splitlines() if line.strip()]
    elif not isinstance(lines, Sequence) or not all(isinstance(line, str) for line in lines):
        raise TypeError(
            f"`lines` must be a sequence of strings or one string with line breaks; "
            f"received {lines!r}."
        )
    return tuple(line.strip() for line in lines)


def _format_of(lines: tuple[str, ...]) -> str:
    if len(lines) == 3:
        name = "TD1"
    elif len(lines) == 2:
        name = "TD3" if len(lines[0]) == MRZ_FORMATS["TD3"][1] else "TD2"
        if len(lines[0]) not in (MRZ_FORMATS["TD2"][1], MRZ_FORMATS["TD3"][1]):
            raise ValueError(
                "A 2-line MRZ has lines of 36 (TD2) or 44 (TD3) characters; "
                f"line 1 has {len(lines[0])}: {lines[0]!r}."
            )
    else:
        raise ValueError(
            f"`lines` must hold 3 lines (TD1) or 2 lines (TD2, TD3); received {len(lines)}."
        )
    width = MRZ_FORMATS[name][1]
    for number, line in enumerate(lines, start=1):
        if len(line) != width:
            raise ValueError(
                f"{name} lines must be {width} characters long; line {number} has "
                f"{len(line)}: {line!r}."
            )
        if not _VALUES.keys() >= set(line):
            position, character = next((i, c) for i, c in enumerate(line) if c not in _VALUES)
            raise ValueError(
                f"MRZ line {number} holds {character!r} at index {position}; "
                f"allowed are A-Z, 0-9 and '<': {line!r}."
            )
    return name


def _check_matches(value: str, check: str) -> bool:
    """A digit must equal the computed one; a filler only stands for an empty field."""
    if check == "<":
        return value.strip("<") == ""
    return check == str(mrz_check_digit(value))


def _name_parts(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.strip("<").replace("<", " ")


def parse_mrz(lines: str | Sequence[str]) -> ParsedMRZ:
    """Reads the fields of a TD1, TD2 or TD3 machine-readable zone and checks it.

    The format follows from the number and length of the lines. Leading and
    trailing whitespace of each line is ignored. Wrong check digits do not
    raise: they are listed in ``failed_checks``, and fields whose form breaks
    ICAO 9303 (a date that is no date, a sex ``Q``, digits in a name) in
    ``failed_fields``; ``valid`` needs both empty. A TD1 or TD2 document number
    longer than 9 characters (check digit position ``<``, the rest and its check
    digit at the start of the optional data) is read whole.

    Args:
        lines: the MRZ lines, as a sequence of strings or one string with line breaks.

    Returns:
        A :class:`ParsedMRZ`.

    Raises:
        TypeError: if ``lines`` is neither a string nor a sequence of strings.
        ValueError: if the number of lines, their lengths or their characters
            do not form an MRZ.

    Example:
    >>> mrz = parse_mrz(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    ...                  "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    >>> mrz.surname, mrz.document_number, mrz.birth_date, mrz.failed_checks
    ('ERIKSSON', 'L898902C3', '740812', ())
    >>> parse_mrz(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    ...            "L898902C46UTO7408122F1204159ZE184226B<<<<<10"]).failed_checks
    ('document_number', 'composite')
    """
    lines = _as_lines(lines)
    name = _format_of(lines)
    layout = _LAYOUTS[name]
    raw = {
        field.name: lines[field.line][field.start : field.start + field.length]
        for field in layout.fields
    }
    checks = {
        field.name: (raw[field.name], lines[field.line][field.check_position])
        for field in layout.fields
        if field.checked
    }
    number, number_check = checks["document_number"]
    optional_data = raw["optional_data"]
    if layout.long_document_numbers and number_check == "<" and optional_data[0] != "<":
        continuation, _, rest = optional_data.partition("<")
        number += continuation[:-1]
        checks["document_number"] = (number, continuation[-1])
        optional_data = rest
    failed = [field for field, (value, check) in checks.items() if not _check_matches(value, check)]
    line, position = layout.composite
    if not _check_matches(layout.composite_text(lines), lines[line][position]):
        failed.append("composite")
    surname, given_names = _name_parts(raw["name"])
    return ParsedMRZ(
        format=name,
        document_type=raw["document_type"].rstrip("<"),
        issuing_state=raw["issuing_state"].rstrip("<"),
        surname=surname,
        given_names=given_names,
        document_number=number.rstrip("<"),
        nationality=raw["nationality"].rstrip("<"),
        birth_date=raw["birth_date"],
        sex=_SEX_CODES.get(raw["sex"], raw["sex"]),
        expiry_date=raw["expiry_date"],
        optional_data=optional_data.rstrip("<"),
        optional_data_2=raw.get("optional_data_2", "").rstrip("<"),
        failed_checks=tuple(failed),
        lines=lines,
        failed_fields=tuple(
            field.name
            for field in layout.fields
            if field.name in _FIELD_RULES and not _FIELD_RULES[field.name](raw[field.name])
        ),
    )


def _field_text(argument: str, value: str, length: int, *, spaces: bool = False) -> str:
    """Checks a field value and pads it with fillers to ``length``."""
    if not isinstance(value, str):
        raise TypeError(f"`{argument}` must be a string; received {value!r}.")
    text = value.replace(" ", "<") if spaces else value
    if not _VALUES.keys() >= set(text):
        index, character = next((i, c) for i, c in enumerate(text) if c not in _VALUES)
        allowed = "A-Z, 0-9, '<' and spaces" if spaces else "A-Z, 0-9 and '<'"
        raise ValueError(
            f"`{argument}` may hold only {allowed}; received {value!r} "
            f"(invalid {character!r} at index {index})."
        )
    if len(text) > length:
        raise ValueError(
            f"`{argument}` must fit in {length} characters; received {len(text)}: {value!r}."
        )
    return text.ljust(length, "<")


def compose_mrz(
    format: str,
    *,
    document_type: str,
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, ...]:
    """Writes the lines of a machine-readable zone with its check digits.

    The inverse of :func:`parse_mrz`: parsing the result gives back the same
    field values and no failed check. Names may hold spaces (written as ``<``);
    names and other fields that do not fit raise rather than being cut. A TD1 or
    TD2 document number longer than 9 characters continues in the optional data.

    Args:
        format: ``"TD1"``, ``"TD2"`` or ``"TD3"``.
        document_type: 1 or 2 characters, e.g. ``"P"``, ``"ID"``.
        issuing_state: ICAO code, up to 3 characters.
        surname: primary identifier.
        given_names: secondary identifier (may be ``""``).
        document_number: up to 9 characters (TD3), longer for TD1 and TD2.
        nationality: ICAO code, up to 3 characters.
        birth_date: ``YYMMDD``.
        sex: ``"M"``, ``"F"``, ``"X"`` or ``"<"``.
        expiry_date: ``YYMMDD``.
        optional_data: TD1 line 1 / TD2 optional data or the TD3 personal number.
        optional_data_2: TD1 line 2 optional data (TD1 only).

    Returns:
        The MRZ lines.

    Raises:
        ValueError: for an unknown format, a value with characters outside
            :data:`MRZ_ALPHABET` (spaces allowed in names) or too long for its
            field, or ``optional_data_2`` outside TD1.

    Example:
    >>> for line in compose_mrz("TD3", document_type="P", issuing_state="UTO",
    ...         surname="ERIKSSON", given_names="ANNA MARIA", document_number="L898902C3",
    ...         nationality="UTO", birth_date="740812", sex="F", expiry_date="120415",
    ...         optional_data="ZE184226B"):
    ...     print(line)
    P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
    L898902C36UTO7408122F1204159ZE184226B<<<<<10
    """
    if format not in _LAYOUTS:
        raise ValueError(f"`format` must be one of {sorted(_LAYOUTS)}; received {format!r}.")
    if sex not in ("M", "F", "X", "<"):
        raise ValueError(f"`sex` must be 'M', 'F', 'X' or '<'; received {sex!r}.")
    if optional_data_2 and format != "TD1":
        raise ValueError(f"`optional_data_2` exists in TD1 only; received it for {format}.")
    layout = _LAYOUTS[format]
    count, width = MRZ_FORMATS[format]
    name_length = layout.field("name").length
    name = _field_text("surname", surname, name_length, spaces=True).rstrip("<")
    if given_names:
        name += "<<" + _field_text("given_names", given_names, name_length, spaces=True)
    values = {
        "document_type": document_type,
        "issuing_state": issuing_state,
        "name": _field_text("surname and given_names", name.rstrip("<"), name_length),
        "document_number": document_number,
        "nationality": nationality,
        "birth_date": birth_date,
        "sex": "<" if sex == "X" else sex,
        "expiry_date": expiry_date,
        "optional_data": optional_data,
        "optional_data_2": optional_data_2,
    }
    number_field = layout.field("document_number")
    number_check = None
    if layout.long_document_numbers and len(document_number) > number_field.length:
        _field_text("document_number", document_number, len(document_number))
        extra = document_number[number_field.length :]
        values["optional_data"] = f"{extra}{mrz_check_digit(document_number)}<{optional_data}"
        values["document_number"] = document_number[: number_field.length]
        number_check = "<"
    rows = [["<"] * width for _ in range(count)]
    for field in layout.fields:
        text = _field_text(field.name, values[field.name], field.length)
        rows[field.line][field.start : field.start + field.length] = text
        if field.checked:
            check = str(mrz_check_digit(text))
            if field.name == "document_number" and number_check is not None:
                check = number_check
            rows[field.line][field.check_position] = check
    line, position = layout.composite
    rows[line][position] = str(mrz_check_digit(layout.composite_text(rows)))
    return tuple("".join(row) for row in rows)
