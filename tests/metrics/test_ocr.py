"""CER, WER and exact match against a plain dynamic-programming edit distance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finvision.metrics import functional as exact
from tests.metrics import oracles

MRZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def _random_lines(rng, count, alphabet=MRZ, max_length=44):
    lines = []
    for _ in range(count):
        length = int(rng.integers(0, max_length + 1))
        lines.append("".join(rng.choice(list(alphabet), length)))
    return lines


def _corrupt(rng, line, alphabet=MRZ):
    characters = list(line)
    for _ in range(int(rng.integers(0, 4))):
        kind = rng.integers(0, 3)
        position = int(rng.integers(0, len(characters) + 1))
        if kind == 0 and characters and position < len(characters):
            characters[position] = rng.choice(list(alphabet))
        elif kind == 1 and characters and position < len(characters):
            del characters[position]
        else:
            characters.insert(position, rng.choice(list(alphabet)))
    return "".join(characters)


@pytest.mark.parametrize("seed", range(3))
def test_cer_and_wer_equal_dynamic_programming(seed):
    rng = np.random.default_rng(seed)
    references = _random_lines(rng, 40, alphabet="AB <", max_length=30)
    references[0] = "PAY ONE HUNDRED EUROS"
    hypotheses = [_corrupt(rng, line, alphabet="AB <") for line in references]
    edits = sum(oracles.levenshtein(r, h) for r, h in zip(references, hypotheses, strict=True))
    total = sum(len(r) for r in references)
    assert exact.character_error_rate(references, hypotheses) == pytest.approx(
        edits / total, abs=1e-12
    )
    word_edits = sum(
        oracles.levenshtein(r.split(), h.split())
        for r, h in zip(references, hypotheses, strict=True)
    )
    words = sum(len(r.split()) for r in references)
    assert exact.word_error_rate(references, hypotheses) == pytest.approx(
        word_edits / words, abs=1e-12
    )
    matches = np.mean([r == h for r, h in zip(references, hypotheses, strict=True)])
    assert exact.exact_match_rate(references, hypotheses) == matches


def test_long_lines_use_several_machine_words():
    rng = np.random.default_rng(9)
    for reference in _random_lines(rng, 10, max_length=300):
        hypothesis = _corrupt(rng, reference) + _corrupt(rng, reference[::-1])
        assert exact.edit_distance(reference, hypothesis) == oracles.levenshtein(
            reference, hypothesis
        )


def test_definitions_on_hand_worked_lines():
    # MRZ: one substitution (O -> 0) and one deletion (S) over 13 + 3 characters.
    references = ["P<UTOERIKSSON", "EUR"]
    hypotheses = ["P<UT0ERIKSON", "EUR"]
    assert exact.character_error_rate(references, hypotheses) == 2 / 16
    # Corpus level, not the mean of per-line rates (which would be (2/13 + 0) / 2).
    assert exact.character_error_rate(references, hypotheses) != (2 / 13) / 2
    # Insertions can push CER above 1.
    assert exact.character_error_rate(["A"], ["XYZ"]) == 3.0
    # Whitespace runs separate words; case and Unicode are compared as given.
    assert exact.word_error_rate(["pay  one\thundred"], ["pay one Hundred"]) == 1 / 3
    assert exact.character_error_rate(["Zürich"], ["Zurich"]) == 1 / 6
    # An empty reference line is fine as long as some reference has characters.
    assert exact.character_error_rate(["", "AB"], ["X", "AB"]) == 0.5
    # Token sequences (label ids) work like strings.
    assert exact.character_error_rate([[1, 2, 3]], [[1, 3]]) == 1 / 3


@pytest.mark.parametrize(
    ("references", "hypotheses", "error", "message"),
    [
        ("ABC", ["ABC"], TypeError, r"not one str; wrap a single text in a list: \['ABC'\]"),
        (["ABC"], "ABC", TypeError, "`hypotheses` must be a sequence of texts"),
        ([], [], ValueError, "`references` is empty"),
        (["A", "B"], ["A"], ValueError, "`references` has 2, `hypotheses` has 1"),
        (["", ""], ["A", ""], ValueError, "Every reference is empty"),
    ],
)
def test_bad_input_raises(references, hypotheses, error, message):
    with pytest.raises(error, match=message):
        exact.character_error_rate(references, hypotheses)


def test_word_error_rate_needs_reference_words():
    with pytest.raises(ValueError, match="0 words"):
        exact.word_error_rate(["   "], ["A"])


texts = st.text(alphabet="ab <", max_size=25)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_property_edit_distance_equals_dynamic_programming(reference, hypothesis):
    distance = exact.edit_distance(reference, hypothesis)
    assert distance == oracles.levenshtein(reference, hypothesis)
    assert distance == exact.edit_distance(hypothesis, reference)  # symmetric
    assert abs(len(reference) - len(hypothesis)) <= distance <= max(len(reference), len(hypothesis))
    assert exact.edit_distance(reference.split(), hypothesis.split()) == oracles.levenshtein(
        reference.split(), hypothesis.split()
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(texts.filter(bool), texts), min_size=1, max_size=6))
def test_property_cer_is_total_edits_over_total_characters(pairs):
    references = [r for r, _ in pairs]
    hypotheses = [h for _, h in pairs]
    edits = sum(oracles.levenshtein(r, h) for r, h in pairs)
    assert exact.character_error_rate(references, hypotheses) == pytest.approx(
        edits / sum(map(len, references))
    )
