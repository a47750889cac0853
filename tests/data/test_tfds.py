"""TFDS builders: optional import, in-house folders and manifests, generated sets by name."""

import contextlib
import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

tfds = pytest.importorskip("tensorflow_datasets")

from finvision import data  # noqa: E402
from finvision.data import tfds as builders  # noqa: E402


class FinvisionTestCounters(builders.GeneratedBuilder):
    """Counters: a generated set registered by name for this test."""

    SPLITS = ("train", "test")
    SUPERVISED_KEYS = ("image", "label")

    def features(self):
        return tfds.features.FeaturesDict(
            {
                "image": tfds.features.Image(shape=(2, 2, 1)),
                "label": tfds.features.ClassLabel(names=["even", "odd"]),
            }
        )

    def generate(self, split):
        for value in range(4 if split == "train" else 2):
            yield {"image": np.full((2, 2, 1), value, np.uint8), "label": value % 2}


def _prepare(builder):
    with contextlib.redirect_stdout(io.StringIO()):
        builder.download_and_prepare()
    return builder


def test_tfds_stays_optional():
    probe = textwrap.dedent(
        """
        import sys
        import finvision.data
        assert "tensorflow_datasets" not in sys.modules, "imported by finvision.data"
        sys.modules["tensorflow_datasets"] = None  # as if not installed
        try:
            import finvision.data.tfds
        except ImportError as error:
            print(error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == (
        "finvision.data.tfds needs TensorFlow Datasets; install it with "
        "`pip install 'finvision[datasets]'`."
    )


def test_generated_builder_loads_by_name_offline(tmp_path):
    with contextlib.redirect_stdout(io.StringIO()):
        train, test = tfds.load(
            "finvision_test_counters",
            split=["train", "test"],
            data_dir=str(tmp_path),
            as_supervised=True,
            shuffle_files=False,
        )
    assert sorted((int(x[0, 0, 0]), int(y)) for x, y in train) == [(0, 0), (1, 1), (2, 0), (3, 1)]
    assert len(list(test)) == 2


def test_in_house_folder_matches_load_image(zoo, tmp_path):
    source = tmp_path / "source"
    (source / "scans").mkdir(parents=True)
    for name in ("rgba.png", "gray16.tif", "exif_6.jpg", "multipage.tif"):
        (source / "scans" / name).write_bytes(zoo.good[name].read_bytes())
    (source / "scans" / "empty.png").write_bytes(b"")
    config = builders.InHouseConfig(name="scans_v1", source=str(source))
    builder = builders.FinvisionInHouse(config=config, data_dir=str(tmp_path / "tfds"))
    with pytest.warns(data.SkippedFilesWarning, match="empty.png"):
        _prepare(builder)
    assert builder.report.num_skipped == 1
    assert builder.info.splits["train"].num_examples == 6  # three single pages, three pages
    for example in builder.as_dataset(split="train").as_numpy_iterator():
        path, page = example["path"].decode(), int(example["page"])
        expected = np.round(data.load_image(path, page=page)).astype(np.uint8)
        np.testing.assert_array_equal(example["image"], expected, err_msg=path)
        assert example["label"] == 0 and example["group"].decode() == path


def test_in_house_manifest_with_masks_texts_and_groups(tmp_path):
    lines = ["file,mask,kind,line,writer"]
    for index in range(8):
        Image.new("L", (6, 4), 10 * index).save(tmp_path / f"{index}.png")
        mask = np.zeros((4, 6), np.uint8)
        mask[0, index % 6] = 255
        Image.fromarray(mask).save(tmp_path / f"m{index}.png")
        lines.append(
            f"{index}.png,m{index}.png,{'forged' if index % 4 == 0 else 'genuine'},"
            f"L{index},w{index // 2}"
        )
    (tmp_path / "sheet.csv").write_text("\n".join(lines) + "\n")
    config = builders.InHouseConfig(
        name="signatures",
        source=str(tmp_path / "sheet.csv"),
        path_column="file",
        label_columns="kind",
        mask_column="mask",
        text_column="line",
        group_column="writer",
        color_mode="grayscale",
        validation_split=0.25,
        seed=0,
    )
    builder = _prepare(builders.FinvisionInHouse(config=config, data_dir=str(tmp_path / "t")))
    assert builder.info.features["label"].names == ["forged", "genuine"]
    writers = {}
    for split in ("train", "validation"):
        for example in builder.as_dataset(split=split).as_numpy_iterator():
            index = int(example["text"].decode()[1:])
            assert example["image"][0, 0, 0] == 10 * index
            assert example["label"] == (0 if index % 4 == 0 else 1)
            assert example["mask"].shape == (4, 6, 1) and example["mask"].sum() == 1
            assert example["mask"][0, index % 6, 0] == 1
            writers.setdefault(split, set()).add(example["group"].decode())
    assert len(writers["validation"]) == 1 and not writers["train"] & writers["validation"]


def test_in_house_needs_a_config():
    with pytest.raises(ValueError, match=r"`config` must be an InHouseConfig naming a folder"):
        builders.FinvisionInHouse()


def test_a_file_that_fails_only_when_decoded_is_skipped_and_reported(tmp_path):
    source = tmp_path / "source"
    (source / "scans").mkdir(parents=True)
    good = np.full((6, 8, 3), 90, np.uint8)
    Image.fromarray(good).save(source / "scans" / "good.png")
    noise = np.random.default_rng(0).integers(0, 256, (48, 48, 3), dtype=np.uint8)
    Image.fromarray(noise).save(source / "scans" / "cut.jpg", quality=95)
    whole = (source / "scans" / "cut.jpg").read_bytes()
    (source / "scans" / "cut.jpg").write_bytes(whole[: len(whole) // 2])  # header intact
    config = builders.InHouseConfig(name="cut_v1", source=str(source))
    builder = builders.FinvisionInHouse(config=config, data_dir=str(tmp_path / "tfds"))
    with pytest.warns(data.SkippedFilesWarning, match=r"cut\.jpg while reading"):
        _prepare(builder)
    assert [path for path, _ in builder.report.skipped] == [str(source / "scans" / "cut.jpg")]
    examples = list(builder.as_dataset(split="train").as_numpy_iterator())
    paths = [example["path"].decode() for example in examples]
    assert paths == [str(source / "scans" / "good.png")]
    np.testing.assert_array_equal(examples[0]["image"], good)
