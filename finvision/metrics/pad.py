"""Presentation attack detection error rates (ISO/IEC 30107-3): APCER, BPCER.

Score convention: a higher score means "more likely bona fide" (a live person, a
genuine document). A presentation is *accepted as bona fide* when
``score >= threshold``:

- APCER of one attack species (presentation attack instrument species: printed
  photo, screen replay, 3-D mask, ...) is the share of its attack presentations
  accepted as bona fide.
- APCER, as ISO/IEC 30107-3 asks a system to report it, is the *maximum* over
  the species (the worst species), not the pooled share of all attacks.
- BPCER is the share of bona fide presentations rejected (``score < threshold``).

A score equal to the threshold is accepted. ACER, the mean of APCER and BPCER,
was used by earlier competitions and is not part of ISO/IEC 30107-3:2017; it is
provided by :func:`average_classification_error_rate` for comparisons only.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from finvision._validation import check_fraction
from finvision.metrics.inputs import as_binary_labels, as_scores, as_threshold, same_length

#: The species name given to every attack when ``species`` is None.
SINGLE_SPECIES = "attack"


def _split(
    scores: Any, is_attack: Any, species: Any, all_species: Sequence[Hashable] | None
) -> tuple[np.ndarray, dict[Hashable, np.ndarray]]:
    """Returns the bona fide scores and the attack scores of each species."""
    scores = as_scores(scores, "scores")
    attack = as_binary_labels(is_attack, "is_attack")
    if species is None:
        labels = np.full(scores.shape, SINGLE_SPECIES, dtype=object)
    else:
        labels = np.asarray(species, dtype=object)
        if labels.ndim != 1:
            raise ValueError(
                f"`species` must be 1-D (one label per sample); received {labels.shape}."
            )
    same_length(scores=scores, is_attack=attack, species=labels)
    bona_fide = scores[~attack]
    if bona_fide.size == 0:
        raise ValueError("No bona fide presentations (`is_attack` is all 1): BPCER is undefined.")
    if not attack.any():
        raise ValueError("No attack presentations (`is_attack` is all 0): APCER is undefined.")
    attack_labels = labels[attack]
    names = list(dict.fromkeys(attack_labels.tolist()))
    if all_species is not None:
        missing = [name for name in all_species if name not in set(names)]
        if missing:
            raise ValueError(
                f"No attack presentations of species {missing} listed in `all_species`: "
                "their APCER is undefined. Collect attacks of every species, or leave "
                "them out of `all_species`."
            )
        names = list(dict.fromkeys([*all_species, *names]))
    attack_scores = scores[attack]
    by_species = {name: attack_scores[attack_labels == name] for name in names}
    for name, values in by_species.items():
        if values.size == 0:  # only a label that differs from itself, such as NaN
            raise ValueError(f"`species` label {name!r} cannot be compared; use strings or ints.")
    return bona_fide, by_species


def apcer_bpcer(
    scores: Any,
    is_attack: Any,
    species: Any = None,
    threshold: float = 0.5,
    *,
    all_species: Sequence[Hashable] | None = None,
) -> tuple[dict[Hashable, float], float, float]:
    """APCER per attack species, the reported APCER (worst species) and BPCER.

    Args:
        scores: one score per presentation; higher = more likely bona fide.
        is_attack: 1 (or True) for an attack presentation, 0 for bona fide.
        species: the attack species of each presentation (any hashable labels,
            e.g. ``"print"``, ``"replay"``); entries of bona fide presentations
            are ignored. None treats all attacks as one species, ``"attack"``.
        threshold: presentations with ``score >= threshold`` are accepted as
            bona fide.
        all_species: species that must appear in the report, in this order
            (others follow in order of first appearance). A listed species with
            no attack presentations raises an error rather than being skipped.

    Returns:
        ``(apcer_per_species, apcer, bpcer)``: a dict species -> APCER, the
        maximum of its values, and BPCER.

    Raises:
        ValueError: for invalid scores or labels, mismatched lengths, no bona
            fide or no attack presentations, or a listed species without attacks.

    Example:
    >>> scores = [0.9, 0.8, 0.4, 0.6, 0.2, 0.7, 0.1, 0.3]
    >>> is_attack = [0, 0, 0, 1, 1, 1, 1, 1]
    >>> species = [None, None, None, "print", "print", "replay", "replay", "replay"]
    >>> apcer_bpcer(scores, is_attack, species, threshold=0.5)
    ({'print': 0.5, 'replay': 0.3333333333333333}, 0.5, 0.3333333333333333)
    """
    threshold = as_threshold(threshold)
    bona_fide, by_species = _split(scores, is_attack, species, all_species)
    per_species = {name: float(np.mean(values >= threshold)) for name, values in by_species.items()}
    return per_species, max(per_species.values()), float(np.mean(bona_fide < threshold))


def average_classification_error_rate(
    scores: Any, is_attack: Any, species: Any = None, threshold: float = 0.5
) -> float:
    """ACER = (APCER + BPCER) / 2, with APCER the worst species' (not an ISO metric).

    ISO/IEC 30107-3:2017 does not define ACER and advises against averaging
    APCER and BPCER; it is here to compare with older results (e.g. OULU-NPU).

    Args:
        scores: one score per presentation; higher = more likely bona fide.
        is_attack: 1 (or True) for an attack presentation, 0 for bona fide.
        species: attack species per presentation, or None for one species.
        threshold: presentations with ``score >= threshold`` are accepted.

    Returns:
        ACER in [0, 1].

    Raises:
        ValueError: as :func:`apcer_bpcer`.

    Example:
    >>> average_classification_error_rate([0.9, 0.2, 0.6, 0.1], [0, 0, 1, 1])
    0.5
    """
    _, apcer, bpcer = apcer_bpcer(scores, is_attack, species, threshold)
    return (apcer + bpcer) / 2


def _operating_index(
    bona_fide: np.ndarray, by_species: dict[Hashable, np.ndarray], target: float
) -> tuple[np.ndarray, int]:
    """Candidate thresholds and the index of the smallest with worst-species APCER <= target."""
    everything = np.concatenate([bona_fide, *by_species.values()])
    thresholds = np.append(np.unique(everything), np.inf)
    index = 0
    for values in by_species.values():
        accepted = values.size - np.searchsorted(np.sort(values), thresholds, side="left")
        # APCER of the species is non-increasing; the worst species sets the index.
        index = max(index, int(np.argmax(accepted / values.size <= target)))
    return thresholds, index


def threshold_at_apcer(
    scores: Any, is_attack: Any, species: Any = None, apcer: float = 0.05
) -> float:
    """The smallest threshold at which every species' APCER is at most ``apcer``.

    Among thresholds meeting the target it has the lowest BPCER. The candidates
    are the distinct scores and ``inf`` (which rejects everything).

    Args:
        scores: one score per presentation; higher = more likely bona fide.
        is_attack: 1 (or True) for an attack presentation, 0 for bona fide.
        species: attack species per presentation, or None for one species.
        apcer: the largest acceptable APCER of the worst species, in [0, 1].

    Returns:
        The threshold.

    Raises:
        ValueError: as :func:`apcer_bpcer`, or for a target outside [0, 1].

    Example:
    >>> threshold_at_apcer([0.9, 0.8, 0.4, 0.6, 0.2], [0, 0, 0, 1, 1], apcer=0.5)
    0.4
    """
    target = check_fraction("apcer", apcer)
    thresholds, index = _operating_index(*_split(scores, is_attack, species, None), target)
    return float(thresholds[index])


def bpcer_at_apcer(scores: Any, is_attack: Any, species: Any = None, apcer: float = 0.05) -> float:
    """The lowest BPCER over thresholds whose worst-species APCER is at most ``apcer``.

    With ``apcer=0.05`` this is BPCER20, with ``apcer=0.01`` BPCER100
    (ISO/IEC 30107-3).

    Args:
        scores: one score per presentation; higher = more likely bona fide.
        is_attack: 1 (or True) for an attack presentation, 0 for bona fide.
        species: attack species per presentation, or None for one species.
        apcer: the largest acceptable APCER of the worst species, in [0, 1].

    Returns:
        BPCER in [0, 1] at the threshold of :func:`threshold_at_apcer`.

    Raises:
        ValueError: as :func:`apcer_bpcer`, or for a target outside [0, 1].

    Example:
    >>> bpcer_at_apcer([0.9, 0.8, 0.4, 0.6, 0.2], [0, 0, 0, 1, 1], apcer=0.5)
    0.0
    """
    target = check_fraction("apcer", apcer)
    bona_fide, by_species = _split(scores, is_attack, species, None)
    thresholds, index = _operating_index(bona_fide, by_species, target)
    return float(np.mean(bona_fide < thresholds[index]))
