"""Character sets of the text lines banks read, and their CTC label encoding."""

from __future__ import annotations

import string
from collections.abc import Sequence

import numpy as np

from finvision.documents.mrz import MRZ_ALPHABET

__all__ = [
    "ALPHABETS",
    "AMOUNT_ALPHABET",
    "MICR_ALPHABET",
    "decode_labels",
    "encode_texts",
    "resolve_alphabet",
]

#: MICR E-13B transcripts: digits, then the four symbols written as letters
#: (T transit, A amount, U on-us, D dash); the symbols delimit the fields.
MICR_ALPHABET = string.digits + "TAUD"
#: Courtesy amounts: digits, separators, minus and common currency signs.
AMOUNT_ALPHABET = string.digits + ",.- $€£¥₹"

ALPHABETS = {"mrz": MRZ_ALPHABET, "micr": MICR_ALPHABET, "amount": AMOUNT_ALPHABET}


def resolve_alphabet(alphabet: str) -> str:
    """Returns the characters of a built-in alphabet name, or checks a custom one.

    Args:
        alphabet: ``"mrz"``, ``"micr"``, ``"amount"``, or the characters themselves.

    Returns:
        The alphabet's characters, in label order.

    Raises:
        ValueError: if a custom alphabet is empty or repeats a character.

    Example:
    >>> resolve_alphabet("micr")
    '0123456789TAUD'
    >>> resolve_alphabet("01")
    '01'
    """
    if isinstance(alphabet, str) and alphabet in ALPHABETS:
        return ALPHABETS[alphabet]
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError(
            f"`alphabet` must be one of {sorted(ALPHABETS)} or a non-empty string of "
            f"characters; received {alphabet!r}."
        )
    repeated = sorted({c for c in alphabet if alphabet.count(c) > 1})
    if repeated:
        raise ValueError(f"`alphabet` repeats the characters {repeated}; received {alphabet!r}.")
    return alphabet


def encode_texts(texts: Sequence[str], alphabet: str, length: int | None = None) -> np.ndarray:
    """Encodes texts as CTC labels: character ``i`` of the alphabet is ``i + 1``.

    Label 0 is the CTC blank and pads every row to ``length`` (default: the
    longest text), which is the layout ``keras.losses.CTC`` expects.

    Args:
        texts: the transcripts.
        alphabet: the characters, in label order (see :func:`resolve_alphabet`).
        length: the padded length, at least the longest text.

    Returns:
        An int32 array ``(len(texts), length)``.

    Raises:
        TypeError: if ``texts`` is one string or holds something else than strings.
        ValueError: for a character outside the alphabet (named with its text),
            or a ``length`` shorter than a text.

    Example:
    >>> encode_texts(["10", "0"], "01").tolist()
    [[2, 1], [1, 0]]
    """
    if isinstance(texts, str) or not all(isinstance(text, str) for text in texts):
        raise TypeError(f"`texts` must be a sequence of strings; received {texts!r}.")
    index = {character: position + 1 for position, character in enumerate(alphabet)}
    longest = max((len(text) for text in texts), default=0)
    length = longest if length is None else length
    if length < longest:
        raise ValueError(f"`length` {length} is shorter than the longest text ({longest}).")
    labels = np.zeros((len(texts), length), dtype="int32")
    for row, text in enumerate(texts):
        unknown = sorted({c for c in text if c not in index})
        if unknown:
            raise ValueError(
                f"Text {text!r} holds characters outside the alphabet {alphabet!r}: {unknown}."
            )
        labels[row, : len(text)] = [index[c] for c in text]
    return labels


def decode_labels(labels: Sequence[int], alphabet: str) -> str:
    """Turns decoded label indices back into text, skipping blanks and padding.

    Example:
    >>> decode_labels([2, 1, 0, -1], "01")
    '10'
    """
    return "".join(alphabet[label - 1] for label in labels if 0 < label <= len(alphabet))
