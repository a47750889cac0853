"""Text recognition error rates: character and word error rates, exact matches.

Both error rates are corpus-level: the total number of edits (substitutions S,
deletions D, insertions I of the cheapest Levenshtein alignment, each costing 1)
divided by the total length N of the references, ``(S + D + I) / N``. They are
not averages of per-line rates, and they can exceed 1 when hypotheses are longer
than references. Texts are compared exactly as given: no case folding, no
Unicode normalisation, no trimming (normalise before calling if you need to).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any


def edit_distance(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions.

    Works on any sequences of hashable items: strings (characters), lists of
    words, lists of label ids. Uses Myers' bit-parallel algorithm (in the form
    of Hyyrö, 2003), so a pair of lines costs one pass over the hypothesis.

    Args:
        reference: the ground truth.
        hypothesis: the recognised sequence.

    Returns:
        The distance, an int >= 0.

    Example:
    >>> edit_distance("P<UTOERIKSSON", "P<UT0ERIKSON")
    2
    >>> edit_distance(["pay", "ten", "euros"], ["pay", "euros"])
    1
    """
    if not reference:
        return len(hypothesis)
    if not hypothesis:
        return len(reference)
    masks: dict[Hashable, int] = {}
    for position, item in enumerate(reference):
        masks[item] = masks.get(item, 0) | (1 << position)
    all_ones = (1 << len(reference)) - 1
    last = 1 << (len(reference) - 1)
    plus, minus, distance = all_ones, 0, len(reference)
    for item in hypothesis:
        equal = masks.get(item, 0)
        vertical = equal | minus
        horizontal = (((equal & plus) + plus) ^ plus) | equal
        horizontal_plus = minus | (~(horizontal | plus) & all_ones)
        horizontal_minus = plus & horizontal
        if horizontal_plus & last:
            distance += 1
        elif horizontal_minus & last:
            distance -= 1
        horizontal_plus = ((horizontal_plus << 1) | 1) & all_ones
        horizontal_minus = (horizontal_minus << 1) & all_ones
        plus = horizontal_minus | (~(vertical | horizontal_plus) & all_ones)
        minus = horizontal_plus & vertical
    return distance


def _pairs(references: Any, hypotheses: Any) -> list[tuple[Any, Any]]:
    for value, name in ((references, "references"), (hypotheses, "hypotheses")):
        if isinstance(value, (str, bytes)):
            raise TypeError(
                f"`{name}` must be a sequence of texts (e.g. a list of str), not one "
                f"{type(value).__name__}; wrap a single text in a list: [{value!r}]."
            )
    references, hypotheses = list(references), list(hypotheses)
    if not references:
        raise ValueError("`references` is empty; expected at least one text.")
    if len(references) != len(hypotheses):
        raise ValueError(
            "Expected one hypothesis per reference; `references` has "
            f"{len(references)}, `hypotheses` has {len(hypotheses)}."
        )
    return list(zip(references, hypotheses, strict=True))


def _error_rate(pairs: list[tuple[Any, Any]], unit: str) -> float:
    edits = sum(edit_distance(reference, hypothesis) for reference, hypothesis in pairs)
    total = sum(len(reference) for reference, _ in pairs)
    if total == 0:
        raise ValueError(
            f"Every reference is empty (0 {unit}s): the {unit} error rate is undefined."
        )
    return edits / total


def character_error_rate(references: Sequence[Any], hypotheses: Sequence[Any]) -> float:
    """CER = (S + D + I) / N over all characters of all lines.

    Args:
        references: ground-truth texts (str, or sequences of label ids).
        hypotheses: recognised texts, one per reference.

    Returns:
        The CER, >= 0 (above 1 when the hypotheses insert more than N characters).

    Raises:
        TypeError: when a single str is passed instead of a list of texts.
        ValueError: for no references, mismatched lengths, or only empty references.

    Example:
    >>> character_error_rate(["1250.00", "EUR"], ["1258.00", "EU"])
    0.2
    """
    return _error_rate(_pairs(references, hypotheses), "character")


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """WER = (S + D + I) / N over all words; words are split on runs of whitespace.

    Args:
        references: ground-truth texts.
        hypotheses: recognised texts, one per reference.

    Returns:
        The WER, >= 0.

    Raises:
        TypeError: when a single str is passed instead of a list of texts.
        ValueError: for no references, mismatched lengths, or references
            without any word.

    Example:
    >>> word_error_rate(["pay one hundred euros"], ["pay one hundred euro"])
    0.25
    """
    pairs = _pairs(references, hypotheses)
    return _error_rate(
        [(str(reference).split(), str(hypothesis).split()) for reference, hypothesis in pairs],
        "word",
    )


def exact_match_rate(references: Sequence[Any], hypotheses: Sequence[Any]) -> float:
    """Share of hypotheses identical to their reference (whole-line accuracy).

    Args:
        references: ground-truth texts.
        hypotheses: recognised texts, one per reference.

    Returns:
        The rate in [0, 1].

    Raises:
        TypeError: when a single str is passed instead of a list of texts.
        ValueError: for no references or mismatched lengths.

    Example:
    >>> exact_match_rate(["A12", "B34"], ["A12", "B3"])
    0.5
    """
    pairs = _pairs(references, hypotheses)
    return sum(reference == hypothesis for reference, hypothesis in pairs) / len(pairs)
