"""document_types: a seeded, imbalanced classification set built from the other generators."""

import numpy as np
import pytest
from PIL import Image

from finvision.data import synthetic


@pytest.fixture(scope="module")
def documents(font_path):
    return synthetic.document_types(40, seed=3, size=(48, 96), font_path=font_path)


def test_shapes_and_classes(documents):
    assert documents.images.shape == (40, 48, 96, 3)
    assert documents.images.dtype == np.uint8
    assert documents.labels.dtype == np.int32
    assert documents.class_names == synthetic.DOCUMENT_TYPES
    assert set(documents.labels.tolist()) <= {0, 1, 2, 3}


def test_cheques_are_the_cheque_generator_resized(documents, font_path):
    cheque_rows = np.flatnonzero(documents.labels == 0)
    drawn = synthetic.cheques(len(cheque_rows), seed=3, size=(144, 320), font_path=font_path)
    for row, cheque in zip(cheque_rows, drawn, strict=True):
        expected = Image.fromarray(cheque.image).resize((96, 48), Image.Resampling.LANCZOS)
        np.testing.assert_array_equal(documents.images[row], np.asarray(expected))


def test_a_longer_run_extends_a_shorter_one(documents, font_path):
    shorter = synthetic.document_types(25, seed=3, size=(48, 96), font_path=font_path)
    np.testing.assert_array_equal(shorter.labels, documents.labels[:25])
    np.testing.assert_array_equal(shorter.images, documents.images[:25])


def test_shares_follow_tampered_share(font_path):
    labels = synthetic.document_types(
        300, seed=0, size=(16, 32), tampered_share=0.2, font_path=font_path
    ).labels
    counts = np.bincount(labels, minlength=4)
    # Binomial(300, p): within 4 standard deviations of the expected counts.
    for count, share in zip(counts, [0.8 / 3, 0.8 / 3, 0.8 / 3, 0.2], strict=True):
        assert abs(count - 300 * share) <= 4 * np.sqrt(300 * share * (1 - share))
    none = synthetic.document_types(
        30, seed=0, size=(16, 32), tampered_share=0, font_path=font_path
    )
    assert 3 not in none.labels


def test_nuisance_changes_pixels_and_keeps_labels(documents, font_path):
    noisy = synthetic.document_types(40, seed=3, size=(48, 96), font_path=font_path, nuisance=0.6)
    np.testing.assert_array_equal(noisy.labels, documents.labels)
    assert np.abs(noisy.images.astype(int) - documents.images).mean() > 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tampered_share": 1.5}, r"`tampered_share` must be .*received 1.5"),
        ({"size": (8, 96)}, r"`size` must be .*received \(8, 96\)"),
        ({"nuisance": -0.1}, r"`nuisance` must be .*received -0.1"),
    ],
)
def test_bad_arguments(arguments, message, font_path):
    with pytest.raises(ValueError, match=message):
        synthetic.document_types(2, seed=0, font_path=font_path, **arguments)
