"""Reading an MRZ with its structure: the layout's character classes and check digits.

A CTC line reader says, per time step, how likely each character is; greedy
decoding takes the likeliest at every step and so reads ``Z`` where ICAO 9303
puts a date digit, or ``O`` for ``0`` in a document number. This module decodes
the reader's output under the layout instead:

1. :func:`mrz_character_classes`: the characters each position of each line may
   hold (digits in dates and check digits, letters and ``<`` in names and state
   codes, ``M``/``F``/``<`` for sex, letters, digits and ``<`` in document
   numbers and optional data), as :mod:`finvision.documents.mrz` parses them.
2. :func:`decode_constrained`: the most probable reading of one line of exactly
   the template's length whose every character is allowed where it stands.
   The probability of a reading is CTC's: the sum over all its alignments.
3. :func:`decode_mrz`: the most probable reading of a whole zone whose check
   digits (and date fields) hold, or, when no reading it scores does, the most
   probable one that obeys the classes, with the failed checks named.

How it works. A forward pass over the lattice of (time step, characters
emitted, last state: a blank or character ``a`` at position ``j``) sums every
alignment of every reading the template allows, exactly (keeping CTC's rule
that a repeated character needs a blank in between): that mass is ``Z``. A
backward pass adds the posterior probability of each character at each
position. Each costs ``O(T * L * A)`` for ``T`` steps, ``L`` positions and
``A`` characters, one vectorised NumPy step per time step. Readings are
proposed in rounds, and scored exactly by the CTC forward algorithm
(``O(T * L)`` each, vectorised over readings): greedy CTC's reading with each
character replaced by the likeliest one allowed there (when greedy reads as
many characters as the line has), then the readings in decreasing product of
the posteriors, up to ``candidates`` per line. A reading is *proven* the most
probable when its probability is at least what any reading not scored can
hold: ``Z`` minus the mass of the readings scored, and ``Z`` times the
posterior of a character at a position where such a reading differs from the
posteriors' favourite. The rounds stop at a proven reading whose check digits
hold (at moderate capture nuisance, most zones stop after the forward pass
and one reading per line).
Among the readings scored, the check digits pick the most probable
combination that satisfies them; the decoder does not compute a check digit
and write it in. The most probable reading of all is out of reach in general
(the most probable string of a probabilistic automaton is NP-hard to find);
the proof says when this one is it. NumPy only: no Keras import.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import math
import string
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from finvision.documents.mrz import _LAYOUTS, MRZ_ALPHABET, MRZ_FORMATS, ParsedMRZ, parse_mrz

__all__ = [
    "LineReading",
    "MRZReading",
    "decode_constrained",
    "decode_mrz",
    "mrz_character_classes",
]

_LETTERS = string.ascii_uppercase
_DIGITS = string.digits
_ALPHANUMERIC = _LETTERS + _DIGITS
#: The characters of a field's first position and of its others, as ICAO 9303 part 3
#: (and ``finvision.documents.mrz._FIELD_RULES``) allow them.
_FIELD_CLASSES = {
    "document_type": (_LETTERS, _LETTERS + "<"),
    "issuing_state": (_LETTERS, _LETTERS + "<"),
    "nationality": (_LETTERS, _LETTERS + "<"),
    "name": (_LETTERS, _LETTERS + "<"),
    "document_number": (_ALPHANUMERIC, _ALPHANUMERIC + "<"),
    "optional_data": (_ALPHANUMERIC + "<", _ALPHANUMERIC + "<"),
    "optional_data_2": (_ALPHANUMERIC + "<", _ALPHANUMERIC + "<"),
    "birth_date": (_DIGITS + "<", _DIGITS + "<"),  # ``<<`` for an unknown part
    "expiry_date": (_DIGITS, _DIGITS),
    "sex": ("MF<", "MF<"),
}
#: How far a probability row may sum from 1 before it is taken for logits.
_SUM_TOLERANCE = 1e-3


@dataclasses.dataclass(frozen=True)
class LineReading:
    """The reading of one line that :func:`decode_constrained` found.

    Attributes:
        text: the line, one allowed character per template position.
        log_probability: its exact CTC log-probability (summed over alignments).
        confidence: its share of the probability of all the readings the
            template allows: the chance that it is right, given that the line
            obeys the template.
        proven: whether no other reading the template allows is more probable.

    Example:
    >>> reading = LineReading("L898902C3", -0.02, 0.99, True)
    >>> round(reading.probability, 3)
    0.98
    """

    text: str
    log_probability: float
    confidence: float
    proven: bool

    @property
    def probability(self) -> float:
        """The probability that the line reads exactly ``text``."""
        return math.exp(self.log_probability)


@dataclasses.dataclass(frozen=True)
class MRZReading:
    """The reading of a machine-readable zone that :func:`decode_mrz` found.

    Attributes:
        parsed: the lines' fields, failed check digits and malformed fields.
        line_log_probabilities: each line's exact CTC log-probability.
        confidence: the chance that the reading is right, given that a real
            zone obeys the character classes and its check digits hold: its
            probability over that of every such reading, where readings not
            scored count as if they all held (so it errs low); 0 when ``valid``
            is False. The figure to accept a reading on, or send it for review.
        proven: whether no more probable reading obeys the character classes and,
            when ``valid``, the check digits and date fields.

    Example:
    >>> lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    ...          "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    >>> reading = MRZReading(parse_mrz(lines), (-0.01, -0.03), 0.97, True)
    >>> reading.valid, reading.failed_checks, round(reading.log_probability, 2)
    (True, (), -0.04)
    """

    parsed: ParsedMRZ
    line_log_probabilities: tuple[float, ...]
    confidence: float
    proven: bool

    @property
    def lines(self) -> tuple[str, ...]:
        """The MRZ lines read."""
        return self.parsed.lines

    @property
    def valid(self) -> bool:
        """Whether every check digit holds and every field has its ICAO 9303 form."""
        return self.parsed.valid

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """The check digits that fail (see :attr:`ParsedMRZ.failed_checks`)."""
        return self.parsed.failed_checks

    @property
    def log_probability(self) -> float:
        """The reading's log-probability: the sum over its lines."""
        return float(sum(self.line_log_probabilities))


@functools.cache
def mrz_character_classes(format: str) -> tuple[tuple[str, ...], ...]:
    """The characters each position of each line of an MRZ format may hold.

    Taken from the layout :func:`~finvision.documents.mrz.parse_mrz` reads:
    letters (the first) and ``<`` in document types, state codes and names;
    letters, digits and ``<`` (not first) in document numbers; letters, digits
    and ``<`` in optional data; digits in expiry dates, digits and ``<`` in
    birth dates (``<<`` stands for an unknown part); ``M``, ``F``, ``<`` for
    sex; digits in check digits, and ``<`` where a filler may stand for one
    (an empty field; a TD1 or TD2 document number continued in the optional
    data). Each class lists its characters in :data:`MRZ_ALPHABET` order.

    Args:
        format: ``"TD1"``, ``"TD2"`` or ``"TD3"``.

    Returns:
        One tuple per line, of one string per position.

    Raises:
        ValueError: for an unknown format.

    Example:
    >>> classes = mrz_character_classes("TD3")
    >>> [len(line) for line in classes]
    [44, 44]
    >>> classes[1][13], classes[1][20], classes[1][9]  # birth date, sex, check digit
    ('0123456789<', 'FM<', '0123456789')
    """
    if format not in _LAYOUTS:
        raise ValueError(f"`format` must be one of {sorted(_LAYOUTS)}; received {format!r}.")
    layout = _LAYOUTS[format]
    count, width = MRZ_FORMATS[format]
    rows = [["<"] * width for _ in range(count)]
    for field in layout.fields:
        first, rest = _FIELD_CLASSES[field.name]
        row = rows[field.line]
        row[field.start : field.start + field.length] = [first] + [rest] * (field.length - 1)
        if field.checked:
            long_number = field.name == "document_number" and layout.long_document_numbers
            row[field.check_position] = _DIGITS + ("<" if "<" in first or long_number else "")
    line, position = layout.composite
    rows[line][position] = _DIGITS
    return tuple(tuple(_in_alphabet_order(allowed) for allowed in row) for row in rows)


def decode_constrained(
    probabilities: Any,
    template: Sequence[str],
    *,
    alphabet: str = MRZ_ALPHABET,
    from_logits: bool = False,
    candidates: int = 32,
) -> LineReading:
    """The most probable reading of one line that obeys a per-position template.

    The reading has exactly ``len(template)`` characters, character ``j`` one
    of ``template[j]``. Its probability is CTC's, summed over alignments. The
    decoder scores a first reading or two; when none is proven the most
    probable, up to ``candidates`` readings, and returns the most probable of
    them (see the module notes), with its share of the template's mass as
    its confidence.

    Args:
        probabilities: ``(T, K)`` per-step probabilities of the line (or logits
            with ``from_logits=True``): class 0 the CTC blank, class ``i + 1``
            character ``alphabet[i]``, as ``TextLineRecognizer`` outputs them.
        template: the characters allowed at each position, e.g. a line of
            :func:`mrz_character_classes`.
        alphabet: the reader's characters, in label order.
        from_logits: whether ``probabilities`` are logits (softmax taken here,
            in float64).
        candidates: readings scored at most when the first is not proven.

    Returns:
        A :class:`LineReading`.

    Raises:
        ValueError: for a wrong shape, non-finite values, rows that are not
            probabilities, a template with characters outside the alphabet,
            fewer time steps than the template needs, or probabilities that
            rule out every reading the template allows.

    Example:
    >>> alphabet = "Z2"
    >>> steps = np.array([[0.1, 0.6, 0.3], [0.9, 0.05, 0.05]])  # blank, Z, 2
    >>> decode_constrained(steps, ["Z2"], alphabet=alphabet).text  # greedy: 'Z'
    'Z'
    >>> decode_constrained(steps, ["2"], alphabet=alphabet).text  # a digit stands here
    '2'
    """
    candidates = _check_candidates(candidates)
    probabilities = _line_probabilities(probabilities, "probabilities", alphabet, from_logits)
    allowed = _template_mask(template, alphabet)
    _check_steps(probabilities.shape[0], allowed, "probabilities")
    lattice = _Lattice(probabilities[None], allowed[None])
    _check_possible(lattice.log_mass, "probabilities")
    for proposals, favourite in _proposal_rounds(lattice, candidates):
        (listed,) = _line_lists(lattice, proposals, favourite)
        if listed.proven:
            break
    text = "".join(alphabet[i] for i in listed.labels[0])
    return LineReading(
        text, float(listed.log_probabilities[0]), float(listed.shares[0]), listed.proven
    )


def decode_mrz(
    probabilities: Sequence[Any],
    format: str | None = None,
    *,
    from_logits: bool = False,
    candidates: int = 32,
) -> MRZReading:
    """The most probable reading of an MRZ whose check digits hold, from a line reader.

    Each line is decoded under :func:`mrz_character_classes`; among the
    readings scored (see :func:`decode_constrained`) the most probable
    combination whose check digits hold and whose dates are dates wins. When
    none does, the result is the most probable reading scored (it obeys the
    classes), with ``valid`` False and the failed checks in ``parsed``. Accept
    a reading on its ``confidence``: a line is always read at its full length,
    and a misread name, which no check digit covers, leaves the zone valid.

    Args:
        probabilities: one ``(T_i, 38)`` array per line, top line first (2 or 3
            of them, or an ``(N, T, 38)`` batch): per-step probabilities of the
            blank and :data:`MRZ_ALPHABET` (or logits with ``from_logits=True``).
        format: ``"TD1"``, ``"TD2"`` or ``"TD3"``; by default TD1 for 3 lines,
            and for 2 lines whichever of TD2 and TD3 holds more of the mass.
        from_logits: whether the arrays are logits.
        candidates: readings scored per line when the first reading is not
            proven the most probable or fails its checks.

    Returns:
        An :class:`MRZReading`.

    Raises:
        ValueError: for a number of lines that does not fit ``format``, an
            unknown format, or a line's array that :func:`decode_constrained`
            would refuse (the message names ``probabilities[i]``).

    Example:
    >>> lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    ...          "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    >>> def steps(line):  # a clear step per character, then a blank step
    ...     rows = np.full((2 * len(line), 38), 1e-3)
    ...     rows[range(0, 2 * len(line), 2), [1 + MRZ_ALPHABET.index(c) for c in line]] = 1
    ...     rows[1::2, 0] = 1
    ...     return rows / rows.sum(axis=1, keepdims=True)
    >>> probabilities = [steps(line) for line in lines]
    >>> o, zero = 1 + MRZ_ALPHABET.index("O"), 1 + MRZ_ALPHABET.index("0")
    >>> probabilities[1][2 * 5] = 0.05 / 38  # the number's 0 looks like an O:
    >>> probabilities[1][2 * 5, [o, zero]] += 0.55, 0.4
    >>> greedy = "".join(MRZ_ALPHABET[k - 1] for k in probabilities[1][::2].argmax(axis=1))
    >>> reading = decode_mrz(probabilities)
    >>> greedy[:10], reading.lines[1][:10]
    ('L8989O2C36', 'L898902C36')
    >>> reading.valid, reading.parsed.format
    (True, 'TD3')
    """
    candidates = _check_candidates(candidates)
    arrays = _mrz_arrays(probabilities, from_logits)
    format, lattice = _mrz_lattice(arrays, format)
    for proposals, favourite in _proposal_rounds(lattice, candidates):
        reading = _best_valid(format, _line_lists(lattice, proposals, favourite))
        if reading.valid and reading.proven:
            break
    return reading


# === Input checks ===


def _check_candidates(candidates: Any) -> int:
    if isinstance(candidates, bool) or not isinstance(candidates, (int, np.integer)):
        raise ValueError(f"`candidates` must be an int >= 1; received {candidates!r}.")
    if candidates < 1:
        raise ValueError(f"`candidates` must be an int >= 1; received {candidates}.")
    return int(candidates)


def _line_probabilities(values: Any, argument: str, alphabet: str, from_logits: bool) -> np.ndarray:
    """One line's ``(T, K)`` probabilities as float64 rows that sum to 1."""
    classes = len(alphabet) + 1
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"`{argument}` must be a (T, {classes}) array of one line's per-step "
            f"probabilities; received shape {array.shape}."
        )
    if array.shape[1] != classes:
        raise ValueError(
            f"`{argument}` must have K = {classes} classes per step (the blank and the "
            f"{len(alphabet)} characters {alphabet!r}); received shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"`{argument}` holds NaN or infinite values.")
    if from_logits:
        shifted = np.exp(array - array.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    sums = array.sum(axis=1)
    if array.min() < 0 or np.abs(sums - 1).max() > _SUM_TOLERANCE:
        raise ValueError(
            f"`{argument}` must hold probabilities: rows >= 0 that sum to 1 (received "
            f"values in [{array.min():.3g}, {array.max():.3g}] and row sums in "
            f"[{sums.min():.3g}, {sums.max():.3g}]); pass logits with from_logits=True."
        )
    return array / sums[:, None]


def _template_mask(template: Sequence[str], alphabet: str) -> np.ndarray:
    """``(L, A)``: whether character ``a`` of the alphabet may stand at position ``j``."""
    if isinstance(template, str) or not isinstance(template, Sequence) or not template:
        raise ValueError(
            "`template` must be a non-empty sequence of strings, the characters allowed at "
            f"each position; received {template!r}."
        )
    for position, allowed in enumerate(template):
        if not isinstance(allowed, str) or not allowed or not set(allowed) <= set(alphabet):
            raise ValueError(
                f"`template[{position}]` must be a non-empty string of characters of the "
                f"alphabet {alphabet!r}; received {allowed!r}."
            )
    return np.array([[c in allowed for c in alphabet] for allowed in template])


def _check_steps(steps: int, allowed: np.ndarray, argument: str) -> None:
    """CTC needs a step per character and a blank step between repeated characters."""
    needed = _fewest_steps(allowed)
    if steps < needed:
        raise ValueError(
            f"`{argument}` has {steps} time steps; a line of {allowed.shape[0]} characters "
            f"needs at least {needed} (one per character, and a blank between repeated "
            "characters): read a wider crop, or one with less padding removed."
        )


def _fewest_steps(allowed: np.ndarray) -> int:
    """The fewest time steps of any template reading: its length plus forced repeats."""
    repeats = np.where(allowed[0], 0.0, np.inf)  # fewest repeats, by last character
    for mask in allowed[1:]:
        ordered = np.sort(repeats)
        second = ordered[1] if ordered.size > 1 else np.inf
        elsewhere = np.where(repeats == ordered[0], second, ordered[0])  # another last one
        repeats = np.where(mask, np.minimum(repeats + 1, elsewhere), np.inf)
    return allowed.shape[0] + int(repeats.min())


def _mrz_arrays(probabilities: Sequence[Any], from_logits: bool) -> list[np.ndarray]:
    if isinstance(probabilities, np.ndarray) and probabilities.ndim != 3:
        raise ValueError(
            "`probabilities` must be a sequence of (T, 38) arrays, one per MRZ line, or an "
            f"(N, T, 38) batch; received an array of shape {probabilities.shape}."
        )
    arrays = list(probabilities)
    if len(arrays) not in (2, 3):
        raise ValueError(
            "`probabilities` must hold 2 (TD2, TD3) or 3 (TD1) lines' arrays; received "
            f"{len(arrays)}."
        )
    return [
        _line_probabilities(array, f"probabilities[{index}]", MRZ_ALPHABET, from_logits)
        for index, array in enumerate(arrays)
    ]


def _mrz_lattice(arrays: list[np.ndarray], format: str | None) -> tuple[str, _Lattice]:
    """The format (given, or the one holding the most mass) and the lines' lattice."""
    names = _candidate_formats(len(arrays), format)
    fits = [
        name
        for name in names
        if all(
            array.shape[0] >= _fewest_steps(mask)
            for array, mask in zip(arrays, _mrz_masks(name), strict=True)
        )
    ]
    if not fits:  # names[0] has the shortest lines: say what it needs
        for index, array in enumerate(arrays):
            _check_steps(array.shape[0], _mrz_masks(names[0])[index], f"probabilities[{index}]")
    stacked = _padded(arrays)
    lattices = {name: _Lattice(stacked, _mrz_masks(name)) for name in fits}
    name = max(lattices, key=lambda name: lattices[name].log_mass.sum())
    _check_possible(lattices[name].log_mass, "probabilities")
    return name, lattices[name]


def _candidate_formats(lines: int, format: str | None) -> tuple[str, ...]:
    if format is None:
        return ("TD1",) if lines == 3 else ("TD2", "TD3")
    if format not in MRZ_FORMATS:
        raise ValueError(
            f"`format` must be one of {sorted(MRZ_FORMATS)} or None; received {format!r}."
        )
    if MRZ_FORMATS[format][0] != lines:
        raise ValueError(
            f"{format} has {MRZ_FORMATS[format][0]} lines; `probabilities` holds {lines}."
        )
    return (format,)


def _check_possible(log_mass: np.ndarray, argument: str) -> None:
    if np.isfinite(log_mass).all():
        return
    line = int(np.argmin(np.isfinite(log_mass)))
    where = f"`{argument}[{line}]`" if len(log_mass) > 1 else f"`{argument}`"
    raise ValueError(
        f"{where} gives every reading the template allows probability 0 (exact zeros "
        "where its characters must stand); pass the reader's logits with from_logits=True "
        "rather than float32 probabilities that underflow."
    )


# === The lattice ===


def _padded(arrays: list[np.ndarray]) -> np.ndarray:
    """Lines stacked to the longest, padded with certain blanks (changing no probability)."""
    steps = max(array.shape[0] for array in arrays)
    blank = np.eye(arrays[0].shape[1])[0]
    return np.stack([np.vstack([a, np.tile(blank, (steps - a.shape[0], 1))]) for a in arrays])


class _Lattice:
    """CTC over every reading a template allows, for a batch of lines.

    The states of a line are ``(j, a)``, character ``a`` at position ``j``, and
    ``(j, blank)``, the blank after ``j`` characters, in one array
    ``(B, L + 1, A + 1)`` whose last column holds the blanks (row ``L`` holds
    only the final blank). Each step is normalised to its largest state and the
    divisors kept, so nothing underflows.

    Attributes:
        probabilities: ``(B, T, K)`` rows of probabilities, class 0 the blank.
        allowed: ``(B, L, K - 1)`` template masks.
        log_mass: ``(B,)`` the log of the total probability of the readings
            each template allows (``-inf`` when none is possible).
    """

    def __init__(self, probabilities: np.ndarray, allowed: np.ndarray) -> None:
        batch, steps = probabilities.shape[:2]
        length, characters = allowed.shape[1:]
        self.probabilities, self.allowed = probabilities, allowed
        self.emit = np.zeros((batch, steps, length + 1, characters + 1))
        self.emit[:, :, :length, :characters] = probabilities[:, :, None, 1:] * allowed[:, None]
        self.emit[..., characters] = probabilities[:, :, None, 0]
        self.log_mass = self._forward()

    def _forward(self) -> np.ndarray:
        """Fills ``entering[:, t]``, the scaled probability of entering each state at step t."""
        emit, (batch, steps, rows, columns) = self.emit, self.emit.shape
        length, characters = rows - 1, columns - 1
        self.entering = np.zeros_like(emit)
        self.entering[:, 0, 0] = emit[:, 0, 0]
        states = self.entering[:, 0].copy()
        self.scales = np.ones((batch, steps))
        self.scales[:, 0] = _normalise(states)
        counted = np.r_[np.ones(characters), 0.0]  # sums the characters of a position
        inflow = np.zeros_like(states)
        for t in range(1, steps):
            totals = states @ counted
            inflow[..., :characters] = states[..., characters:]  # from the blank before
            other = totals[:, :-1, None] - states[:, :-1, :characters]  # another character
            inflow[:, 1:, :characters] += np.maximum(other, 0.0, out=other)
            inflow[:, 1:, characters] = totals[:, :-1]  # a character, then a blank
            np.multiply(emit[:, t], inflow, out=self.entering[:, t])
            states *= emit[:, t]
            states += self.entering[:, t]
            self.scales[:, t] = _normalise(states)
        final = states[:, length, characters] + states[:, length - 1, :characters].sum(axis=1)
        with np.errstate(divide="ignore"):
            return np.log(final) + np.log(self.scales).sum(axis=1)

    @functools.cached_property
    def log_marginals(self) -> np.ndarray:
        """``(B, L, A)``: the log posterior that position ``j`` holds character ``a``.

        The backward pass: entering a state times completing from it, summed over
        steps, is the probability that the reading has that character there.
        """
        emit, entering, (batch, steps, rows, columns) = self.emit, self.entering, self.emit.shape
        length, characters = rows - 1, columns - 1
        states = np.zeros((batch, rows, columns))
        states[:, length, characters] = states[:, length - 1, :characters] = 1.0
        entering[:, -1] *= states
        scales = np.ones((batch, steps))
        counted = np.r_[np.ones(characters), 0.0]
        for t in range(steps - 2, -1, -1):
            onward = emit[:, t + 1] * states
            totals = onward @ counted
            states = onward.copy()
            states[:, :length, :characters] += onward[:, 1:, characters:]  # to the blank after
            other = totals[:, 1:, None] - onward[:, 1:, :characters]  # to another character
            states[:, :length, :characters] += np.maximum(other, 0.0, out=other)
            states[..., characters] += totals  # a blank, then a character
            scales[:, t] = _normalise(states)
            entering[:, t] *= states
        log_forward = np.cumsum(np.log(self.scales), axis=1)
        before = np.pad(log_forward[:, :-1], ((0, 0), (1, 0)))  # the scale of step t - 1
        after = np.cumsum(np.log(scales[:, ::-1]), axis=1)[:, ::-1]
        offsets = before + after - self.log_mass[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.log(entering[:, :, :length, :characters]) + offsets[:, :, None, None]
            peak = np.max(terms, axis=1)
            peak = np.where(np.isfinite(peak), peak, 0.0)
            return peak + np.log(np.exp(terms - peak[:, None]).sum(axis=1))


def _normalise(states: np.ndarray) -> np.ndarray:
    """Divides each line's states by their largest, in place; returns the divisors."""
    largest = np.maximum(states.reshape(len(states), -1).max(axis=1), np.finfo(float).tiny)
    states /= largest[:, None, None]
    return largest


# === Readings ===


@dataclasses.dataclass(frozen=True)
class _Listed:
    """A line's readings scored, most probable first."""

    labels: np.ndarray  # (n, L) alphabet indices
    log_probabilities: np.ndarray  # (n,) exact, descending
    shares: np.ndarray  # (n,) probability / Z
    unscored: float  # the largest share of Z a reading not listed can hold

    @property
    def proven(self) -> bool:
        return bool(self.shares[0] >= self.unscored)


def _proposal_rounds(lattice: _Lattice, candidates: int) -> Iterator[tuple[list[np.ndarray], bool]]:
    """Readings to score per line, each round adding to the last.

    First the greedy reading with each character replaced by the likeliest the
    template allows there (when greedy reads as many characters as the line
    has; no backward pass needed), then the reading the posteriors favour,
    then ``candidates`` readings in decreasing product of posteriors. Each
    round comes with whether it holds the posteriors' favourite reading.
    """
    greedy = [
        _greedy_proposal(p, mask)
        for p, mask in zip(lattice.probabilities, lattice.allowed, strict=True)
    ]
    proposed = [
        np.zeros((0, mask.shape[0]), dtype=np.intp) if labels is None else labels[None]
        for labels, mask in zip(greedy, lattice.allowed, strict=True)
    ]
    if all(labels is not None for labels in greedy):
        yield proposed, False
    for count in (1, candidates) if candidates > 1 else (1,):
        proposed = [
            np.unique(np.concatenate([before, _proposals(marginals, count)]), axis=0)
            for before, marginals in zip(proposed, lattice.log_marginals, strict=True)
        ]
        yield proposed, True


def _greedy_proposal(probabilities: np.ndarray, allowed: np.ndarray) -> np.ndarray | None:
    """Greedy CTC's reading, each character the likeliest allowed over its steps."""
    best = probabilities.argmax(axis=1)
    starts = (best != 0) & (best != np.r_[-1, best[:-1]])
    if starts.sum() != allowed.shape[0]:
        return None
    inked = best != 0
    sums = np.zeros(allowed.shape)
    np.add.at(sums, np.cumsum(starts)[inked] - 1, probabilities[inked, 1:])
    return np.where(allowed, sums, -1.0).argmax(axis=1)


def _line_lists(lattice: _Lattice, proposals: list[np.ndarray], favourite: bool) -> list[_Listed]:
    """Per line: the proposed readings scored exactly, most probable first.

    What a reading not scored can hold is bounded by the mass left over and,
    when ``favourite`` (the proposals hold the posteriors' favourite reading),
    by the posteriors (see :func:`_posterior_ceiling`).
    """
    rows = np.concatenate([np.full(len(labels), line) for line, labels in enumerate(proposals)])
    scores = _log_probabilities(lattice.probabilities, rows, np.concatenate(proposals))
    listed = []
    for line, labels in enumerate(proposals):
        line_scores = scores[rows == line]
        order = np.argsort(-line_scores, kind="stable")
        shares = np.exp(line_scores[order] - lattice.log_mass[line])
        unscored = max(0.0, 1.0 - float(shares.sum()))
        if favourite:
            unscored = min(unscored, _posterior_ceiling(lattice.log_marginals[line], labels))
        listed.append(_Listed(labels[order], line_scores[order], shares, unscored))
    return listed


def _posterior_ceiling(log_marginals: np.ndarray, scored: np.ndarray) -> float:
    """The largest share of ``Z`` a reading outside ``scored`` (which holds the favourite) can hold.

    A reading's share is at most its posterior at any one position. One not
    scored differs from the favourite (each position's likeliest character)
    somewhere: at two or more positions, it is below the second-largest
    runner-up of distinct positions; at one, below that substitution's posterior.
    """
    marginals = np.exp(log_marginals)
    favourite = marginals.argmax(axis=1)
    others = marginals.copy()
    others[np.arange(len(others)), favourite] = 0.0
    runners_up = np.sort(others.max(axis=1))
    changed = scored != favourite
    for row, changes in zip(scored, changed, strict=True):
        if changes.sum() == 1:
            position = int(np.flatnonzero(changes)[0])
            others[position, row[position]] = 0.0  # scored: no bound needed
    two = runners_up[-2] if len(runners_up) > 1 else 0.0
    return float(max(two, others.max()))


def _proposals(log_marginals: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` readings in decreasing product of per-position posteriors."""
    order = np.argsort(-log_marginals, axis=1, kind="stable")
    ranked = np.take_along_axis(log_marginals, order, axis=1)
    choices = np.isfinite(ranked).sum(axis=1)
    positions = np.flatnonzero(choices > 1)
    steps = [np.diff(ranked[j, : choices[j]]) for j in positions]
    readings = []
    for ranks in _best_first(steps, count):
        labels = order[:, 0].copy()
        labels[positions] = order[positions, np.array(ranks, dtype=np.intp)]
        readings.append(labels)
    return np.array(readings)


def _best_first(steps: list[np.ndarray], count: int) -> Iterator[tuple[int, ...]]:
    """Rank vectors over sorted lists in decreasing total score, each once.

    List ``p``'s ``r``-th entry scores ``steps[p][:r].sum()`` (the steps are <= 0).
    A vector is reached from the one with its last raised position lowered, so
    each is pushed once, after its parent (the k-best of sums of sorted lists).
    """
    heap: list[tuple[float, int, tuple[int, ...]]] = [(0.0, 0, (0,) * len(steps))]
    for _ in range(count):
        if not heap:
            return
        loss, last, ranks = heapq.heappop(heap)
        yield ranks
        for position in range(last, len(steps)):
            rank = ranks[position]
            if rank < len(steps[position]):
                raised = (*ranks[:position], rank + 1, *ranks[position + 1 :])
                heapq.heappush(heap, (loss - steps[position][rank], position, raised))


def _log_probabilities(
    probabilities: np.ndarray, rows: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Exact CTC log-probabilities of readings ``labels`` ``(R, L)`` of lines ``rows``."""
    count, length = labels.shape
    states = np.zeros((count, 1, 2 * length + 1), dtype=np.intp)  # blank, c1, blank, .., blank
    states[:, 0, 1::2] = labels + 1
    emit = np.take_along_axis(probabilities[rows], states, axis=2)  # (R, T, 2L + 1)
    skips = np.zeros((count, 2 * length - 1))  # c(j-1) -> c(j) directly when they differ
    skips[:, 1::2] = labels[:, 1:] != labels[:, :-1]
    alpha = np.zeros((count, 2 * length + 1))
    alpha[:, :2] = emit[:, 0, :2]
    scales = np.ones((count, emit.shape[1]))
    for t in range(emit.shape[1]):
        if t:
            moved = alpha.copy()
            moved[:, 1:] += alpha[:, :-1]
            moved[:, 2:] += alpha[:, :-2] * skips
            alpha = np.multiply(moved, emit[:, t], out=moved)
        scales[:, t] = np.maximum(alpha.max(axis=1), np.finfo(float).tiny)
        alpha /= scales[:, t, None]
    with np.errstate(divide="ignore"):
        return np.log(alpha[:, -1] + alpha[:, -2]) + np.log(scales).sum(axis=1)


# === Check digits ===


def _best_valid(format: str, listed: list[_Listed]) -> MRZReading:
    """The most probable combination of listed line readings whose checks and dates hold.

    A reading of a line that fails a check of its own (its fields' check digits
    and dates, and a composite within the line) is dropped before combining.
    The share of every valid combination is summed for the confidence.
    """
    checked = _checked_lines(format)
    texts = [
        ["".join(MRZ_ALPHABET[i] for i in labels) for labels in line.labels] for line in listed
    ]
    top = [line_texts[0] for line_texts in texts]
    viable = {line: _viable(format, top, line, texts[line]) for line in checked}
    steps = [np.diff(listed[line].log_probabilities[viable[line]]) for line in checked]
    best, valid_share = None, 0.0
    for ranks in _best_first(steps, math.prod(len(ranks) for ranks in viable.values())):
        chosen = {line: viable[line][r] for line, r in zip(checked, ranks, strict=True)}
        parsed = parse_mrz([texts[line][chosen.get(line, 0)] for line in range(len(texts))])
        if parsed.valid:
            best = best or (parsed, chosen)
            valid_share += math.prod(float(listed[line].shares[r]) for line, r in chosen.items())
    if best is None:
        return _reading(parse_mrz(top), {}, listed, 0.0)
    return _reading(*best, listed, valid_share)


def _viable(format: str, top: list[str], line: int, texts: list[str]) -> list[int]:
    """The ranks of the readings of ``line`` that fail no check of that line alone."""
    owners = _failure_lines(format)
    ranks = []
    for rank, text in enumerate(texts):
        parsed = parse_mrz([text if index == line else other for index, other in enumerate(top)])
        if all(owners[name] != line for name in parsed.failed_checks + parsed.failed_fields):
            ranks.append(rank)
    return ranks


def _reading(
    parsed: ParsedMRZ, chosen: dict[int, int], listed: list[_Listed], valid_share: float
) -> MRZReading:
    """The result: proven when nothing unscored can beat it, and its confidence.

    ``chosen`` gives the ranks of the checked lines' readings (empty when no
    combination is valid: then every line's best reading) and ``valid_share``
    the share of ``Z`` of every valid combination of the checked lines scored.
    """
    free = [line for index, line in enumerate(listed) if index not in chosen]
    proven = all(line.proven for line in free)
    confidence = 0.0
    if chosen:
        share = math.prod(float(listed[line].shares[rank]) for line, rank in chosen.items())
        ceilings = {
            line: max(float(listed[line].shares[0]), listed[line].unscored) for line in chosen
        }
        bound = max(
            listed[line].unscored * math.prod(ceilings[other] for other in chosen if other != line)
            for line in chosen
        )
        proven = proven and share >= bound
        unscored = 1.0 - math.prod(float(listed[line].shares.sum()) for line in chosen)
        confidence = share / (valid_share + max(unscored, 0.0))
        confidence *= math.prod(float(line.shares[0]) for line in free)
    log_probabilities = tuple(
        float(line.log_probabilities[chosen.get(index, 0)]) for index, line in enumerate(listed)
    )
    return MRZReading(parsed, log_probabilities, min(confidence, 1.0), proven)


@functools.cache
def _checked_lines(format: str) -> tuple[int, ...]:
    """The lines holding a check digit or characters a check digit covers."""
    layout = _LAYOUTS[format]
    lines = {field.line for field in layout.fields if field.checked}
    lines |= {layout.composite[0]} | {line for line, _, _ in layout.composite_spans}
    return tuple(sorted(lines))


@functools.cache
def _failure_lines(format: str) -> dict[str, int | None]:
    """The line each failed check or field depends on alone (None: several lines)."""
    layout = _LAYOUTS[format]
    owners: dict[str, int | None] = {field.name: field.line for field in layout.fields}
    lines = {layout.composite[0]} | {line for line, _, _ in layout.composite_spans}
    owners["composite"] = layout.composite[0] if len(lines) == 1 else None
    return owners


@functools.cache
def _mrz_masks(format: str) -> np.ndarray:
    """``(lines, L, 37)``: :func:`mrz_character_classes` as masks over :data:`MRZ_ALPHABET`."""
    masks = np.stack([_template_mask(row, MRZ_ALPHABET) for row in mrz_character_classes(format)])
    masks.flags.writeable = False
    return masks


def _in_alphabet_order(characters: str) -> str:
    return "".join(c for c in MRZ_ALPHABET if c in characters)
