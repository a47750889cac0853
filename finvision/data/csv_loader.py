"""``from_csv``: labels, tampering masks and transcripts from a CSV manifest."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from finvision.data import _checks
from finvision.data.manifest import Manifest, read_manifest
from finvision.data.pipeline import LoadOptions, build_datasets
from finvision.data.scan import Index, Source

_FLAGS = {"0": 0, "1": 1, "false": 0, "true": 1}
#: Cells that spreadsheets and pandas write for a missing value: not a class.
_MISSING = {"nan", "na", "n/a", "null", "none"}


def _row_error(manifest: Manifest, row: int, message: str) -> ValueError:
    # Row numbers as a spreadsheet shows them: the header is line 1.
    return ValueError(f"{manifest.name}, line {row + 2}: {message}")


def _class_indices(
    manifest: Manifest, column: str, class_names: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    values = manifest.column(column, "label_columns")
    for row, value in enumerate(values):
        if not value:
            raise _row_error(manifest, row, f"empty label in column {column!r}.")
        if value.lower() in _MISSING:
            raise _row_error(manifest, row, f"missing label {value!r} in column {column!r}.")
    if class_names is None:
        _check_one_spelling(manifest, column, values)
        names = sorted(set(values))
        if all(value.lstrip("-").isdigit() for value in names):
            names.sort(key=int)
    else:
        names = [str(name) for name in class_names]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"`class_names` must be distinct names, received {class_names!r}.")
        for row, value in enumerate(values):
            if value not in names:
                raise _row_error(
                    manifest, row, f"label {value!r} in column {column!r} is not in {names}."
                )
    index = {name: position for position, name in enumerate(names)}
    return np.array([index[value] for value in values], dtype=np.int32), names


def _spelling_key(value: str) -> str | float:
    try:
        return float(value)
    except ValueError:
        return value.casefold()


def _check_one_spelling(manifest: Manifest, column: str, values: list[str]) -> None:
    """Refuses labels that differ only in case or number format (``Cheque``, ``cheque``)."""
    spellings: dict[str | float, set[str]] = {}
    for value in values:
        spellings.setdefault(_spelling_key(value), set()).add(value)
    clashes = [sorted(names) for names in spellings.values() if len(names) > 1]
    if clashes:
        raise ValueError(
            f"{manifest.name}: the labels {clashes[0]} in column {column!r} differ only in case "
            "or number format and would become separate classes; write each class one way."
        )


def _check_one_label_per_image(manifest: Manifest, paths: list[str], labels: list) -> None:
    """Refuses an image listed on two rows with different labels (it would be kept twice)."""
    first: dict[str, tuple[int, Any]] = {}
    for row, (path, label) in enumerate(zip(paths, labels, strict=True)):
        line, seen = first.setdefault(path, (row, label))
        if seen != label:
            raise _row_error(
                manifest,
                row,
                f"the image {path!r} is listed again with label {label!r} (line {line + 2} "
                f"gives {seen!r}); list each image once, with all its labels on that row.",
            )


def _multi_hot(manifest: Manifest, columns: Sequence[str]) -> np.ndarray:
    table = np.zeros((len(manifest), len(columns)), dtype=np.int32)
    for position, column in enumerate(columns):
        for row, value in enumerate(manifest.column(column, "label_columns")):
            if value.lower() not in _FLAGS:
                raise _row_error(
                    manifest,
                    row,
                    f"column {column!r} must hold 0 or 1 (or true/false), received {value!r}.",
                )
            table[row, position] = _FLAGS[value.lower()]
    return table


def index_manifest(
    manifest: Manifest | str | os.PathLike,
    *,
    path_column: str,
    label_columns: str | Sequence[str] | None = None,
    mask_column: str | None = None,
    text_column: str | None = None,
    group_column: str | None = None,
    class_names: Sequence[str] | None = None,
    root: str | os.PathLike | None = None,
) -> Index:
    """Reads a manifest's files, labels, masks, texts and groups (see :func:`from_csv`).

    Args:
        manifest: a CSV path or a :class:`Manifest`.
        path_column: the column of image paths.
        label_columns: a column of class labels, a list of 0/1 columns, or None.
        mask_column: a column of mask paths (empty cell: no mask), or None.
        text_column: a column of transcripts, or None.
        group_column: the column of split groups; default: the image path.
        class_names: the label classes in index order (single label column).
        root: confine the paths to this folder (see :func:`read_manifest`).

    Returns:
        The :class:`Index`.

    Raises:
        ValueError: for a missing column, a bad label cell or bad ``class_names``.

    Example:
    >>> from pathlib import Path
    >>> rows = ({"file": "a.png", "digits": "7"}, {"file": "b.png", "digits": "10"})
    >>> index = index_manifest(Manifest(rows, ("file", "digits"), Path("/scans")),
    ...                        path_column="file", label_columns="digits")
    >>> index.class_names, index.columns["label"].tolist(), index.sources[1].path
    (['7', '10'], [0, 1], '/scans/b.png')
    """
    if not isinstance(manifest, Manifest):
        manifest = read_manifest(manifest, root=root)
    elif root is not None:
        manifest = dataclasses.replace(manifest, root=Path(root).resolve(), confined=True)
    if class_names is not None and not isinstance(label_columns, str):
        raise ValueError(
            "`class_names` applies to a single label column; received "
            f"label_columns={label_columns!r}."
        )
    paths = [manifest.resolve(path) for path in manifest.column(path_column, "path_column")]
    masks = (
        [manifest.resolve(p) if p else None for p in manifest.column(mask_column, "mask_column")]
        if mask_column is not None
        else [None] * len(paths)
    )
    columns: dict[str, np.ndarray] = {}
    names = None
    if isinstance(label_columns, str):
        columns["label"], names = _class_indices(manifest, label_columns, class_names)
    elif label_columns is not None:
        label_columns = list(label_columns)
        if not label_columns or not all(isinstance(c, str) for c in label_columns):
            raise ValueError(
                "`label_columns` must be a column name or a non-empty list of names, "
                f"received {label_columns!r}."
            )
        columns["label"], names = _multi_hot(manifest, label_columns), label_columns
    if label_columns is not None:  # after the checks of each cell
        label_names = [label_columns] if isinstance(label_columns, str) else label_columns
        cells = [manifest.column(c, "label_columns") for c in label_names]
        _check_one_label_per_image(manifest, paths, list(zip(*cells, strict=True)))
    if text_column is not None:
        columns["text"] = np.array(manifest.column(text_column, "text_column"), dtype=object)
    wanted = {"label": label_columns, "mask": mask_column, "text": text_column}
    return Index(
        name=manifest.name,
        sources=[Source(path, mask) for path, mask in zip(paths, masks, strict=True)],
        columns=columns,
        groups=manifest.column(group_column, "group_column") if group_column else paths,
        class_names=names,
        targets=tuple(key for key, value in wanted.items() if value is not None),
    )


def from_csv(
    manifest: Manifest | str | os.PathLike,
    *,
    path_column: str,
    image_size: tuple[int, int],
    label_columns: str | Sequence[str] | None = None,
    mask_column: str | None = None,
    text_column: str | None = None,
    group_column: str | None = None,
    class_names: Sequence[str] | None = None,
    root: str | os.PathLike | None = None,
    color_mode: str = "rgb",
    validation_split: float | None = None,
    subset: str | None = None,
    seed: int | None = None,
    batch_size: int | None = 32,
    shuffle: bool = True,
    keep_aspect: bool = False,
    interpolation: str = "bilinear",
    pages: str = "all",
    on_error: str = "skip",
) -> tf.data.Dataset | tuple[tf.data.Dataset, tf.data.Dataset]:
    r"""Loads the images a CSV manifest lists, with labels, masks and transcripts.

    Relative paths (images and masks) resolve against the manifest's folder.
    Images load exactly as in :func:`finvision.data.from_directory` (same
    checks, skip report, pixel conventions, ``pages`` and split rules).

    Targets, in this order when present:

    - ``label``: with one column name, an int32 class index; the classes are
      ``class_names`` or the column's distinct values, sorted (numerically when
      all are integers). With a list of columns, a multi-hot int32 vector, one
      entry per column, each cell 0/1 or true/false.
    - ``mask``: the mask file of a tampering map, same upright size as its
      image, resized with nearest neighbour, binarised: float32 ``(H, W, 1)``,
      1.0 where the mask pixel is non-zero (letterbox margins 0.0). An empty
      cell means nothing is tampered: the mask is all zeros.
    - ``text``: the cell as a ``tf.string`` (MRZ or MICR transcripts).

    An element is the image alone with no target, ``(image, target)`` with one,
    and ``(image, {"label": ..., "mask": ..., "text": ...})`` with several.

    A bad image or mask file is skipped (or raised, per ``on_error``); a bad
    label cell raises ``ValueError`` naming its line, whatever ``on_error``:
    an empty or missing-value cell (``NaN``, ``null``, ...), labels that differ
    only in case or number format (``Cheque``/``cheque``, ``1``/``1.0``), and
    an image listed on two rows.

    Args:
        manifest: a CSV path or a :class:`Manifest` (e.g. from
            :func:`stratified_split`).
        path_column: the column of image paths.
        image_size: ``(height, width)`` of the output images.
        label_columns: a column of class labels, or a list of 0/1 columns.
        mask_column: a column of mask paths, or None.
        text_column: a column of transcripts, or None.
        group_column: rows with equal values stay in one split (a customer, a
            document); default: the image path.
        class_names: the label classes in index order (single label column).
        root: confine the manifest's paths to this folder: relative paths
            resolve against it and a path leading outside it (``..``, ``~``, an
            absolute path, a link) is refused. Pass it for manifests received
            from other teams; None resolves against the manifest's folder.
        color_mode: ``"rgb"`` or ``"grayscale"``.
        validation_split: share held out for validation, stratified by label.
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        seed: split and shuffle seed; required with ``validation_split``.
        batch_size: elements per batch; None yields single elements.
        shuffle: reshuffle every epoch (before decoding); never the validation subset.
        keep_aspect: letterbox onto white instead of stretching.
        interpolation: a ``tf.image.resize`` method for images.
        pages: ``"all"`` or ``"first"`` page of multi-page TIFFs (a mask then
            needs as many pages as its image).
        on_error: ``"skip"`` or ``"raise"`` for bad files.

    Returns:
        A ``tf.data.Dataset`` with ``class_names``, ``file_paths``, ``labels`` and
        ``report`` attributes, or ``(training, validation)`` for ``subset="both"``.

    Raises:
        ValueError: for invalid arguments, a missing column or a bad label cell.
        UnreadableImageError: with ``on_error="raise"``, for the first bad file.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> Image.new("RGB", (24, 16), "white").save(root / "cheque.png")
    >>> Image.new("L", (24, 16), 0).save(root / "cheque_mask.png")
    >>> _ = (root / "labels.csv").write_text(
    ...     "file,mask,status\ncheque.png,cheque_mask.png,genuine\n")
    >>> dataset = from_csv(root / "labels.csv", path_column="file", image_size=(16, 16),
    ...                    label_columns="status", mask_column="mask")
    >>> images, targets = next(iter(dataset))
    >>> images.shape, targets["mask"].shape, targets["label"].numpy().tolist()
    (TensorShape([1, 16, 16, 3]), TensorShape([1, 16, 16, 1]), [0])
    """
    options = LoadOptions.checked(
        image_size=image_size,
        color_mode=color_mode,
        keep_aspect=keep_aspect,
        interpolation=interpolation,
        pages=pages,
        on_error=on_error,
        batch_size=batch_size,
        shuffle=shuffle,
    )
    _checks.split_arguments(validation_split, subset, seed)
    return build_datasets(
        index_manifest(
            manifest,
            path_column=path_column,
            label_columns=label_columns,
            mask_column=mask_column,
            text_column=text_column,
            group_column=group_column,
            class_names=class_names,
            root=root,
        ),
        options=options,
        validation_split=validation_split,
        subset=subset,
        seed=seed,
    )
