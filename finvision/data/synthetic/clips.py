"""Short selfie clips where only the order of the frames tells the classes apart."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from finvision._validation import check_non_negative_int, is_int
from finvision.data.synthetic._checks import check_size
from finvision.data.synthetic._random import CLIP_STREAM, sample_generators

#: The classes of :func:`blink_clips`, in label order.
BLINK_CLIP_CLASSES = ("live_blink", "shuffled_frames")
#: Faces are drawn at this many times the output size, then downsampled (anti-aliasing).
_SUPERSAMPLING = 4


@dataclasses.dataclass(frozen=True)
class Clips:
    """Clips of frames with their class.

    Attributes:
        clips: RGB uint8 ``(N, frames, height, width, 3)``.
        labels: int32 ``(N,)``, indices into ``class_names``.
        class_names: :data:`BLINK_CLIP_CLASSES`.

    Example:
    >>> clips = blink_clips(2, seed=0, frames=4)
    >>> clips.clips.shape, clips.class_names
    ((2, 4, 32, 32, 3), ('live_blink', 'shuffled_frames'))
    """

    clips: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]


def blink_clips(count: int, *, seed: int, frames: int = 8, size: Sequence[int] = (32, 32)) -> Clips:
    """A seeded liveness set in which single frames cannot tell the classes apart.

    Each clip shows a face that blinks once: the eyes close over a frame or two
    at a random moment and open again (``"live_blink"``). A ``"shuffled_frames"``
    clip is drawn from a blink profile of the same distribution with its frames
    in random order, as a frame-injection attack splices stills together. Both
    classes hold the same kinds of frames in the same proportions (every clip
    has fully open, half-open and closed eyes), and each frame gets its own
    small head movement and lighting change whatever its class, so any
    classifier of single frames, or of the average of a clip's frames, is at
    chance: only the order of the frames carries the label. Labels are
    balanced in expectation.

    Args:
        count: how many clips.
        seed: a non-negative int.
        frames: frames per clip, at least 4.
        size: ``(height, width)`` of a frame, at least 16 x 16.

    Returns:
        A :class:`Clips`.

    Raises:
        ValueError: for a bad ``count``, ``seed``, ``frames`` or ``size``.

    Example:
    >>> clips = blink_clips(6, seed=1, frames=6)
    >>> clips.clips.dtype.name, clips.labels.tolist()
    ('uint8', [1, 0, 1, 0, 0, 0])
    """
    count, seed = check_non_negative_int("count", count), check_non_negative_int("seed", seed)
    height, width = check_size(size)
    if not is_int(frames) or frames < 4:
        raise ValueError(f"`frames` must be an int >= 4; received {frames!r}.")
    clips, labels = [], []
    for rng in sample_generators(CLIP_STREAM, seed, count):
        label = int(rng.integers(2))
        openness = _blink_profile(rng, int(frames))
        if label == 1:
            openness = rng.permutation(openness)
        clips.append(_draw_clip(rng, openness, height, width))
        labels.append(label)
    shape = (0, frames, height, width, 3)
    stacked = np.stack(clips) if clips else np.zeros(shape, np.uint8)
    return Clips(stacked, np.array(labels, np.int32), BLINK_CLIP_CLASSES)


def _blink_profile(rng: np.random.Generator, frames: int) -> np.ndarray:
    """Eye openness per frame: 1 open, 0 closed; one blink centred at a random frame."""
    centre = rng.uniform(1.5, frames - 2.5)
    half_width = rng.uniform(1.0, 2.0)
    distance = np.abs(np.arange(frames) - centre)
    return np.clip((distance - 0.5) / half_width, 0.0, 1.0)


def _draw_clip(
    rng: np.random.Generator, openness: np.ndarray, height: int, width: int
) -> np.ndarray:
    """One face, drawn once per frame with that frame's eye openness and jitter."""
    scale = _SUPERSAMPLING
    background = tuple(int(v) for v in rng.integers(40, 200, 3))
    skin = tuple(int(v) for v in rng.integers(120, 230, 3))
    radius = min(height, width) * scale * rng.uniform(0.36, 0.44)
    centre = np.array([width, height]) * scale / 2 + rng.normal(0, scale, 2)
    drawn = []
    for eye_openness in openness:
        moved = centre + rng.normal(0, 0.8 * scale, 2)
        frame = Image.new("RGB", (width * scale, height * scale), background)
        draw = ImageDraw.Draw(frame)
        x, y = moved
        draw.ellipse((x - radius, y - 1.15 * radius, x + radius, y + 1.15 * radius), skin)
        for side in (-1, 1):
            _draw_eye(draw, x + side * 0.4 * radius, y - 0.25 * radius, radius, eye_openness)
        small = frame.resize((width, height), Image.Resampling.BOX)
        lit = np.asarray(small, np.float32) * rng.uniform(0.85, 1.15)
        drawn.append(np.clip(np.rint(lit), 0, 255).astype(np.uint8))
    return np.stack(drawn)


def _draw_eye(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float, openness: float):
    """An eye: white with a dark iris when open, a dark lid line when closed."""
    half_width, half_height = 0.22 * radius, 0.16 * radius * openness
    if half_height < 0.02 * radius:
        draw.line((x - half_width, y, x + half_width, y), fill=(40, 25, 20), width=3)
        return
    draw.ellipse((x - half_width, y - half_height, x + half_width, y + half_height), "white")
    iris = min(half_height, 0.1 * radius)
    draw.ellipse((x - iris, y - iris, x + iris, y + iris), (30, 30, 60))
