"""Tampering: outside the mask the image is bit-identical, inside it is the edit described."""

import numpy as np
import pytest
from skimage import data

from finvision.data import synthetic


@pytest.fixture(scope="module")
def photo():
    return data.astronaut()[::4, ::4].copy()  # real RGB photograph, 128 x 128


@pytest.fixture(scope="module")
def page(font_path):
    return synthetic.cheques(1, seed=0, size=(96, 224), font_path=font_path)[0].image


def check_exact(edited, image):
    assert edited.image.shape == image.shape and edited.image.dtype == np.uint8
    assert edited.mask.shape == image.shape[:2] and edited.mask.dtype == bool
    assert edited.mask.any()
    np.testing.assert_array_equal(edited.image[~edited.mask], image[~edited.mask])
    np.testing.assert_array_equal(edited.original, image)


@pytest.mark.parametrize("kind", synthetic.TAMPER_KINDS)
@pytest.mark.parametrize("layout", ["gray", "rgb"])
@pytest.mark.parametrize("seed", range(3))
def test_outside_the_mask_nothing_changes(photo, font_path, kind, layout, seed):
    image = photo.mean(axis=2).astype(np.uint8) if layout == "gray" else photo
    before = image.copy()
    edited = synthetic.tamper(image, kind, seed=seed, font_path=font_path)
    check_exact(edited, image)
    np.testing.assert_array_equal(image, before)  # the input is not modified
    assert edited.kind == kind


@pytest.mark.parametrize("seed", range(4))
def test_copy_move_pastes_a_region_of_the_same_image(photo, seed):
    edited = synthetic.tamper(photo, "copy_move", seed=seed)
    rows, columns = np.nonzero(edited.mask)
    top, left = rows.min(), columns.min()
    height, width = rows.max() - top + 1, columns.max() - left + 1
    shape = edited.mask[top : top + height, left : left + width]
    pasted = edited.image[top : top + height, left : left + width][shape]
    sources = [
        (y, x)
        for y in range(photo.shape[0] - height + 1)
        for x in range(photo.shape[1] - width + 1)
        if np.array_equal(photo[y : y + height, x : x + width][shape], pasted)
    ]
    assert any((y, x) != (top, left) for y, x in sources)


def test_splice_takes_the_donor(photo):
    donor = np.full((40, 50), 7, np.uint8)  # smaller and grayscale: resized, made RGB
    edited = synthetic.tamper(photo, "splice", seed=0, donor=donor)
    check_exact(edited, photo)
    assert (edited.image[edited.mask] == 7).all()


def test_splice_without_donor_uses_another_document(page, font_path):
    edited = synthetic.tamper(page, "splice", seed=1, font_path=font_path)
    check_exact(edited, page)


@pytest.mark.parametrize("layout", ["gray", "rgb"])
def test_replace_digits_in_a_box(page, font_path, layout):
    image = page.mean(axis=2).astype(np.uint8) if layout == "gray" else page
    box = (30, 150, 46, 200)
    edited = synthetic.tamper(image, "replace_digits", seed=2, box=box, font_path=font_path)
    check_exact(edited, image)
    expected = np.zeros(image.shape[:2], bool)
    expected[30:46, 150:200] = True
    np.testing.assert_array_equal(edited.mask, expected)
    channels = image.reshape(*image.shape[:2], -1).shape[2]
    region = edited.image[30:46, 150:200].reshape(16, 50, -1).astype(int).sum(axis=2)
    before = image[30:46, 150:200].reshape(16, 50, -1).astype(int).sum(axis=2)
    paper = np.percentile(before, 90)
    assert abs(np.median(region) - paper) <= channels  # painted over with the paper's colour
    assert region.min() < paper - 50 * channels  # new digits in ink
    assert not np.array_equal(region, before)


def test_tampered_documents(font_path):
    documents = synthetic.tampered_documents(9, seed=4, size=(96, 224), font_path=font_path)
    assert {d.kind for d in documents} == set(synthetic.TAMPER_KINDS)
    for document in documents:
        check_exact(document, document.original)
        if document.kind == "replace_digits":
            rows, columns = np.nonzero(document.mask)
            assert document.mask.sum() == (np.ptp(rows) + 1) * (np.ptp(columns) + 1)  # a box
    again = synthetic.tampered_documents(9, seed=4, size=(96, 224), font_path=font_path)
    assert all(np.array_equal(a.image, b.image) for a, b in zip(documents, again, strict=True))
    only = synthetic.tampered_documents(
        3, seed=0, kinds=["splice"], size=(96, 224), font_path=font_path
    )
    assert {d.kind for d in only} == {"splice"}


@pytest.mark.parametrize(
    ("image", "arguments", "message"),
    [
        (
            np.zeros((32, 32), np.float32),
            {},
            r"`image` must be a uint8 array \(H, W\) or \(H, W, 3\)",
        ),
        (np.zeros((32, 32, 4), np.uint8), {}, r"received uint8 \(32, 32, 4\)"),
        (np.zeros((8, 32), np.uint8), {}, r"`image` must be at least 16 x 16 pixels"),
        (np.zeros((32, 32), np.uint8), {"kind": "blur"}, r"`kind` must be one of"),
        (np.zeros((32, 32), np.uint8), {"donor": np.zeros((32, 32), np.uint8)}, r"`donor` applies"),
        (np.zeros((32, 32), np.uint8), {"kind": "splice", "box": (0, 0, 4, 4)}, r"`box` applies"),
        (
            np.zeros((32, 32), np.uint8),
            {"kind": "replace_digits", "box": (0, 0, 40, 4)},
            r"`box` must be \(top, left, bottom, right\) ints inside the 32 x 32 image",
        ),
        (np.zeros((32, 32), np.uint8), {"seed": -1}, r"`seed` must be a non-negative int"),
    ],
)
def test_errors(image, arguments, message, font_path):
    arguments = {"kind": "copy_move", "seed": 0, "font_path": font_path, **arguments}
    kind = arguments.pop("kind")
    with pytest.raises(ValueError, match=message):
        synthetic.tamper(image, kind, **arguments)


def test_kinds_error(font_path):
    with pytest.raises(ValueError, match=r"`kinds` must be a non-empty sequence of"):
        synthetic.tampered_documents(1, seed=0, kinds=["blur"], font_path=font_path)
