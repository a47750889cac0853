"""Signatures from per-writer stroke models: genuine samples and skilled forgeries.

A writer is a set of smooth pen trajectories (Catmull-Rom splines through
control points): letter shapes (arches, cups, loops, ascenders, descenders,
capitals) joined into one or two names, sometimes underlined by a flourish, with
the writer's own letter width, shape jitter, slant, pen width and fluency (how
much the line thins where the pen moves fast). The model depends only on the
writer id, so data sets can be split by writer: writers 0-799 for training,
800-999 for testing, whatever the seeds.

- A *genuine* sample is the writer's model with small natural variation:
  control points move by 2% of the height, the whole signature rotates and
  scales by a few percent, the slant and pen width vary slightly.
- A *skilled forgery* is another hand imitating the model: larger shape
  deviations (4.5%), the forger's own slant and proportions partly showing,
  slow and even strokes (little thinning), a shaky line and, now and then, a
  pen lift where the writer has none.
- A *random forgery* is a genuine sample of another writer.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from finvision._validation import check_fraction, check_non_negative_int, is_int
from finvision.data.synthetic._checks import check_size
from finvision.data.synthetic._random import SIGNATURE_STREAM, WRITER_STREAM, sample_generators
from finvision.data.synthetic.nuisance import with_nuisance
from finvision.data.synthetic.text import ink_on_paper

#: The kinds of signature pairs.
PAIR_KINDS = ("genuine", "skilled", "random")
_SAMPLES_PER_SEGMENT = 10
_SUPERSAMPLE = 2


@dataclasses.dataclass(frozen=True)
class SignatureWriter:
    """A writer's stroke model.

    Attributes:
        writer_id: the id the model was built from.
        strokes: control points of each pen-down stroke, arrays ``(k, 2)`` of
            ``(x, y)`` with y downwards, the name's height about 1.
        slant: shear of the letters in radians (positive leans right).
        pen_width: pen width as a fraction of the name's height.
        fluency: in [0, 1]; how much the line thins where the pen moves fast.

    Example:
    >>> writer = signature_writer(7)
    >>> writer.writer_id, len(writer.strokes) >= 1
    (7, True)
    """

    writer_id: int
    strokes: tuple[np.ndarray, ...]
    slant: float
    pen_width: float
    fluency: float


# Letter shapes as control points (x, y): y = 1 on the baseline, 0.45 at the
# x-height, below 0 for ascenders, above 1 for descenders.
_LETTERS = (
    ((0.0, 1.0), (0.08, 0.5), (0.22, 0.45), (0.3, 0.75), (0.35, 1.0)),  # arch: n, m, h
    ((0.0, 0.45), (0.05, 0.9), (0.15, 1.0), (0.28, 0.85), (0.33, 0.45), (0.36, 1.0)),  # cup: u
    ((0.0, 0.85), (0.22, 0.6), (0.2, 0.45), (0.08, 0.55), (0.1, 0.95), (0.3, 0.95)),  # e
    ((0.2, 0.45), (0.05, 0.6), (0.1, 1.0), (0.28, 0.85), (0.22, 0.45), (0.35, 0.5)),  # o, a
    ((0.0, 0.9), (0.2, 0.3), (0.25, -0.4), (0.12, -0.35), (0.1, 0.4), (0.15, 1.0), (0.3, 0.95)),
    ((0.25, 0.5), (0.05, 0.6), (0.15, 0.95), (0.28, 0.5), (0.27, 1.5), (0.1, 1.55), (0.38, 0.95)),
    ((0.0, 1.0), (0.12, 0.4), (0.1, 1.0), (0.25, 0.95)),  # i, t
)
_CAPITALS = (
    ((0.1, 1.0), (0.2, -0.4), (0.35, -0.5), (0.3, 0.0), (0.0, 0.3), (0.4, 0.45), (0.6, 1.0)),
    ((0.0, -0.3), (0.3, -0.45), (0.2, 0.2), (0.05, 1.0), (0.35, 0.6), (0.5, 0.2), (0.55, 1.0)),
    ((0.4, -0.3), (0.1, -0.2), (0.05, 0.6), (0.25, 1.0), (0.5, 0.7)),
)


def _word(rng: np.random.Generator, start: float, width: float, jitter: float) -> np.ndarray:
    """Control points of one cursive word: letter shapes joined, in the writer's proportions."""
    letters = []
    if rng.random() < 0.7:
        letters.append(np.array(_CAPITALS[int(rng.integers(len(_CAPITALS)))]))
    for _ in range(int(rng.integers(3, 8))):
        letters.append(np.array(_LETTERS[int(rng.integers(len(_LETTERS)))]))
    points, x = [], start
    for letter in letters:
        shape = letter + rng.normal(0.0, jitter, letter.shape)
        points.append(shape * (width, 1.0) + (x, 0.0))
        x += width * float(letter[:, 0].max()) + rng.uniform(0.0, 0.1)
    return np.vstack(points)


def signature_writer(writer_id: int) -> SignatureWriter:
    """The stroke model of a writer, the same for an id on every machine.

    Args:
        writer_id: a non-negative int.

    Returns:
        A :class:`SignatureWriter`.

    Raises:
        ValueError: if ``writer_id`` is not a non-negative int.

    Example:
    >>> a, b = signature_writer(3), signature_writer(3)
    >>> all(np.array_equal(p, q) for p, q in zip(a.strokes, b.strokes))
    True
    """
    if not is_int(writer_id) or writer_id < 0:
        raise ValueError(f"`writer_id` must be a non-negative int; received {writer_id!r}.")
    rng = np.random.default_rng((WRITER_STREAM, int(writer_id)))
    width = rng.uniform(0.7, 1.5)
    jitter = rng.uniform(0.01, 0.05)
    strokes = [_word(rng, 0.0, width, jitter)]
    if rng.random() < 0.7:  # a second name
        strokes.append(_word(rng, strokes[-1][:, 0].max() + rng.uniform(0.2, 0.5), width, jitter))
    if rng.random() < 0.5:  # a flourish under the name
        end = strokes[-1][:, 0].max()
        x = np.linspace(rng.uniform(-0.2, 0.3) * end, end * rng.uniform(0.8, 1.2), 4)
        y = 1.3 + rng.uniform(-0.2, 0.2, 4)
        strokes.append(np.stack([x, y], axis=1))
    return SignatureWriter(
        writer_id=int(writer_id),
        strokes=tuple(strokes),
        slant=float(rng.uniform(-0.15, 0.5)),
        pen_width=float(rng.uniform(0.03, 0.07)),
        fluency=float(rng.uniform(0.3, 0.8)),
    )


def _spline(points: np.ndarray, samples: int) -> np.ndarray:
    """A Catmull-Rom spline through the points, ``samples`` points per segment."""
    if len(points) < 2:
        return points
    padded = np.vstack([points[:1], points, points[-1:]])
    p0, p1, p2, p3 = padded[:-3], padded[1:-2], padded[2:-1], padded[3:]
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[None, :, None]
    curve = 0.5 * (
        2 * p1[:, None]
        + (p2 - p0)[:, None] * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3)[:, None] * t**2
        + (3 * p1 - p0 - 3 * p2 + p3)[:, None] * t**3
    )
    return np.vstack([curve.reshape(-1, 2), points[-1:]])


@dataclasses.dataclass(frozen=True)
class _Hand:
    """How one execution deviates from the model."""

    shape: float  # standard deviation of control point moves
    rotation: float  # radians
    scale: tuple[float, float]
    slant: float
    width: float  # pen width factor
    fluency: float
    tremor: float  # amplitude of the tremor, in name heights
    lift: float  # chance of an extra pen lift per stroke


def _hand(rng: np.random.Generator, writer: SignatureWriter, forged: bool) -> _Hand:
    if not forged:
        return _Hand(
            shape=0.02,
            rotation=rng.normal(0.0, 0.025),
            scale=(rng.normal(1.0, 0.04), rng.normal(1.0, 0.04)),
            slant=writer.slant + rng.normal(0.0, 0.03),
            width=rng.uniform(0.9, 1.1),
            fluency=writer.fluency,
            tremor=0.0,
            lift=0.0,
        )
    return _Hand(
        shape=0.045,
        rotation=rng.normal(0.0, 0.05),
        scale=(rng.normal(1.0, 0.1), rng.normal(1.0, 0.1)),
        slant=0.6 * writer.slant + 0.4 * rng.uniform(-0.2, 0.5),
        width=rng.uniform(1.0, 1.4),
        fluency=writer.fluency * rng.uniform(0.1, 0.4),
        tremor=rng.uniform(0.004, 0.012),
        lift=0.3,
    )


def _trajectories(
    writer: SignatureWriter, rng: np.random.Generator, hand: _Hand
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Dense pen paths of one execution and the pen width along each."""
    cos, sin = np.cos(hand.rotation), np.sin(hand.rotation)
    transform = np.array([[cos, -sin], [sin, cos]]) @ np.array(
        [[hand.scale[0], -np.tan(hand.slant)], [0.0, hand.scale[1]]]
    )
    paths = []
    for control in writer.strokes:
        moved = control + rng.normal(0.0, hand.shape, control.shape)
        path = _spline(moved, _SAMPLES_PER_SEGMENT) @ transform.T
        if hand.tremor > 0:
            path = path + hand.tremor * rng.standard_normal(path.shape)
        pieces = [path]
        if len(path) > 20 and rng.random() < hand.lift:
            cut = int(rng.integers(8, len(path) - 8))
            pieces = [path[:cut], path[cut + 2 :]]
        for piece in pieces:
            speed = np.linalg.norm(np.diff(piece, axis=0), axis=1)
            relative = speed / max(float(speed.max()), 1e-9)
            width = writer.pen_width * hand.width * (1.0 - 0.6 * hand.fluency * relative)
            paths.append((piece, width))
    return paths


def _draw(paths: list[tuple[np.ndarray, np.ndarray]], size: tuple[int, int]) -> np.ndarray:
    """Ink coverage of the paths, fitted into ``size`` with a margin."""
    height, width = size
    points = np.vstack([path for path, _ in paths])
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1e-6)
    scale = 0.86 * min(width / extent[0], height / extent[1]) * _SUPERSAMPLE
    offset = (np.array([width, height]) * _SUPERSAMPLE - extent * scale) / 2 - low * scale
    image = Image.new("L", (width * _SUPERSAMPLE, height * _SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(image)
    for path, pen in paths:
        xy = path * scale + offset
        widths = np.maximum(1, np.rint(pen * scale)).astype(int)
        for start in range(0, len(xy) - 1, 4):
            chunk = xy[start : start + 5]
            draw.line([tuple(p) for p in chunk], fill=255, width=int(widths[start]), joint="curve")
    return np.asarray(image.reduce(_SUPERSAMPLE), dtype=np.float32) / 255.0


def signature_coverage(
    writer: SignatureWriter, rng: np.random.Generator, size: tuple[int, int], forged: bool
) -> np.ndarray:
    """Ink coverage in [0, 1] of one genuine or forged execution of a writer's model.

    Args:
        writer: the model.
        rng: the sample's generator.
        size: ``(height, width)`` of the result.
        forged: a skilled forgery (another hand) rather than a genuine sample.

    Returns:
        A float32 array ``size``.

    Example:
    >>> rng = np.random.default_rng(0)
    >>> coverage = signature_coverage(signature_writer(0), rng, (48, 96), forged=False)
    >>> coverage.shape, bool(0.0 < coverage.mean() < 0.5)
    ((48, 96), True)
    """
    return _draw(_trajectories(writer, rng, _hand(rng, writer, forged)), size)


def _ink(rng: np.random.Generator, coverage: np.ndarray) -> np.ndarray:
    return ink_on_paper(coverage, rng.uniform(0, 90), rng.uniform(200, 255))


def signature_image(
    writer: int | SignatureWriter,
    *,
    seed: int,
    forged: bool = False,
    size: Sequence[int] = (96, 192),
) -> np.ndarray:
    """One signature: a genuine sample of a writer or a skilled forgery of it.

    Args:
        writer: a writer id or model (see :func:`signature_writer`).
        seed: a non-negative int for this execution.
        forged: draw a skilled forgery instead of a genuine sample.
        size: ``(height, width)`` of the image.

    Returns:
        A grayscale uint8 image ``size``: dark ink on light paper.

    Raises:
        ValueError: for a bad writer id, ``seed`` or ``size``.

    Example:
    >>> image = signature_image(5, seed=0)
    >>> image.shape, image.dtype.name
    ((96, 192), 'uint8')
    """
    model = writer if isinstance(writer, SignatureWriter) else signature_writer(writer)
    size = check_size(size)
    rng = np.random.default_rng(
        (SIGNATURE_STREAM, check_non_negative_int("seed", seed), model.writer_id, int(forged))
    )
    return _ink(rng, signature_coverage(model, rng, size, forged))


@dataclasses.dataclass(frozen=True)
class SignaturePair:
    """A reference signature, a questioned one and whether they match.

    Attributes:
        a: the reference: a genuine sample of ``writer``, uint8 ``(h, w)``.
        b: the questioned signature, uint8 ``(h, w)``.
        label: 1 if ``b`` is genuine (same writer), 0 if it is a forgery.
        kind: ``"genuine"``, ``"skilled"`` (forgery imitating ``writer``) or
            ``"random"`` (a genuine sample of another writer).
        writer: the writer of ``a``, whose identity ``b`` claims.
        writer_b: the writer whose model ``b`` shows (``writer`` unless random).

    Example:
    >>> pair = signature_pairs(1, seed=0, writers=4)[0]
    >>> pair.label == int(pair.kind == "genuine")
    True
    """

    a: np.ndarray
    b: np.ndarray
    label: int
    kind: str
    writer: int
    writer_b: int


def _writer_pool(writers: int | Sequence[int]) -> tuple[int, ...]:
    if is_int(writers):
        pool = tuple(range(int(writers)))
    elif isinstance(writers, Sequence | np.ndarray) and not isinstance(writers, str):
        pool = tuple(writers)
    else:
        pool = ()
    if len(pool) < 2 or len(set(pool)) != len(pool):
        raise ValueError(
            "`writers` must be a count >= 2 or a sequence of at least 2 distinct writer ids; "
            f"received {writers!r}."
        )
    return pool


def _shares(proportions: Sequence[float]) -> tuple[float, float]:
    values = np.asarray(proportions, dtype=np.float64)
    if values.shape != (3,) or not np.all(values >= 0) or not np.isclose(values.sum(), 1.0):
        raise ValueError(
            "`proportions` must be three non-negative numbers (genuine, skilled, random) "
            f"summing to 1; received {proportions!r}."
        )
    return float(values[0]), float(values[0] + values[1])


def signature_pairs(
    count: int,
    *,
    seed: int,
    writers: int | Sequence[int] = 100,
    size: Sequence[int] = (96, 192),
    proportions: Sequence[float] = (0.5, 0.3, 0.2),
    nuisance: float = 0.0,
) -> list[SignaturePair]:
    """Pairs of signatures for verification: genuine, skilled and random forgeries.

    Args:
        count: how many pairs.
        seed: a non-negative int; pair ``i`` depends only on ``seed``, ``i`` and
            the writer pool.
        writers: the writer ids to draw from (split train and test by writer
            id), or a count ``n`` for ids ``0 .. n-1``. Random forgeries take
            the other writer from the same pool.
        size: ``(height, width)`` of each image.
        proportions: shares of genuine, skilled-forgery and random-forgery pairs.
        nuisance: strength in [0, 1] of capture nuisance (blur, noise, JPEG,
            perspective, uneven light; see
            :func:`~finvision.data.synthetic.nuisance.apply_nuisance`), drawn
            for all images of the call together; 0 keeps the clean render.

    Returns:
        ``count`` :class:`SignaturePair`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``nuisance``, ``writers``, ``size`` or
            ``proportions``.

    Example:
    >>> pairs = signature_pairs(3, seed=0, writers=[800, 801, 802], size=(48, 96))
    >>> all(p.writer in (800, 801, 802) for p in pairs), pairs[0].a.shape
    (True, (48, 96))
    """
    pool, size, shares = _writer_pool(writers), check_size(size), _shares(proportions)
    nuisance = check_fraction("nuisance", nuisance)
    pairs = []
    for rng in sample_generators(SIGNATURE_STREAM, seed, count):
        writer = signature_writer(pool[int(rng.integers(len(pool)))])
        kind = PAIR_KINDS[bisect.bisect(shares, rng.random())]
        other = writer
        if kind == "random":
            others = [w for w in pool if w != writer.writer_id]
            other = signature_writer(others[int(rng.integers(len(others)))])
        a = _ink(rng, signature_coverage(writer, rng, size, forged=False))
        b = _ink(rng, signature_coverage(other, rng, size, forged=kind == "skilled"))
        pairs.append(
            SignaturePair(a, b, int(kind == "genuine"), kind, writer.writer_id, other.writer_id)
        )
    return with_nuisance(pairs, nuisance, seed, fields=("a", "b"))
