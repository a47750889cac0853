"""APCER/BPCER (ISO/IEC 30107-3) against hand-worked examples and brute force."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finvision.metrics import functional as exact
from tests.metrics import oracles


def test_hand_worked_iso_example():
    # 5 bona fide: 0.95 0.90 0.80 0.55 0.30 -> at t = 0.6, 0.55 and 0.30 are rejected: BPCER 2/5.
    # print (4 attacks): 0.70 0.65 0.20 0.10 -> 2 accepted: APCER 1/2.
    # replay (2 attacks): 0.40 0.61 -> 0.61 >= 0.6 is accepted: APCER 1/2.
    # mask (3 attacks): 0.10 0.15 0.05 -> none accepted: APCER 0.
    # Reported APCER = max = 1/2 (the pooled share would be 3/9 = 1/3).
    scores = [0.95, 0.90, 0.80, 0.55, 0.30, 0.70, 0.65, 0.20, 0.10, 0.40, 0.61, 0.10, 0.15, 0.05]
    is_attack = [0] * 5 + [1] * 9
    species = [""] * 5 + ["print"] * 4 + ["replay"] * 2 + ["mask"] * 3
    per_species, apcer, bpcer = exact.apcer_bpcer(scores, is_attack, species, threshold=0.6)
    assert per_species == {"print": 0.5, "replay": 0.5, "mask": 0.0}
    assert (apcer, bpcer) == (0.5, 0.4)
    assert exact.average_classification_error_rate(scores, is_attack, species, 0.6) == 0.45
    # BPCER20 (APCER <= 5%): every species must have no accepted attack, so t = 0.71
    # is not a candidate; the smallest candidate with APCER 0 is 0.80 (above print's
    # 0.70): bona fide 0.55 and 0.30 are rejected -> BPCER 2/5.
    assert exact.threshold_at_apcer(scores, is_attack, species, apcer=0.05) == 0.8
    assert exact.bpcer_at_apcer(scores, is_attack, species, apcer=0.05) == 0.4
    # Allowing APCER 1/2: print needs t > 0.20 and replay t > 0.40; the smallest candidate
    # is the bona fide 0.55 (print 2/4, replay 1/2, mask 0); only 0.30 is rejected: 1/5.
    assert exact.threshold_at_apcer(scores, is_attack, species, apcer=0.5) == 0.55
    assert exact.bpcer_at_apcer(scores, is_attack, species, apcer=0.5) == 0.2


def test_score_equal_to_threshold_is_accepted_as_bona_fide():
    per_species, apcer, bpcer = exact.apcer_bpcer([0.5, 0.5], [0, 1], None, threshold=0.5)
    assert per_species == {"attack": 1.0}
    assert (apcer, bpcer) == (1.0, 0.0)


def _random_case(rng, n_species=3, ties=False):
    scores = rng.uniform(0, 1, 60)
    if ties:
        scores = np.round(scores, 1)
    is_attack = rng.integers(0, 2, 60)
    is_attack[:2] = [0, 1]
    species = rng.choice([f"s{i}" for i in range(n_species)], 60)
    return scores, is_attack, species


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
def test_against_brute_force(seed, ties):
    scores, is_attack, species = _random_case(np.random.default_rng(seed), ties=ties)
    attack_species = [sp if a else None for sp, a in zip(species, is_attack, strict=True)]
    for threshold in (0.0, 0.3, 0.5, 0.77, 1.0, math.inf):
        per_species, apcer, bpcer = exact.apcer_bpcer(scores, is_attack, attack_species, threshold)
        expected = oracles.apcer_bpcer(scores.tolist(), is_attack.tolist(), species, threshold)
        assert per_species == pytest.approx(expected[0], abs=1e-12)
        assert (apcer, bpcer) == pytest.approx(expected[1:], abs=1e-12)
    for target in (0.0, 0.05, 0.2, 1.0):
        assert exact.bpcer_at_apcer(scores, is_attack, species, apcer=target) == pytest.approx(
            oracles.bpcer_at_apcer(scores.tolist(), is_attack.tolist(), species, target), abs=1e-12
        )


def test_single_species_is_fnmr_at_fmr():
    rng = np.random.default_rng(5)
    scores, is_attack, _ = _random_case(rng, ties=True)
    attack = is_attack.astype(bool)
    for target in (0.0, 0.05, 0.3):
        assert exact.bpcer_at_apcer(scores, is_attack, None, target) == exact.fnmr_at_fmr(
            scores[~attack], scores[attack], target
        )


def test_all_species_reports_in_order_and_rejects_an_empty_species():
    scores, is_attack, species = [0.9, 0.2, 0.8], [0, 1, 1], ["", "print", "replay"]
    per_species, _, _ = exact.apcer_bpcer(
        scores, is_attack, species, all_species=["replay", "print"]
    )
    assert list(per_species) == ["replay", "print"]
    with pytest.raises(ValueError, match=r"species \['mask'\].*APCER is undefined"):
        exact.apcer_bpcer(scores, is_attack, species, all_species=["print", "mask"])


@pytest.mark.parametrize(
    ("scores", "is_attack", "species", "message"),
    [
        ([0.1, 0.2], [1, 1], None, "No bona fide presentations"),
        ([0.1, 0.2], [0, 0], None, "No attack presentations"),
        ([0.1, 0.2], [0, 2], None, r"only 0 and 1 .* \[2\]"),
        ([0.1, 0.2], [0, 1, 1], None, "`is_attack` has 3"),
        ([0.1, 0.2], [0, 1], ["a"], "`species` has 1"),
        ([0.1, float("nan")], [0, 1], None, "NaN"),
        ([], [], None, "`scores` is empty"),
        ([0.1, 0.2], [0, 1], [None, float("nan")], "cannot be compared"),
    ],
)
def test_bad_input_raises(scores, is_attack, species, message):
    with pytest.raises(ValueError, match=message):
        exact.apcer_bpcer(scores, is_attack, species)
    with pytest.raises(ValueError, match=message):
        exact.bpcer_at_apcer(scores, is_attack, species)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6).map(lambda i: i / 6), st.sampled_from(["bf", "a", "b"])),
        min_size=2,
        max_size=30,
    ).filter(lambda rows: {kind == "bf" for _, kind in rows} == {True, False}),
    st.sampled_from([0.0, 0.05, 0.25, 0.5, 1.0]),
)
def test_property_bpcer_at_apcer_matches_brute_force(rows, target):
    scores = [score for score, _ in rows]
    is_attack = [kind != "bf" for _, kind in rows]
    species = [kind for _, kind in rows]
    expected = oracles.bpcer_at_apcer(scores, is_attack, species, target)
    assert exact.bpcer_at_apcer(scores, is_attack, species, target) == pytest.approx(expected)
    threshold = exact.threshold_at_apcer(scores, is_attack, species, target)
    _, apcer, bpcer = exact.apcer_bpcer(scores, is_attack, species, threshold)
    assert apcer <= target
    assert bpcer == pytest.approx(expected)
