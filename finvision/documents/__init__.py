"""What bank documents are made of, without Keras: ICAO 9303 MRZs and the text lines' alphabets.

- :mod:`finvision.documents.mrz`: check digits, parsing and composing the
  machine-readable zones of passports, ID cards and visas (TD1, TD2, TD3);
- :mod:`finvision.documents.micr`: the fields of cheque MICR lines and the
  routing number's check digit;
- :mod:`finvision.documents.alphabets`: the character sets of MRZ, MICR and
  courtesy-amount lines, and their CTC label encoding;
- :mod:`finvision.documents.mrz_decoding`: CTC decoding of MRZ lines under the
  layout's character classes and check digits (NumPy only).

The synthetic generators (:mod:`finvision.data.synthetic`) and the models
(:mod:`finvision.models`) both build on this package; it imports neither. The
same names are exported by :mod:`finvision.models`.

Example:
>>> from finvision import documents
>>> documents.mrz_check_digit("L898902C3")
6
>>> documents.ALPHABETS["micr"]
'0123456789TAUD'
"""

from finvision.documents.alphabets import (
    ALPHABETS,
    AMOUNT_ALPHABET,
    MICR_ALPHABET,
    decode_labels,
    encode_texts,
    resolve_alphabet,
)
from finvision.documents.micr import (
    ParsedMICR,
    aba_check_digit,
    parse_micr,
    without_stray_amount_symbol,
)
from finvision.documents.mrz import (
    MRZ_ALPHABET,
    MRZ_FORMATS,
    ParsedMRZ,
    compose_mrz,
    mrz_check_digit,
    parse_mrz,
)
from finvision.documents.mrz_decoding import (
    LineReading,
    MRZReading,
    decode_constrained,
    decode_mrz,
    mrz_character_classes,
)

__all__ = [
    "ALPHABETS",
    "AMOUNT_ALPHABET",
    "LineReading",
    "MICR_ALPHABET",
    "MRZ_ALPHABET",
    "MRZ_FORMATS",
    "MRZReading",
    "ParsedMICR",
    "ParsedMRZ",
    "aba_check_digit",
    "compose_mrz",
    "decode_constrained",
    "decode_labels",
    "decode_mrz",
    "encode_texts",
    "mrz_character_classes",
    "mrz_check_digit",
    "parse_micr",
    "parse_mrz",
    "resolve_alphabet",
    "without_stray_amount_symbol",
]
