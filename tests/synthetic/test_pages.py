"""Page photos: zone masks and corners follow the document's warp; arguments are checked."""

import numpy as np
import pytest

from finvision.data import synthetic
from finvision.documents import parse_micr, parse_mrz

PAGES = synthetic.document_pages(20, seed=3, size=(192, 192))


def test_images_masks_and_kinds():
    assert {page.kind for page in PAGES} == set(synthetic.PAGE_KINDS)
    for page in PAGES:
        assert page.image.shape == (192, 192, 3) and page.image.dtype == np.uint8
        assert page.zones.shape == (192, 192, 2) and set(np.unique(page.zones)) <= {0, 1}
        marked = page.zones.reshape(-1, 2).max(axis=0).tolist()
        assert marked == {"cheque": [0, 1], "card": [0, 0]}.get(page.kind, [1, 0])


def test_the_quad_outlines_the_mask():
    """The mask is the warped zone, the quad its warped corners: same area, same place.

    Over 165 zones (5 seeds of 40 pages at 192x192) the mask's area was 0.93-1.08
    of the quad's and their centres were at most 3.4 px apart (median 0.9 px:
    edge pixels and the quad's corner mean against the area's centre).
    """
    for page in PAGES:
        if page.kind == "card":
            assert page.quad is None and page.lines == ()
            continue
        mask = page.zones.max(axis=-1).astype(bool)
        (a, b), (c, d) = page.quad[2] - page.quad[0], page.quad[3] - page.quad[1]
        area = abs(a * d - b * c) / 2  # half the cross product of the diagonals
        assert 0.85 < mask.sum() / area < 1.15, page.kind
        rows, columns = np.nonzero(mask)
        offset = np.hypot(
            columns.mean() - page.quad[:, 0].mean(), rows.mean() - page.quad[:, 1].mean()
        )
        assert offset < 5, page.kind


def test_lines_are_valid_documents():
    for page in PAGES:
        if page.kind == "cheque":
            assert parse_micr(page.lines[0]).valid
        elif page.kind != "card":
            parsed = parse_mrz(page.lines)
            assert parsed.valid and parsed.format == page.kind


def test_the_quad_reads_along_the_text():
    """Upright pages without quarter turns: the quad's first edge runs left to right."""
    pages = synthetic.document_pages(
        6, seed=0, size=(128, 128), kinds=["TD3", "cheque"], quarter_turns=False, max_rotation=0
    )
    for page in pages:
        top_left, top_right, bottom_right, _ = page.quad
        assert top_right[0] - top_left[0] > 4 * abs(top_right[1] - top_left[1])
        assert bottom_right[1] > top_right[1]


def test_pages_are_deterministic_and_extend():
    again = synthetic.document_pages(3, seed=3, size=(192, 192))
    for first, second in zip(PAGES[:3], again, strict=True):
        np.testing.assert_array_equal(first.image, second.image)
        assert first.lines == second.lines


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kinds": ["TD4"]}, "`kinds` must be a non-empty list"),
        ({"kinds": "TD3"}, "`kinds` must be a non-empty list"),
        ({"max_rotation": 50}, r"`max_rotation` must be a number in \[0, 45\]"),
        ({"size": (20, 64)}, "`size` must be a pair"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        synthetic.document_pages(1, seed=0, **arguments)
