"""from_directory: labels, splits, shuffling and argument errors, checked exactly."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from finvision import data

COUNTS = {"fraud": 5, "genuine": 10}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Each file is one flat gray level, unique across the folder: pixels name the file."""
    root = tmp_path_factory.mktemp("classes")
    level, owner = 10, {}
    for name, count in COUNTS.items():
        (root / name).mkdir()
        for index in range(count):
            Image.new("L", (6, 4), level).save(root / name / f"{index:02d}.png")
            owner[level] = (name, f"{index:02d}.png")
            level += 5
    pages = [Image.new("L", (6, 4), value) for value in (200, 205, 210)]
    pages[0].save(root / "genuine" / "pages.tif", save_all=True, append_images=pages[1:])
    for value in (200, 205, 210):
        owner[value] = ("genuine", "pages.tif")
    return root, owner


def _levels(dataset):
    pairs = [(x[..., 0, 0, 0], y) for x, y in dataset.as_numpy_iterator()]
    return np.concatenate([x for x, _ in pairs]).astype(int), np.concatenate([y for _, y in pairs])


def test_labels_follow_folders_exactly(folder):
    root, owner = folder
    dataset = data.from_directory(root, image_size=(4, 6), color_mode="grayscale", seed=1)
    assert dataset.class_names == ["fraud", "genuine"]
    assert dataset.element_spec[0].shape.as_list() == [None, 4, 6, 1]
    assert dataset.element_spec[1].dtype.name == "int32"
    levels, labels = _levels(dataset)
    assert sorted(levels) == sorted(owner)  # every page once
    for level, label in zip(levels, labels, strict=True):
        assert dataset.class_names[label] == owner[level][0]
    assert dataset.labels.tolist() == [0] * 5 + [1] * 13
    assert [p.rsplit("/", 2)[-2] for p in dataset.file_paths] == ["fraud"] * 5 + ["genuine"] * 13


def test_shuffle_reorders_every_epoch_and_off_keeps_order(folder):
    root, _ = folder
    shuffled = data.from_directory(root, image_size=(4, 6), batch_size=None, seed=3)
    # Pages Pillow decodes may still be skipped while reading, so the count is
    # known only when nothing can be skipped.
    assert shuffled.cardinality() == tf.data.UNKNOWN_CARDINALITY
    strict = data.from_directory(root, image_size=(4, 6), batch_size=5, on_error="raise")
    assert len(strict) == 4
    epochs = [[int(x[0, 0, 0]) for x, _ in shuffled.as_numpy_iterator()] for _ in range(2)]
    assert sorted(epochs[0]) == sorted(epochs[1]) and epochs[0] != epochs[1]
    ordered = data.from_directory(root, image_size=(4, 6), batch_size=None, shuffle=False)
    levels = [int(x[0, 0, 0]) for x, _ in ordered.as_numpy_iterator()]
    assert levels == [*range(10, 85, 5), 200, 205, 210]


def test_class_names_select_and_order_folders(folder):
    root, _ = folder
    dataset = data.from_directory(
        root, image_size=(4, 6), class_names=["genuine"], shuffle=False, pages="first"
    )
    assert dataset.class_names == ["genuine"] and dataset.labels.tolist() == [0] * 11
    with pytest.raises(ValueError, match=r"`class_names` must list distinct subfolders.*'cash'"):
        data.from_directory(root, image_size=(4, 6), class_names=["cash"])


def test_explicit_labels_and_no_labels(folder):
    root, _ = folder
    labels = list(range(16))
    dataset = data.from_directory(root, image_size=(4, 6), labels=labels, shuffle=False)
    assert dataset.labels.tolist() == [*labels[:15], 15, 15, 15]  # three pages share one label
    images = data.from_directory(root, image_size=(4, 6), labels=None, batch_size=4)
    assert images.element_spec.shape.as_list() == [None, 4, 6, 3]
    assert images.class_names is None
    with pytest.raises(ValueError, match=r"one int per image file \(16 found"):
        data.from_directory(root, image_size=(4, 6), labels=[0, 1])


def test_validation_split_is_stratified_disjoint_and_keeps_pages_together(folder):
    root, owner = folder
    train, val = data.from_directory(
        root, image_size=(4, 6), validation_split=0.2, subset="both", seed=5
    )
    again = data.from_directory(
        root, image_size=(4, 6), validation_split=0.2, subset="validation", seed=5
    )
    assert again.file_paths == val.file_paths
    train_files, val_files = set(train.file_paths), set(val.file_paths)
    assert not train_files & val_files
    assert len(train_files | val_files) == 16
    # Stratified by element: fraud 5 -> 1 held out; genuine 13 (a 3-page file) -> 2.6, so 3
    assert np.bincount(val.labels).tolist() == [1, 3]
    assert np.bincount(train.labels).tolist() == [4, 10]
    val_levels, _ = _levels(val)
    first = [int(x[0, 0, 0]) for x, _ in val.unbatch().as_numpy_iterator()]
    assert first == sorted(first) and val_levels.tolist() == first  # validation is not shuffled
    assert {owner[level][1] for level in val_levels} == {p.rsplit("/", 1)[-1] for p in val_files}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"image_size": (0, 224)},
            r"`image_size` must be a pair of positive ints, received \(0, 224\)",
        ),
        ({"image_size": 224}, r"`image_size` must be a pair of positive ints, received 224"),
        (
            {"color_mode": "rgba"},
            r"`color_mode` must be one of \('rgb', 'grayscale'\); received 'rgba'",
        ),
        (
            {"on_error": "ignore"},
            r"`on_error` must be one of \('skip', 'raise'\); received 'ignore'",
        ),
        ({"pages": 2}, r"`pages` must be one of \('all', 'first'\); received 2"),
        ({"interpolation": "cubic"}, r"`interpolation` must be one of .*received 'cubic'"),
        ({"batch_size": 0}, r"`batch_size` must be a positive int or None, received 0"),
        ({"subset": "training"}, r"`subset` needs `validation_split`"),
        (
            {"validation_split": 1.0, "subset": "both", "seed": 1},
            r"strictly between 0 and 1, received 1.0",
        ),
        ({"validation_split": 0.2, "subset": "test", "seed": 1}, r"`subset` must be one of"),
        (
            {"validation_split": 0.2, "subset": "both"},
            r"`seed` must be an int when `validation_split`",
        ),
        ({"labels": None, "class_names": ["a"]}, r'`class_names` needs labels="inferred"'),
    ],
)
def test_argument_errors_name_the_argument(folder, arguments, message):
    root, _ = folder
    arguments = {"image_size": (4, 6), **arguments}
    with pytest.raises(ValueError, match=message):
        data.from_directory(root, **arguments)


def test_missing_folder_and_folder_without_classes(tmp_path):
    with pytest.raises(ValueError, match=r"`path` must be an existing folder, received '.*nope'"):
        data.from_directory(tmp_path / "nope", image_size=(4, 4))
    with pytest.raises(ValueError, match=r'labels="inferred"` needs one subfolder per class'):
        data.from_directory(tmp_path, image_size=(4, 4))


def test_tiny_validation_split_that_leaves_no_images_raises(folder):
    root, _ = folder
    with pytest.raises(ValueError, match=r"No images in the 'validation' subset"):
        data.from_directory(
            root, image_size=(4, 6), validation_split=0.01, subset="validation", seed=0
        )


def test_hidden_folders_and_files_are_not_classes_or_images(tmp_path):
    for name in ("cheque", "id_card"):
        (tmp_path / name).mkdir()
        Image.new("L", (6, 4), 50).save(tmp_path / name / "scan.png")
    for hidden in (".ipynb_checkpoints", ".preset.staging-12-abc", "cheque/.thumbnails"):
        (tmp_path / hidden).mkdir()
        Image.new("L", (6, 4), 250).save(tmp_path / hidden / "copy.png")
    Image.new("L", (6, 4), 250).save(tmp_path / "cheque" / "._scan.png")  # macOS metadata
    dataset = data.from_directory(tmp_path, image_size=(4, 6), shuffle=False)
    assert dataset.class_names == ["cheque", "id_card"]
    assert [p.relative_to(tmp_path).as_posix() for p in map(Path, dataset.file_paths)] == [
        "cheque/scan.png",
        "id_card/scan.png",
    ]
    assert dataset.labels.tolist() == [0, 1]


def test_a_class_with_no_images_or_only_broken_ones_is_refused(tmp_path):
    for name in ("cheque", "id_card"):
        (tmp_path / name).mkdir()
    Image.new("L", (6, 4), 50).save(tmp_path / "cheque" / "scan.png")
    (tmp_path / "id_card" / "notes.txt").write_text("no images here")
    with pytest.raises(ValueError, match=r"id_card' holds no image files.*`class_names=`"):
        data.from_directory(tmp_path, image_size=(4, 6))
    assert data.from_directory(tmp_path, image_size=(4, 6), class_names=["cheque"]).labels.size
    (tmp_path / "id_card" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with (
        pytest.warns(data.SkippedFilesWarning),
        pytest.raises(ValueError, match=r"Classes \['id_card'\] .* have no readable images"),
    ):
        data.from_directory(tmp_path, image_size=(4, 6))
