"""Signatures: writer models fixed by id, genuine samples closer to each other than forgeries."""

import numpy as np
import pytest
from scipy import ndimage

from finvision.data import synthetic

SIZE = (48, 96)


def ink(image):
    return image < np.median(image) - 60


def dice_after_dilation(a, b):
    """Overlap of two ink masks, tolerant to one-pixel shifts."""
    a, b = ndimage.binary_dilation(ink(a)), ndimage.binary_dilation(ink(b))
    return 2 * (a & b).sum() / (a.sum() + b.sum())


def test_writer_models_depend_only_on_the_id():
    first, again, other = (synthetic.signature_writer(i) for i in (12, 12, 13))
    assert first.writer_id == 12
    assert all(np.array_equal(p, q) for p, q in zip(first.strokes, again.strokes, strict=True))
    assert (first.slant, first.pen_width, first.fluency) == (
        again.slant,
        again.pen_width,
        again.fluency,
    )
    assert first.slant != other.slant


def test_signature_images_are_seeded_ink_on_paper():
    image = synthetic.signature_image(3, seed=0, size=SIZE)
    assert image.shape == SIZE and image.dtype == np.uint8
    assert np.array_equal(image, synthetic.signature_image(3, seed=0, size=SIZE))
    assert not np.array_equal(image, synthetic.signature_image(3, seed=1, size=SIZE))
    assert 0.02 < ink(image).mean() < 0.4
    assert np.median(image) > 190
    model = synthetic.signature_writer(3)
    assert np.array_equal(image, synthetic.signature_image(model, seed=0, size=SIZE))


def test_genuine_samples_agree_more_than_skilled_forgeries():
    genuine, forged = [], []
    for writer in range(12):
        reference = synthetic.signature_image(writer, seed=0, size=SIZE)
        genuine.append(
            dice_after_dilation(reference, synthetic.signature_image(writer, seed=1, size=SIZE))
        )
        forgery = synthetic.signature_image(writer, seed=1, size=SIZE, forged=True)
        forged.append(dice_after_dilation(reference, forgery))
    assert np.mean(genuine) > np.mean(forged) + 0.1
    assert np.mean(np.array(genuine) > np.array(forged)) >= 0.8


def test_forgeries_are_closer_to_the_imitated_writer_than_other_writers():
    imitated, others = [], []
    for writer in range(10):
        reference = synthetic.signature_image(writer, seed=0, size=SIZE)
        forgery = synthetic.signature_image(writer, seed=2, size=SIZE, forged=True)
        imitated.append(dice_after_dilation(reference, forgery))
        stranger = synthetic.signature_image(writer + 50, seed=2, size=SIZE)
        others.append(dice_after_dilation(reference, stranger))
    assert np.mean(imitated) > np.mean(others)


def test_pairs_labels_kinds_and_writers():
    pool = [800, 801, 802, 803]
    pairs = synthetic.signature_pairs(60, seed=1, writers=pool, size=SIZE)
    kinds = [pair.kind for pair in pairs]
    assert set(kinds) == set(synthetic.PAIR_KINDS)
    for pair in pairs:
        assert pair.label == int(pair.kind == "genuine")
        assert pair.writer in pool and pair.writer_b in pool
        assert (pair.writer_b != pair.writer) == (pair.kind == "random")
        assert pair.a.shape == SIZE and pair.b.shape == SIZE
        reference = synthetic.signature_writer(pair.writer)
        assert pair.writer == reference.writer_id


@pytest.mark.parametrize(
    ("proportions", "kind"), [((1, 0, 0), "genuine"), ((0, 1, 0), "skilled"), ((0, 0, 1), "random")]
)
def test_proportions(proportions, kind):
    pairs = synthetic.signature_pairs(8, seed=0, writers=3, size=SIZE, proportions=proportions)
    assert {pair.kind for pair in pairs} == {kind}


def test_pairs_seeded_per_index():
    long = synthetic.signature_pairs(4, seed=5, writers=10, size=SIZE)
    short = synthetic.signature_pairs(2, seed=5, writers=10, size=SIZE)
    for x, y in zip(long, short, strict=False):
        assert np.array_equal(x.a, y.a) and np.array_equal(x.b, y.b) and x.kind == y.kind


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"writers": 1}, r"`writers` must be a count >= 2 or a sequence of at least 2 distinct"),
        ({"writers": [4, 4]}, r"`writers` must be a count >= 2"),
        ({"proportions": (0.5, 0.5, 0.5)}, r"`proportions` must be three non-negative numbers"),
        ({"proportions": (1, 0)}, r"`proportions` must be three"),
        ({"size": (8, 96)}, r"`size` must be a pair \(height, width\) of ints >= 16"),
        ({"nuisance": 2}, r"`nuisance` must be a number in \[0, 1\]; received 2"),
    ],
)
def test_pair_errors(arguments, message):
    with pytest.raises(ValueError, match=message):
        synthetic.signature_pairs(1, **{"seed": 0, **arguments})


def test_writer_id_errors():
    with pytest.raises(ValueError, match=r"`writer_id` must be a non-negative int; received -3"):
        synthetic.signature_writer(-3)
