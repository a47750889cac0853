"""Decoding MRZ lines under the layout: character classes, check digits, exactness."""

import itertools
import string

import numpy as np
import pytest

from finvision.documents import (
    MRZ_ALPHABET,
    MRZ_FORMATS,
    compose_mrz,
    decode_constrained,
    decode_mrz,
    mrz_character_classes,
    parse_mrz,
)
from finvision.documents.mrz_decoding import _Lattice

K = len(MRZ_ALPHABET) + 1
TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)


def frames(line, confusions=None, clarity=0.99):
    """Two steps per character, as a reader outputs them: the character, then a blank.

    ``confusions[position]`` maps characters to their probabilities at that step.
    """
    confusions = confusions or {}
    rows = []
    for position, character in enumerate(line):
        weights = confusions.get(position, {character: clarity})
        row = np.full(K, (1 - sum(weights.values())) / (K - len(weights)))
        for shown, probability in weights.items():
            row[1 + MRZ_ALPHABET.index(shown)] = probability
        blank = np.full(K, (1 - clarity) / (K - 1))
        blank[0] = clarity
        rows += [row, blank]
    return np.array(rows)


def certain(line):
    """Steps that allow one reading only: exact zeros everywhere else."""
    steps = np.zeros((2 * len(line), K))
    steps[range(0, 2 * len(line), 2), [1 + MRZ_ALPHABET.index(c) for c in line]] = 1.0
    steps[1::2, 0] = 1.0
    return steps


def greedy(steps, alphabet=MRZ_ALPHABET):
    best = steps.argmax(axis=1)
    keep = (best != 0) & (best != np.r_[-1, best[:-1]])
    return "".join(alphabet[k - 1] for k in best[keep])


def random_document(rng, format):
    """A random valid MRZ, with the long TD1/TD2 document numbers and empty fields."""
    alphanumeric = string.ascii_uppercase + string.digits

    def text(alphabet, low, high):
        return "".join(rng.choice(list(alphabet), size=int(rng.integers(low, high + 1))))

    long_number = format != "TD3" and rng.random() < 0.3
    optional_length = {"TD1": 15, "TD2": 7, "TD3": 14}[format] - (6 if long_number else 0)
    return compose_mrz(
        format,
        document_type=text(string.ascii_uppercase, 1, 2),
        issuing_state=text(string.ascii_uppercase, 1, 3),
        surname=text(string.ascii_uppercase, 2, 8),
        given_names=text(string.ascii_uppercase + " ", 0, 6).strip(),
        document_number=text(alphanumeric, 12, 13) if long_number else text(alphanumeric, 1, 9),
        nationality=text(string.ascii_uppercase, 1, 3),
        birth_date=f"{rng.integers(100):02d}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}",
        sex=str(rng.choice(list("MFX"))),
        expiry_date=f"{rng.integers(100):02d}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}",
        optional_data=text(alphanumeric, 0, optional_length),
        optional_data_2=text(alphanumeric, 0, 11) if format == "TD1" else "",
    )


# === Character classes ===


@pytest.mark.parametrize("format", sorted(MRZ_FORMATS))
def test_every_valid_mrz_obeys_the_character_classes(format):
    classes = mrz_character_classes(format)
    rng = np.random.default_rng(0)
    for _ in range(300):
        lines = random_document(rng, format)
        assert parse_mrz(lines).valid
        for line, allowed in zip(lines, classes, strict=True):
            assert all(c in options for c, options in zip(line, allowed, strict=True)), line


@pytest.mark.parametrize("format", sorted(MRZ_FORMATS))
def test_the_classes_imply_every_field_form_but_real_dates(format):
    rng = np.random.default_rng(1)
    for _ in range(300):
        lines = [
            "".join(rng.choice(list(options)) for options in row)
            for row in mrz_character_classes(format)
        ]
        assert set(parse_mrz(lines).failed_fields) <= {"birth_date", "expiry_date"}


def test_the_classes_put_digits_where_icao_does():
    line = mrz_character_classes("TD3")[1]
    assert {line[i] for i in (*range(21, 28), 43)} == {string.digits}  # expiry, checks
    assert line[13] == string.digits + "<" and line[20] == "FM<"
    assert line[9] == string.digits and line[42] == string.digits + "<"  # empty optional data
    assert mrz_character_classes("TD1")[0][14] == string.digits + "<"  # long numbers
    assert mrz_character_classes("TD1")[2][0] == string.ascii_uppercase
    with pytest.raises(ValueError, match=r"`format` must be one of \['TD1', 'TD2', 'TD3'\]"):
        mrz_character_classes("TD4")


# === The classes at work ===


def test_a_z_greedy_reads_in_a_date_is_read_as_the_digit():
    steps = frames(TD3[1], {18: {"Z": 0.6, "2": 0.35}})  # birth date 740812
    assert greedy(steps)[18] == "Z"
    reading = decode_constrained(steps, mrz_character_classes("TD3")[1])
    assert reading.text == TD3[1] and reading.proven
    path = np.log(0.35) + 43 * np.log(0.99) + 44 * np.log(0.99)  # the best alignment alone
    assert path < reading.log_probability < path + 0.05  # the others add a little
    assert decode_mrz([frames(TD3[0]), steps]).lines == TD3


def test_the_check_digit_chooses_between_o_and_0_in_a_document_number():
    sharp = {"clarity": 0.9999}  # elsewhere, no doubt: the confidence is the 0's
    steps = frames(TD3[1], {5: {"O": 0.55, "0": 0.4}}, **sharp)  # L8989(0)2C3: O allowed
    assert greedy(steps)[:9] == "L8989O2C3"
    by_classes = decode_constrained(steps, mrz_character_classes("TD3")[1])
    assert by_classes.text[:9] == "L8989O2C3"  # the classes alone cannot tell
    reading = decode_mrz([frames(TD3[0], **sharp), steps])
    assert reading.lines == TD3 and reading.valid and reading.proven
    assert reading.line_log_probabilities[1] < by_classes.log_probability  # less probable, valid
    # Given that the check digit holds, the 0 is almost surely right: the confidence
    # is the first line's (it has no check digit) times nearly 1.
    first = decode_constrained(frames(TD3[0], **sharp), mrz_character_classes("TD3")[0])
    first = first.confidence
    assert by_classes.confidence < 0.6 and 0.9 * first < reading.confidence <= first


def test_the_td1_composite_couples_the_lines():
    lines = compose_mrz(
        "TD1", document_type="I", issuing_state="UTO", surname="ERIKSSON", given_names="ANNA",
        document_number="D23145890", nationality="UTO", birth_date="740812", sex="F",
        expiry_date="120415", optional_data="0A1",
    )  # fmt: skip
    # Line 1's optional data has no check digit of its own; line 2's composite covers it.
    steps = [frames(lines[0], {15: {"O": 0.5, "0": 0.45}}), frames(lines[1]), frames(lines[2])]
    assert greedy(steps[0])[15] == "O"
    reading = decode_mrz(steps)
    assert reading.lines == lines and reading.valid and reading.parsed.format == "TD1"


def test_when_no_reading_holds_the_checks_it_says_which_fail():
    misprinted = TD3[1][:9] + "4" + TD3[1][10:]  # the reader sees only this
    reading = decode_mrz([certain(TD3[0]), certain(misprinted)])
    assert reading.lines == (TD3[0], misprinted)
    assert not reading.valid and reading.failed_checks == ("document_number", "composite")
    assert reading.proven  # the only reading with any probability
    assert reading.log_probability == pytest.approx(0.0) and reading.confidence == 0.0


def test_a_reading_from_noise_fails_its_checks_and_is_not_proven():
    rng = np.random.default_rng(0)
    noise = [rng.dirichlet(np.ones(K), size=100) for _ in range(2)]
    reading = decode_mrz(noise, "TD3", candidates=8)
    assert not reading.valid and not reading.proven
    assert all(len(line) == 44 for line in reading.lines)


def test_the_format_follows_the_lines():
    td2 = compose_mrz(
        "TD2", document_type="I", issuing_state="UTO", surname="ERIKSSON", given_names="ANNA",
        document_number="D23145890", nationality="UTO", birth_date="740812", sex="F",
        expiry_date="120415",
    )  # fmt: skip
    assert decode_mrz([frames(line) for line in td2]).parsed.format == "TD2"
    assert decode_mrz([frames(line) for line in TD3]).parsed.format == "TD3"
    assert decode_mrz(np.stack([frames(line) for line in TD3])).lines == TD3  # (N, T, K)


def test_logits_lines_of_different_lengths_and_one_line_decoding_agree():
    steps = [
        frames(TD3[0]),
        np.vstack([frames(TD3[1], {5: {"O": 0.5, "0": 0.45}}), [frames("<")[1]] * 9]),
    ]
    reading = decode_mrz([np.log(s) + 3.0 for s in steps], "TD3", from_logits=True)
    assert reading.lines == TD3
    for line, (array, classes) in enumerate(zip(steps, mrz_character_classes("TD3"), strict=True)):
        alone = decode_constrained(array, classes, candidates=1)
        if alone.text == TD3[line]:
            assert reading.line_log_probabilities[line] == pytest.approx(alone.log_probability)


# === Exactness ===


def brute_force(probabilities):
    """Every CTC path's probability, summed per labelling: the oracle."""
    steps, classes = probabilities.shape
    sums = {}
    for path in itertools.product(range(classes), repeat=steps):
        labels = tuple(k for i, k in enumerate(path) if k and (i == 0 or k != path[i - 1]))
        sums[labels] = sums.get(labels, 0.0) + np.prod(probabilities[range(steps), path])
    return sums


@pytest.mark.parametrize("seed", range(6))
def test_the_lattice_and_the_decoder_are_exact(seed):
    rng = np.random.default_rng(seed)
    alphabet, template = "ABC", ["AB", "ABC", "BC"] if seed % 2 else ["ABC", "ABC", "ABC"]
    probabilities = rng.dirichlet(np.full(4, 0.7), size=int(rng.integers(4, 7)))
    sums = brute_force(probabilities)
    readings = {
        "".join(r): sums.get(tuple(1 + alphabet.index(c) for c in r), 0.0)
        for r in itertools.product(*template)
    }
    mass = sum(readings.values())
    allowed = np.array([[c in options for c in alphabet] for options in template])
    lattice = _Lattice(probabilities[None], allowed[None])
    assert np.exp(lattice.log_mass[0]) == pytest.approx(mass, rel=1e-10)
    for position, options in enumerate(template):
        for c in options:
            share = sum(p for r, p in readings.items() if r[position] == c) / mass
            assert np.exp(lattice.log_marginals[0, position, alphabet.index(c)]) == pytest.approx(
                share, rel=1e-9, abs=1e-15
            )
    best = max(readings, key=readings.get)
    reading = decode_constrained(probabilities, template, alphabet=alphabet, candidates=27)
    assert reading.text == best and reading.proven
    assert reading.log_probability == pytest.approx(np.log(readings[best]), rel=1e-10)
    assert reading.confidence == pytest.approx(readings[best] / mass, rel=1e-9)


def test_repeated_characters_need_a_blank_between_them():
    with pytest.raises(
        ValueError, match=r"has 2 time steps; a line of 2 characters needs at least 3"
    ):
        decode_constrained(np.full((2, 2), 0.5), ["A", "A"], alphabet="A")
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    reading = decode_constrained(probabilities, ["A", "A"], alphabet="A")
    assert reading.text == "AA" and reading.probability == pytest.approx(0.8 * 0.6 * 0.7)


# === Bad input ===


def test_wrong_shapes_and_values_are_named():
    line = mrz_character_classes("TD3")[1]
    with pytest.raises(
        ValueError, match=r"`probabilities` must be a \(T, 38\) array .* received shape \(88,\)"
    ):
        decode_constrained(np.ones(88) / 38, line)
    with pytest.raises(ValueError, match=r"must have K = 38 classes .* received shape \(88, 37\)"):
        decode_constrained(np.full((88, 37), 1 / 37), line)
    with pytest.raises(
        ValueError,
        match=r"`probabilities` has 40 time steps; a line of 44 characters needs at least 44",
    ):
        decode_constrained(np.full((40, K), 1 / K), line)
    with pytest.raises(ValueError, match=r"rows >= 0 that sum to 1 .* from_logits=True"):
        decode_constrained(np.log(frames(TD3[1])), line)
    with pytest.raises(ValueError, match="NaN or infinite"):
        decode_constrained(np.full((88, K), np.nan), line)
    with pytest.raises(
        ValueError,
        match=r"`template\[1\]` must be a non-empty string of characters of the alphabet",
    ):
        decode_constrained(frames("AB"), ["A", "a"])
    with pytest.raises(ValueError, match="`candidates` must be an int >= 1; received 0"):
        decode_constrained(frames("AB"), ["AB", "AB"], candidates=0)
    zeros = certain(TD3[1])
    zeros[18] = np.eye(K)[1 + MRZ_ALPHABET.index("Z")]  # certainly a Z at a check digit
    with pytest.raises(
        ValueError, match=r"gives every reading the template allows probability 0.*from_logits=True"
    ):
        decode_constrained(zeros, line)


def test_wrong_mrz_inputs_are_named():
    with pytest.raises(
        ValueError, match=r"must hold 2 \(TD2, TD3\) or 3 \(TD1\) lines' arrays; received 1"
    ):
        decode_mrz([frames(TD3[0])])
    with pytest.raises(ValueError, match="TD1 has 3 lines; `probabilities` holds 2"):
        decode_mrz([frames(line) for line in TD3], "TD1")
    with pytest.raises(ValueError, match="`format` must be one of"):
        decode_mrz([frames(line) for line in TD3], "TD9")
    with pytest.raises(ValueError, match=r"`probabilities\[1\]` must have K = 38"):
        decode_mrz([frames(TD3[0]), np.full((88, 5), 0.2)])
    with pytest.raises(
        ValueError, match=r"`probabilities\[1\]` has 30 time steps; a line of 44 characters"
    ):
        decode_mrz([frames(TD3[0]), np.full((30, K), 1 / K)], "TD3")
    with pytest.raises(
        ValueError, match=r"`probabilities\[0\]` has 20 time steps; a line of 36 characters"
    ):
        decode_mrz([np.full((20, K), 1 / K)] * 2)
    with pytest.raises(
        ValueError, match=r"an \(N, T, 38\) batch; received an array of shape \(88, 38\)"
    ):
        decode_mrz(frames(TD3[0]))
