"""``from_directory``: a class-per-folder tree of scans and photos to ``tf.data``."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from finvision.data import _checks
from finvision.data.pipeline import LoadOptions, build_datasets
from finvision.data.probe import IMAGE_EXTENSIONS
from finvision.data.scan import Index, Source


def list_images(folder: str) -> list[str]:
    """The image files under ``folder``, recursively, sorted by path.

    A file counts as an image by its name ending (:data:`IMAGE_EXTENSIONS`, any
    case); its content is checked later. Hidden files and folders (a name
    starting with ``.``: ``.ipynb_checkpoints``, macOS ``._scan.png``, staging
    folders) are left out.

    Args:
        folder: the folder to walk (links to folders are not followed).

    Returns:
        Paths joined onto ``folder``.

    Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.TIF", "a.jpg", "notes.txt", "._a.jpg"):
    ...     _ = (root / name).write_bytes(b"")
    >>> [pathlib.Path(p).name for p in list_images(str(root))]
    ['a.jpg', 'b.TIF']
    """
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not _hidden(name))
        found += [
            os.path.join(parent, name)
            for name in files
            if name.lower().endswith(IMAGE_EXTENSIONS) and not _hidden(name)
        ]
    return sorted(found, key=lambda path: os.path.relpath(path, folder))


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _class_folders(path: str, class_names: Sequence[str] | None) -> list[str]:
    folders = sorted(
        entry.name for entry in os.scandir(path) if entry.is_dir() and not _hidden(entry.name)
    )
    if class_names is None:
        if not folders:
            raise ValueError(
                f'`labels="inferred"` needs one subfolder per class in {path!r}; it has none.'
            )
        return folders
    missing = [name for name in class_names if name not in folders]
    if missing or len(set(class_names)) != len(class_names) or not class_names:
        raise ValueError(
            "`class_names` must list distinct subfolders of the folder; received "
            f"{list(class_names)!r}, subfolders are {folders}."
        )
    return list(class_names)


def index_folder(
    path: str, labels: str | Sequence[int] | None, class_names: Sequence[str] | None
) -> Index:
    """Lists a folder's image files with their labels (see :func:`from_directory`).

    Args:
        path: the folder.
        labels: ``"inferred"``, None, or one int per image file in sorted order.
        class_names: with ``"inferred"``, the subfolders to read, in label order.

    Returns:
        The :class:`Index`; every file is its own group.

    Raises:
        ValueError: if the folder is missing, has no class subfolders, or the
            labels do not fit the files.

    Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "cats").mkdir()
    >>> _ = (root / "cats" / "1.png").write_bytes(b"")
    >>> index = index_folder(str(root), "inferred", None)
    >>> index.class_names, index.columns["label"].tolist()
    (['cats'], [0])
    """
    if not os.path.isdir(path):
        raise ValueError(f"`path` must be an existing folder, received {path!r}.")
    if labels != "inferred" and class_names is not None:
        raise ValueError(f'`class_names` needs labels="inferred", received labels={labels!r}.')
    columns: dict[str, np.ndarray] = {}
    if labels == "inferred":
        class_names = _class_folders(path, class_names)
        files, values = [], []
        for position, name in enumerate(class_names):
            found = list_images(os.path.join(path, name))
            if not found:
                raise ValueError(
                    f"Class folder {os.path.join(path, name)!r} holds no image files "
                    f"(names ending in {', '.join(IMAGE_EXTENSIONS)}); add images, remove the "
                    "folder, or pass `class_names=` without it."
                )
            files += found
            values += [position] * len(found)
        columns["label"] = np.array(values, dtype=np.int32)
    else:
        files = list_images(path)
        if labels is not None:
            if isinstance(labels, str) or len(labels) != len(files):
                raise ValueError(
                    '`labels` must be "inferred", None, or one int per image file '
                    f"({len(files)} found in {path!r}); received {labels!r:.80}."
                )
            columns["label"] = np.asarray(labels, dtype=np.int32)
    return Index(
        name=path,
        sources=[Source(file) for file in files],
        columns=columns,
        groups=list(files),
        class_names=list(class_names) if class_names is not None else None,
        targets=("label",) if columns else (),
    )


def from_directory(
    path: str | os.PathLike,
    *,
    image_size: tuple[int, int],
    color_mode: str = "rgb",
    labels: str | Sequence[int] | None = "inferred",
    class_names: Sequence[str] | None = None,
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
    """Loads a folder of images, one subfolder per class, as a streaming dataset.

    Like ``keras.utils.image_dataset_from_directory``, with what scans and phone
    photos need: TIFF (including CCITT Group 4 and multi-page files), 16-bit
    PNG and TIFF, EXIF orientation applied, alpha flattened onto white,
    letterboxing, and bad files skipped and reported rather than crashing
    training. Every file is checked before this returns; nothing is decoded
    until the dataset is iterated, and files are only ever read.

    Elements are ``(images, labels)``: images float32 ``(batch, H, W, C)`` in
    [0, 255] with C = 3 (``"rgb"``) or 1 (``"grayscale"``), what finvision
    backbones take; labels int32 class indices. With ``labels=None`` elements
    are the images alone. Pixel conventions (16-bit scaling, alpha, gray
    weights, EXIF) are those of :mod:`finvision.data.decode`.

    Files are kept by name ending (:data:`IMAGE_EXTENSIONS`, any case). A
    multi-page TIFF gives one element per page with ``pages="all"`` (the
    default; every page takes the file's label) or its first page with
    ``pages="first"``. Splits are made per file, so the pages of one file never
    straddle training and validation, and stratified by class.

    The returned dataset carries ``class_names``, ``file_paths`` and ``labels``
    (one entry per element, table order; iteration order is shuffled when
    ``shuffle=True``) and ``report``, a :class:`LoadReport` of the files
    skipped. Keep a reference: ``dataset.map(...)`` returns a dataset without them.

    Args:
        path: the folder.
        image_size: ``(height, width)`` of the output images.
        color_mode: ``"rgb"`` or ``"grayscale"``.
        labels: ``"inferred"`` (from subfolder names), None (no labels), or a
            list of int labels, one per image file in sorted path order.
        class_names: with ``"inferred"``, the subfolders to load, in label
            order; others are ignored. Default: every subfolder, sorted.
        validation_split: share of files held out for validation, or None.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns a pair).
        seed: split and shuffle seed; required with ``validation_split``.
        batch_size: images per batch; None yields single images.
        shuffle: reshuffle the files every epoch (before decoding, over the
            whole set). The validation subset is never shuffled.
        keep_aspect: letterbox: scale to fit and pad with white, instead of
            stretching.
        interpolation: a ``tf.image.resize`` method; ``"area"`` is the one to
            pick for large downscaling of text.
        pages: ``"all"`` or ``"first"`` page of multi-page TIFFs.
        on_error: ``"skip"`` leaves out unreadable, empty, truncated, non-image
            and decompression-bomb files (see ``report``); ``"raise"`` raises
            :class:`UnreadableImageError` at the first, naming path and cause.

    Returns:
        A ``tf.data.Dataset``, or ``(training, validation)`` for ``subset="both"``.

    Raises:
        ValueError: for invalid arguments, a missing folder, or no images left.
        UnreadableImageError: with ``on_error="raise"``, for the first bad file.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label in ("fraud", "genuine"):
    ...     (root / label).mkdir()
    ...     Image.new("RGB", (40, 30), "white").save(root / label / "scan.png")
    >>> dataset = from_directory(root, image_size=(32, 32), batch_size=2, seed=0)
    >>> images, labels = next(iter(dataset))
    >>> images.shape, images.dtype.name, sorted(labels.numpy().tolist()), dataset.class_names
    (TensorShape([2, 32, 32, 3]), 'float32', [0, 1], ['fraud', 'genuine'])
    """
    path = os.fspath(path)
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
        index_folder(path, labels, class_names),
        options=options,
        validation_split=validation_split,
        subset=subset,
        seed=seed,
    )
