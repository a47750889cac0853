"""from_csv: labels, masks, transcripts, relative paths, groups; read_manifest."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from finvision import data


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cheques(tmp_path_factory):
    """Six cheques (flat gray levels) with masks, MICR lines and writers."""
    root = tmp_path_factory.mktemp("cheques")
    (root / "images").mkdir()
    (root / "masks").mkdir()
    lines = ["file,mask,status,micr,writer,stamp,signed"]
    for index in range(6):
        Image.new("L", (8, 4), 20 + 10 * index).save(root / "images" / f"{index}.png")
        mask = np.zeros((4, 8), np.uint8)
        mask[:, index] = 1  # one tampered column, value 1 (not 255)
        Image.fromarray(mask).save(root / "masks" / f"{index}.png")
        status = "fraud" if index % 3 == 0 else "genuine"
        mask_cell = f"masks/{index}.png" if index != 5 else ""
        lines.append(
            f"images/{index}.png,{mask_cell},{status},T{index:03d}A,w{index // 2},{index % 2},"
            f"{'true' if index < 3 else 'false'}"
        )
    manifest = _write(root / "cheques.csv", "\n".join(lines) + "\n")
    return root, manifest


def test_labels_masks_and_text_follow_their_rows(cheques):
    _, manifest = cheques
    dataset = data.from_csv(
        manifest,
        path_column="file",
        image_size=(4, 8),
        label_columns="status",
        mask_column="mask",
        text_column="micr",
        color_mode="grayscale",
        batch_size=None,
        seed=0,
    )
    assert dataset.class_names == ["fraud", "genuine"]
    seen = set()
    for image, targets in dataset.as_numpy_iterator():
        index = (int(image[0, 0, 0]) - 20) // 10
        seen.add(index)
        assert targets["label"] == (0 if index % 3 == 0 else 1)
        assert targets["text"] == f"T{index:03d}A".encode()
        expected = np.zeros((4, 8, 1), np.float32)
        if index != 5:  # an empty mask cell means nothing is tampered
            expected[:, index] = 1.0
        np.testing.assert_array_equal(targets["mask"], expected)
    assert seen == set(range(6))


def test_letterboxed_masks_stay_binary_with_zero_margins(cheques):
    _, manifest = cheques
    dataset = data.from_csv(
        manifest,
        path_column="file",
        image_size=(8, 8),
        mask_column="mask",
        keep_aspect=True,
        shuffle=False,
        batch_size=6,
    )
    images, masks = next(iter(dataset))
    assert images.shape == (6, 8, 8, 3) and masks.shape == (6, 8, 8, 1)
    assert set(np.unique(masks.numpy())) <= {0.0, 1.0}
    np.testing.assert_array_equal(masks[:, :2], 0.0)  # 4 x 8 content centred in 8 x 8
    np.testing.assert_array_equal(masks[:, 6:], 0.0)
    np.testing.assert_array_equal(images[:, :2], 255.0)
    assert masks[0, 2:6, 0, 0].numpy().tolist() == [1.0] * 4


def test_multi_hot_labels_and_single_target(cheques):
    _, manifest = cheques
    dataset = data.from_csv(
        manifest,
        path_column="file",
        image_size=(4, 8),
        label_columns=["stamp", "signed"],
        shuffle=False,
    )
    _, labels = next(iter(dataset))
    assert dataset.class_names == ["stamp", "signed"]
    assert labels.numpy().tolist() == [[0, 1], [1, 1], [0, 1], [1, 0], [0, 0], [1, 0]]


def test_numeric_classes_sort_by_value_and_class_names_fix_the_order(tmp_path):
    for name in "abc":
        Image.new("L", (2, 2)).save(tmp_path / f"{name}.png")
    manifest = _write(tmp_path / "m.csv", "path,digit\na.png,10\nb.png,9\nc.png,2\n")
    dataset = data.from_csv(manifest, path_column="path", image_size=(2, 2), label_columns="digit")
    assert dataset.class_names == ["2", "9", "10"]
    assert dataset.labels.tolist() == [2, 1, 0]
    named = data.from_csv(
        manifest,
        path_column="path",
        image_size=(2, 2),
        label_columns="digit",
        class_names=["10", "9", "2"],
    )
    assert named.labels.tolist() == [0, 1, 2]


def test_absolute_paths_and_byte_order_mark(tmp_path):
    Image.new("RGB", (3, 3), (9, 9, 9)).save(tmp_path / "abs.png")
    (tmp_path / "sub").mkdir()
    manifest = tmp_path / "sub" / "m.csv"
    manifest.write_bytes(f"\ufeffpath\n{tmp_path / 'abs.png'}\n".encode())
    dataset = data.from_csv(manifest, path_column="path", image_size=(3, 3))
    assert dataset.file_paths == [str(tmp_path / "abs.png")]
    assert next(iter(dataset)).numpy().max() == 9.0


def test_group_split_never_divides_a_writer(cheques):
    _, manifest = cheques
    train, val = data.from_csv(
        manifest,
        path_column="file",
        image_size=(4, 8),
        label_columns="status",
        group_column="writer",
        validation_split=0.34,
        subset="both",
        seed=2,
    )
    writers = {f"images/{i}.png": f"w{i // 2}" for i in range(6)}

    def groups(dataset):
        return {
            writers[path.split("cheques", 1)[1].split("/", 1)[1]] for path in dataset.file_paths
        }

    assert not groups(train) & groups(val)
    assert len(train.file_paths) + len(val.file_paths) == 6
    assert len(val.file_paths) == 2


def test_bad_rows_raise_naming_the_line(cheques, tmp_path):
    root, manifest = cheques
    with pytest.raises(ValueError, match=r"`path_column` names column 'image'.*'file', 'mask'"):
        data.from_csv(manifest, path_column="image", image_size=(4, 4))
    image = root / "images" / "0.png"
    bad = _write(tmp_path / "bad.csv", f"path,label\n{image},fraud\n{image},\n")
    with pytest.raises(ValueError, match=r"bad.csv', line 3: empty label in column 'label'"):
        data.from_csv(bad, path_column="path", image_size=(4, 4), label_columns="label")
    with pytest.raises(ValueError, match=r"line 2: label 'fraud' in column 'status' is not in"):
        data.from_csv(
            manifest,
            path_column="file",
            image_size=(4, 4),
            label_columns="status",
            class_names=["genuine"],
        )
    with pytest.raises(ValueError, match=r"line 2: column 'status' must hold 0 or 1"):
        data.from_csv(manifest, path_column="file", image_size=(4, 4), label_columns=["status"])


def test_bad_masks_and_missing_files_are_skipped(cheques, tmp_path):
    root, _ = cheques
    Image.new("L", (5, 4)).save(tmp_path / "narrow.png")
    image = root / "images" / "0.png"
    manifest = _write(
        tmp_path / "masks.csv",
        f"path,mask\n{image},narrow.png\nmissing.png,\n{image},{root / 'masks' / '0.png'}\n",
    )
    with pytest.warns(data.SkippedFilesWarning, match="Skipped 2 of 3"):
        dataset = data.from_csv(manifest, path_column="path", image_size=(4, 4), mask_column="mask")
    assert dataset.report.skipped == [
        (
            str(image),
            f"mask '{tmp_path / 'narrow.png'}' is 4x5 pixels, the image 4x8 "
            "(height x width, upright)",
        ),
        (str(tmp_path / "missing.png"), "file not found"),
    ]


def test_read_manifest_errors(tmp_path):
    with pytest.raises(ValueError, match="is empty; expected a header line"):
        data.read_manifest(_write(tmp_path / "empty.csv", ""))
    with pytest.raises(ValueError, match="has a header but no data rows"):
        data.read_manifest(_write(tmp_path / "header.csv", "path,label\n"))
    manifest = data.read_manifest(_write(tmp_path / "ok.csv", "path , label\n a.png ,x\n"))
    assert manifest.columns == ("path", "label")
    assert manifest.column("path") == ["a.png"]
    assert manifest.resolve("a.png") == str(tmp_path / "a.png")


def _scans(root, count=3):
    for index in range(count):
        Image.new("L", (6, 4), 10 * index).save(root / f"{index}.png")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("0.png,cheque\n1.png,NaN\n", r"line 3: missing label 'NaN' in column 'label'"),
        ("0.png,1\n1.png,1.0\n2.png,2\n", r"labels \['1', '1.0'\] in column 'label' differ only"),
        ("0.png,Cheque\n1.png,cheque\n", r"labels \['Cheque', 'cheque'\] .* differ only in case"),
        ("0.png,cheque\n1.png,id\n0.png,id\n", r"line 4: the image '.*0.png' is listed again with"),
    ],
    ids=["nan", "number-format", "case", "two-labels"],
)
def test_labels_that_would_silently_split_or_double_a_class_are_refused(tmp_path, rows, message):
    _scans(tmp_path)
    manifest = _write(tmp_path / "m.csv", "path,label\n" + rows)
    with pytest.raises(ValueError, match=message):
        data.from_csv(manifest, path_column="path", label_columns="label", image_size=(4, 6))


def test_header_and_encoding_problems_name_the_file(tmp_path):
    repeated = _write(tmp_path / "repeated.csv", "path,label,label\n0.png,a,b\n")
    with pytest.raises(ValueError, match=r"repeated.csv' repeats the columns \['label'\]"):
        data.read_manifest(repeated)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("path,label\n0.png,chèque\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.csv' must be UTF-8 text; byte 19 is not"):
        data.read_manifest(latin)


def test_root_confines_the_paths_of_a_received_manifest(tmp_path):
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    inside.mkdir(), outside.mkdir()
    _scans(inside), _scans(outside)
    (inside / "link.png").symlink_to(outside / "0.png")
    options = {"path_column": "path", "label_columns": "label", "image_size": (4, 6)}
    good = _write(inside / "good.csv", "path,label\n0.png,a\n1.png,b\n")
    assert data.from_csv(good, root=inside, **options).file_paths == [
        str(inside.resolve() / "0.png"),
        str(inside.resolve() / "1.png"),
    ]
    for escape in ("../outside/0.png", str(outside / "0.png"), "~/0.png", "link.png"):
        manifest = _write(inside / "bad.csv", f"path,label\n0.png,a\n{escape},b\n")
        with pytest.raises(ValueError, match=rf"path '{re.escape(escape)}' leads outside the root"):
            data.from_csv(manifest, root=inside, **options)
    assert len(data.from_csv(manifest, **options).file_paths) == 2  # unconfined: followed


def test_a_split_that_would_be_empty_is_refused():
    rows = tuple({"path": f"{i}.png", "label": "a"} for i in range(3))
    manifest = data.Manifest(rows, ("path", "label"), Path("."))
    with pytest.raises(ValueError, match=r"leave split 1 of manifest empty: its 3 rows"):
        data.stratified_split(manifest, fractions=(0.9, 0.1), label_columns="label")
