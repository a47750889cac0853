"""blink_clips: shapes, seeds, the blink profile and argument errors."""

import numpy as np
import pytest

from finvision.data.synthetic import BLINK_CLIP_CLASSES, blink_clips
from finvision.data.synthetic.clips import _blink_profile


def test_shapes_dtypes_and_classes():
    clips = blink_clips(6, seed=3, frames=5, size=(24, 40))
    assert clips.clips.shape == (6, 5, 24, 40, 3)
    assert clips.clips.dtype == np.uint8
    assert clips.labels.dtype == np.int32
    assert set(clips.labels.tolist()) <= {0, 1}
    assert clips.class_names == BLINK_CLIP_CLASSES == ("live_blink", "shuffled_frames")


def test_a_longer_run_extends_a_shorter_one_and_seeds_differ():
    short, long = blink_clips(3, seed=4), blink_clips(5, seed=4)
    np.testing.assert_array_equal(long.clips[:3], short.clips)
    np.testing.assert_array_equal(long.labels[:3], short.labels)
    assert not np.array_equal(blink_clips(3, seed=5).clips, short.clips)


def test_labels_are_balanced():
    labels = blink_clips(400, seed=0, size=(16, 16), frames=4).labels
    assert 160 < labels.sum() < 240  # binomial(400, 0.5): 5 standard deviations


def test_every_blink_closes_once_and_opens_fully():
    for seed in range(200):
        profile = _blink_profile(np.random.default_rng(seed), 8)
        closed = int(profile.argmin())
        assert profile.min() == 0.0 and profile.max() == 1.0
        assert np.all(np.diff(profile[: closed + 1]) <= 0)  # closing
        assert np.all(np.diff(profile[closed:]) >= 0)  # opening


def test_empty_set():
    assert blink_clips(0, seed=0, frames=4).clips.shape == (0, 4, 32, 32, 3)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"frames": 3}, "`frames` must be an int >= 4; received 3"),
        ({"frames": True}, "`frames` must be an int >= 4; received True"),
        ({"size": (8, 32)}, r"`size` must be a pair \(height, width\) of ints >= 16"),
        ({"seed": -1}, "`seed` must be a non-negative int; received -1"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        blink_clips(2, **{"seed": 0, **arguments})
