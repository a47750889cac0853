"""Bad files: skipped and reported, or raised with path and cause; inputs never written."""

import os
import re
import shutil
import warnings

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from finvision import data
from tests.data.conftest import digest

UP_FRONT = {
    "empty.png": "empty file (0 bytes)",
    "text.jpg": "not an image file Pillow can identify",
    "trunc.png": "corrupt or truncated",
}
WHILE_READING = {"trunc.jpg": "image file is truncated", "trunc.tif": "corrupt or truncated"}


@pytest.fixture(scope="module")
def mixed(zoo, tmp_path_factory):
    """Two classes: good images in both, every bad file in the second."""
    root = tmp_path_factory.mktemp("mixed")
    for label, names in (("genuine", ["rgb.png", "gray.jpg"]), ("fraud", ["lzw.tif"])):
        (root / label).mkdir()
        for name in names:
            shutil.copy(zoo.good[name], root / label / name)
    for name, path in zoo.bad.items():
        shutil.copy(path, root / "fraud" / name)
    return root


def _reasons(report):
    return {path.rsplit("/", 1)[-1]: reason for path, reason in report.skipped}


def test_skip_reports_bad_files_up_front_and_while_reading(mixed):
    before = digest(mixed)
    with pytest.warns(data.SkippedFilesWarning, match=r"Skipped 3 of 8 files in .*mixed") as caught:
        dataset = data.from_directory(mixed, image_size=(8, 8), batch_size=2, shuffle=False)
    assert len(caught) == 1
    report = dataset.report
    assert (report.files, report.images, report.num_skipped) == (8, 5, 3)
    assert _reasons(report).keys() == UP_FRONT.keys()
    for name, reason in UP_FRONT.items():
        assert _reasons(report)[name].startswith(reason), _reasons(report)[name]
    assert sorted(path.rsplit("/", 1)[-1] for path in dataset.file_paths) == [
        "gray.jpg",
        "lzw.tif",
        "rgb.png",
        "trunc.jpg",
        "trunc.tif",
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = np.concatenate([y for _, y in dataset.as_numpy_iterator()])
    assert sorted(labels.tolist()) == [0, 1, 1]  # fraud: lzw.tif; genuine: two files
    assert len(caught) == 2 and all(w.category is data.SkippedFilesWarning for w in caught)
    assert report.num_skipped == 5
    for name, reason in WHILE_READING.items():
        assert reason in _reasons(report)[name]
    for _ in dataset:  # a second epoch reports nothing new
        pass
    assert report.num_skipped == 5
    assert digest(mixed) == before


@pytest.mark.parametrize("name", sorted(UP_FRONT))
def test_raise_names_the_path_and_cause_before_loading(zoo, tmp_path, name):
    (tmp_path / "only").mkdir()
    shutil.copy(zoo.bad[name], tmp_path / "only" / name)
    with pytest.raises(
        data.UnreadableImageError, match=rf"'.*only/{name}': {re.escape(UP_FRONT[name])}"
    ):
        data.from_directory(tmp_path, image_size=(8, 8), on_error="raise")


def test_raise_while_reading_names_the_path(zoo, tmp_path):
    (tmp_path / "only").mkdir()
    shutil.copy(zoo.bad["trunc.tif"], tmp_path / "only" / "trunc.tif")
    dataset = data.from_directory(tmp_path, image_size=(8, 8), on_error="raise")
    with pytest.raises(tf.errors.OpError, match=r"Cannot load image '.*trunc.tif': corrupt"):
        list(dataset)


def test_decompression_bomb_is_skipped_at_pillows_limit(tmp_path, monkeypatch):
    (tmp_path / "scans").mkdir()
    Image.new("L", (40, 30)).save(tmp_path / "scans" / "big.png")
    Image.new("L", (20, 10)).save(tmp_path / "scans" / "small.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.warns(data.SkippedFilesWarning, match="decompression bomb"):
        dataset = data.from_directory(tmp_path, image_size=(8, 8))
    assert dataset.report.skipped == [
        (
            str(tmp_path / "scans" / "big.png"),
            "decompression bomb: 40 x 30 = 1,200 pixels exceeds PIL.Image.MAX_IMAGE_PIXELS (1,000)",
        )
    ]
    with pytest.raises(data.UnreadableImageError, match=r"big.png': decompression bomb"):
        data.from_directory(tmp_path, image_size=(8, 8), on_error="raise")


def test_nothing_left_raises(zoo, tmp_path):
    (tmp_path / "only").mkdir()
    shutil.copy(zoo.bad["empty.png"], tmp_path / "only" / "empty.png")
    with (
        pytest.warns(data.SkippedFilesWarning),
        pytest.raises(
            ValueError, match=r"No images to load from .*: 1 files considered, 1 skipped"
        ),
    ):
        data.from_directory(tmp_path, image_size=(8, 8))


def test_report_lists_at_most_five_files_in_the_warning(tmp_path):
    (tmp_path / "only").mkdir()
    for index in range(7):
        (tmp_path / "only" / f"{index}.png").write_bytes(b"")
    Image.new("L", (4, 4)).save(tmp_path / "only" / "ok.png")
    with pytest.warns(data.SkippedFilesWarning, match=r"Skipped 7 of 8 .*; and 2 more\."):
        dataset = data.from_directory(tmp_path, image_size=(4, 4))
    assert str(dataset.report).splitlines()[0].endswith("8 files, 1 images, 7 skipped")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_named_as_such_and_never_opened(tmp_path):
    pipe = tmp_path / "scan.png"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer forever
    with pytest.raises(data.UnreadableImageError, match=r"not a regular file but a named pipe"):
        data.load_image(pipe)
