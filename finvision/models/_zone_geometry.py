"""From a zone probability map to upright text-line crops (NumPy and Pillow only).

- :func:`letterbox`: a page into the locator's square input, and back;
- :func:`zone_candidates`: the pixels of the blobs that may be the zone, pieces joined;
- :func:`zone_quad`: a blob's pixels as an oriented box;
- :func:`rectify`: the pixels inside a quadrilateral, turned upright;
- :func:`skew` and :func:`turned`: the residual tilt of the text in a zone, and its undoing;
- :func:`line_bands`: where the text lines of an upright zone lie.
"""

from __future__ import annotations

import collections
import dataclasses

import numpy as np
from PIL import Image

#: What the letterbox pads with: a flat grey table.
_PAD = 128


@dataclasses.dataclass(frozen=True)
class Letterbox:
    """How a page was scaled and padded into a square: ``square = page * scale + offset``."""

    scale: float
    offset: np.ndarray

    def to_page(self, points: np.ndarray) -> np.ndarray:
        """``(x, y)`` points of the square in page pixels."""
        return (np.asarray(points, np.float64) - self.offset) / self.scale


def letterbox(page: np.ndarray, side: int) -> tuple[np.ndarray, Letterbox]:
    """``page`` (H, W, 3) resized to fit a ``side`` square, centred on flat grey.

    Example:
    >>> square, box = letterbox(np.zeros((50, 100, 3), np.float32), 64)
    >>> square.shape, box.to_page([[0, 16]]).tolist()
    ((64, 64, 3), [[0.0, 0.0]])
    """
    height, width = page.shape[:2]
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(np.clip(np.rint(page), 0, 255).astype(np.uint8)).resize(
        size, Image.Resampling.BILINEAR, reducing_gap=2.0
    )
    square = np.full((side, side, 3), _PAD, np.float32)
    left, top = (side - size[0]) // 2, (side - size[1]) // 2
    square[top : top + size[1], left : left + size[0]] = np.asarray(resized, np.float32)
    return square, Letterbox(scale, np.array([left, top], np.float64))


def components(mask: np.ndarray) -> list[np.ndarray]:
    """``(x, y)`` coordinates of each 8-connected blob of a boolean mask, largest first.

    Example:
    >>> mask = np.zeros((5, 6), bool)
    >>> mask[0, 0] = True; mask[2:4, 2:5] = True
    >>> [len(blob) for blob in components(mask)]
    [6, 1]
    """
    seen = np.zeros_like(mask, dtype=bool)
    blobs: list[list[tuple[int, int]]] = []
    height, width = mask.shape
    for y, x in zip(*np.nonzero(mask), strict=True):
        if seen[y, x]:
            continue
        seen[y, x] = True
        blob, queue = [], collections.deque([(int(y), int(x))])
        while queue:
            cy, cx = queue.popleft()
            blob.append((cx, cy))
            for ny in range(max(cy - 1, 0), min(cy + 2, height)):
                for nx in range(max(cx - 1, 0), min(cx + 2, width)):
                    if mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        blobs.append(blob)
    blobs.sort(key=len, reverse=True)
    return [np.array(blob, np.float64).reshape(-1, 2) for blob in blobs]


def dilated(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` grown by ``radius`` pixels in every direction (a square structuring element).

    Example:
    >>> mask = np.zeros((5, 5), bool); mask[2, 2] = True
    >>> int(dilated(mask, 1).sum())
    9
    """
    grown = mask.copy()
    padded = np.pad(mask, radius)
    height, width = mask.shape
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            grown |= padded[dy : dy + height, dx : dx + width]
    return grown


def zone_candidates(mask: np.ndarray, *, bridge: int = 3, limit: int = 3) -> list[np.ndarray]:
    """``(x, y)`` pixels of the zones a boolean mask may mark, largest first, pieces joined.

    Each of the ``limit`` largest blobs, once pieces closer than ``2 * bridge``
    pixels are joined (the lines of an MRZ), gives a zone's axis; every marked
    pixel in line with it joins it, so the fields of a MICR line, split by wide
    gaps, stay together. In line is within the zone's thickness across and as
    far again as its length beyond either end, twice over. The largest is the
    likeliest zone; the others are there for a reader to try when it does not
    hold (printed fields a locator took for a zone).

    Example:
    >>> mask = np.zeros((20, 60), bool)
    >>> mask[8:11, 2:20] = True; mask[8:11, 34:58] = True  # one line, two fields
    >>> mask[0:2, 0:4] = True  # a speck elsewhere
    >>> [len(points) for points in zone_candidates(mask)]
    [126, 8]
    """
    candidates: list[np.ndarray] = []
    free = mask.copy()  # the marked pixels no candidate has taken
    for joined in components(dilated(mask, bridge)):
        if len(candidates) == limit:
            break
        in_blob = np.zeros_like(mask)
        in_blob[joined[:, 1].astype(int), joined[:, 0].astype(int)] = True
        if not (free & in_blob).any():
            continue  # a piece of a zone already taken
        points, everything = _coordinates(free & in_blob), _coordinates(free)
        for _ in range(2):  # the joined pieces can reveal more beyond them
            quad = zone_quad(points)
            along = (quad[1] - quad[0]) / max(np.linalg.norm(quad[1] - quad[0]), 1e-9)
            across = np.array([-along[1], along[0]])
            length, thickness = np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[3] - quad[0])
            centre = quad.mean(axis=0)
            u, v = (everything - centre) @ along, (everything - centre) @ across
            keep = (np.abs(v) <= max(thickness / 2, 1.0)) & (np.abs(u) <= 1.5 * length)
            points = everything[keep]  # the box holds its own points: they stay
        candidates.append(points)
        free[points[:, 1].astype(int), points[:, 0].astype(int)] = False
    return candidates


def _coordinates(mask: np.ndarray) -> np.ndarray:
    rows, columns = np.nonzero(mask)
    return np.c_[columns, rows].astype(np.float64)


def zone_quad(points: np.ndarray) -> np.ndarray:
    """The oriented box of a blob's ``(x, y)`` pixels, long side first.

    The long axis points right (``x`` grows along it); the corners are
    top-left, top-right, bottom-right, bottom-left as the zone reads when its
    long axis is horizontal. Pixels are squares of side 1, so a blob of one
    row gives a box one pixel high.

    Example:
    >>> points = np.array([(x, y) for x in range(10) for y in range(2)], float)
    >>> zone_quad(points).tolist()
    [[-0.5, -0.5], [9.5, -0.5], [9.5, 1.5], [-0.5, 1.5]]
    """
    centre = points.mean(axis=0)
    spread = (points - centre).T @ (points - centre) / len(points)  # 0 for a single pixel
    _, vectors = np.linalg.eigh(spread + np.diag([1e-9, 0.0]))  # ties: the long axis is x
    along = vectors[:, 1] if vectors[0, 1] >= 0 else -vectors[:, 1]
    across = np.array([-along[1], along[0]])
    u, v = (points - centre) @ along, (points - centre) @ across
    u0, u1, v0, v1 = u.min() - 0.5, u.max() + 0.5, v.min() - 0.5, v.max() + 0.5
    return np.array(
        [centre + a * along + b * across for a, b in ((u0, v0), (u1, v0), (u1, v1), (u0, v1))]
    )


def grown(quad: np.ndarray, along: float, across: float) -> np.ndarray:
    """``quad`` grown by ``along`` pixels at both ends and ``across`` on both sides.

    Example:
    >>> grown(np.array([[0, 0], [10, 0], [10, 2], [0, 2]], float), 1, 0.5).tolist()
    [[-1.0, -0.5], [11.0, -0.5], [11.0, 2.5], [-1.0, 2.5]]
    """
    unit_along = (quad[1] - quad[0]) / max(np.linalg.norm(quad[1] - quad[0]), 1e-9)
    unit_across = (quad[3] - quad[0]) / max(np.linalg.norm(quad[3] - quad[0]), 1e-9)
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64)
    return quad + signs[:, :1] * along * unit_along + signs[:, 1:] * across * unit_across


def rectify(gray: Image.Image, quad: np.ndarray, height: int) -> np.ndarray:
    """The pixels inside ``quad`` (top-left, top-right, bottom-right, bottom-left) upright.

    The output is ``height`` pixels high and as wide as the quad's aspect
    ratio asks; outside the image is paper white.

    Example:
    >>> page = Image.fromarray(np.tile(np.arange(20, dtype=np.uint8), (10, 1)))
    >>> band = rectify(page, np.array([[0, 0], [20, 0], [20, 10], [0, 10]], float), 10)
    >>> band.shape, band[0, :3].tolist()
    ((10, 20), [0.0, 1.0, 2.0])
    """
    length = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    thickness = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    width = max(1, round(length * height / max(thickness, 1e-9)))
    corners = tuple(float(c) for corner in (quad[0], quad[3], quad[2], quad[1]) for c in corner)
    upright = gray.transform(
        (width, height), Image.Transform.QUAD, corners, Image.Resampling.BILINEAR
    )
    inside = Image.new("L", gray.size, 255).transform(
        (width, height), Image.Transform.QUAD, corners, Image.Resampling.NEAREST, fillcolor=0
    )
    pixels = np.asarray(upright, np.float32)
    return np.where(np.asarray(inside) > 0, pixels, 255.0)


def skew(zone: np.ndarray, *, largest: float = 12.0) -> float:
    """The angle, in degrees, that :func:`turned` needs to level the text lines of ``zone``.

    Text lines level give the sharpest row profile: the angle that maximises
    the variance of the row sums of the ink (darkness), searched in steps of
    2 degrees up to ``largest`` on the zone at 48 rows, then of 0.25 degree
    within 1.75 degrees of the best at 96 rows.

    Example:
    >>> zone = np.full((60, 200), 255, np.uint8)
    >>> zone[20:26, 10:190] = 0; zone[36:42, 10:190] = 0
    >>> tilted = np.asarray(Image.fromarray(zone).rotate(5, fillcolor=255), np.float32)
    >>> skew(tilted)
    -5.0
    """
    ink = Image.fromarray(np.clip(255 - zone, 0, 255).astype(np.uint8))

    def sharpness(image: Image.Image, degrees: float) -> float:
        return float(np.asarray(turned_image(image, degrees, 0), np.float32).sum(axis=1).var())

    coarse, fine = _at_most_rows(ink, 48), _at_most_rows(ink, 96)
    best = max(np.arange(-largest, largest + 1.0, 2.0), key=lambda d: sharpness(coarse, d))
    return float(max(best + np.arange(-1.75, 2.0, 0.25), key=lambda d: sharpness(fine, d)))


def _at_most_rows(image: Image.Image, rows: int) -> Image.Image:
    scale = min(1.0, rows / image.height)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def turned(zone: np.ndarray, degrees: float) -> np.ndarray:
    """``zone`` turned by ``degrees`` counterclockwise about its centre, paper white outside.

    Example:
    >>> turned(np.zeros((4, 6), np.float32), 0.0).shape
    (4, 6)
    """
    image = Image.fromarray(np.clip(zone, 0, 255).astype(np.uint8))
    return np.asarray(turned_image(image, degrees, 255), np.float32)


def turned_image(image: Image.Image, degrees: float, fill: int) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=fill)


def line_bands(zone: np.ndarray, *, min_height: float = 0.25) -> list[tuple[int, int]]:
    """``(top, bottom)`` rows of the text lines of an upright zone, top first.

    A row's ink is its mean horizontal gradient (text rows are busy; tinted
    paper, gradients and shadows are not), smoothed over 3 rows; rows above a
    third of the way from the quietest to the busiest row form lines. Lines
    lower than ``min_height`` of the tallest are dropped (specks, rules).

    Example:
    >>> zone = np.full((30, 50), 250.0)
    >>> zone[4:10, 5:45:2] = 20; zone[18:25, 5:45:2] = 30
    >>> line_bands(zone)
    [(4, 10), (18, 25)]
    """
    busy = np.abs(np.diff(zone, axis=1)).mean(axis=1)
    busy = np.convolve(np.pad(busy, 1, mode="edge"), np.ones(3) / 3, mode="valid")
    if busy.max() - busy.min() < 1.0:
        return []
    above = np.concatenate([[False], busy > busy.min() + (busy.max() - busy.min()) / 3, [False]])
    edges = np.flatnonzero(above[1:] != above[:-1])
    bands = [(int(top), int(bottom)) for top, bottom in zip(edges[::2], edges[1::2], strict=True)]
    tallest = max(bottom - top for top, bottom in bands)
    return [(top, bottom) for top, bottom in bands if bottom - top >= min_height * tallest]
