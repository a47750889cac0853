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


@pytest.fixture(scope="module")
def pairs(font_path):
    return synthetic.tampered_pairs(12, seed=3, size=(144, 320), font_path=font_path)


def test_pairs_alternate_a_tampered_cheque_and_its_original(pairs):
    assert pairs.images.shape == (24, 144, 320, 3)
    assert pairs.class_names == synthetic.DOCUMENT_TYPES
    names = [pairs.class_names[label] for label in pairs.labels]
    assert names == ["tampered_cheque", "cheque"] * 12


def test_a_pair_differs_only_in_one_local_edit(pairs):
    # At the render size without nuisance, every pixel outside the edit is the
    # original's; an edit covers at most 30% of each side (a copied, spliced or
    # repainted patch), so the differing pixels fit in a box of that size.
    for tampered, original in zip(pairs.images[::2], pairs.images[1::2], strict=True):
        rows, columns = np.nonzero(np.any(tampered != original, axis=-1))
        assert rows.size > 0
        assert rows.max() - rows.min() < 0.3 * 144 + 1
        assert columns.max() - columns.min() < 0.3 * 320 + 1


def test_pairs_repeat_no_document_of_document_types(font_path):
    pairs = synthetic.tampered_pairs(10, seed=0, size=(48, 96), font_path=font_path)
    documents = synthetic.document_types(
        60, seed=0, size=(48, 96), tampered_share=0.5, font_path=font_path
    )
    cheques = documents.images[np.isin(documents.labels, [0, 3])]
    assert len(cheques) > 20
    for image in pairs.images:
        assert not np.any(np.all(cheques == image, axis=(1, 2, 3)))


def test_more_pairs_extend_fewer_and_nuisance_differs_within_a_pair(pairs, font_path):
    fewer = synthetic.tampered_pairs(5, seed=3, size=(144, 320), font_path=font_path)
    np.testing.assert_array_equal(fewer.images, pairs.images[:10])
    noisy = synthetic.tampered_pairs(3, seed=3, size=(48, 96), font_path=font_path, nuisance=0.5)
    clean = synthetic.tampered_pairs(3, seed=3, size=(48, 96), font_path=font_path)
    np.testing.assert_array_equal(noisy.labels, clean.labels)
    change = np.abs(noisy.images.astype(int) - clean.images).mean(axis=(1, 2, 3))
    assert np.all(change > 1) and len(set(np.round(change, 3))) == 6


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"count": -1}, r"`count` must be .*received -1"),
        ({"size": (96, 8)}, r"`size` must be .*received \(96, 8\)"),
        ({"nuisance": 2}, r"`nuisance` must be .*received 2"),
    ],
)
def test_pairs_bad_arguments(arguments, message, font_path):
    with pytest.raises(ValueError, match=message):
        synthetic.tampered_pairs(**{"count": 2, **arguments}, seed=0, font_path=font_path)


def test_no_documents_is_an_empty_set(font_path):
    for empty in (
        synthetic.document_types(0, seed=0, size=(48, 96), font_path=font_path),
        synthetic.tampered_pairs(0, seed=0, size=(48, 96), font_path=font_path, nuisance=0.3),
    ):
        assert empty.images.shape == (0, 48, 96, 3) and empty.images.dtype == np.uint8
        assert empty.labels.shape == (0,) and empty.labels.dtype == np.int32
