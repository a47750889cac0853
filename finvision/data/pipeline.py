"""From checked files to a batched ``tf.data`` pipeline that decodes in parallel."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from finvision._validation import check_choice
from finvision.data import _checks
from finvision.data.decode import PageDecoder, jpeg_scale
from finvision.data.probe import PageInfo
from finvision.data.report import LoadReport
from finvision.data.resize import fit_to_size, letterbox_size
from finvision.data.scan import Element, Index, scan_sources
from finvision.data.splits import split_indices


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """How pages become model inputs; shared by the folder and manifest loaders.

    Example:
    >>> LoadOptions((64, 64)).channels
    3
    """

    image_size: tuple[int, int]
    color_mode: str = "rgb"
    keep_aspect: bool = False
    interpolation: str = "bilinear"
    pages: str = "all"
    on_error: str = "skip"
    batch_size: int | None = 32
    shuffle: bool = True

    @classmethod
    def checked(
        cls,
        *,
        image_size: Any,
        color_mode: Any,
        keep_aspect: Any,
        interpolation: Any,
        pages: Any,
        on_error: Any,
        batch_size: Any,
        shuffle: Any,
    ) -> LoadOptions:
        """Options from a loader's arguments, each checked with a clear error.

        Raises:
            ValueError: naming the first invalid argument.

        Example:
        >>> LoadOptions.checked(image_size=(8, 8), color_mode="gray", keep_aspect=False,
        ...     interpolation="bilinear", pages="all", on_error="skip", batch_size=2, shuffle=True)
        Traceback (most recent call last):
        ...
        ValueError: `color_mode` must be one of ('rgb', 'grayscale'); received 'gray'.
        """
        return cls(
            image_size=_checks.image_size(image_size),
            color_mode=check_choice("color_mode", color_mode, tuple(_checks.COLOR_MODES)),
            keep_aspect=bool(keep_aspect),
            interpolation=check_choice("interpolation", interpolation, _checks.INTERPOLATIONS),
            pages=check_choice("pages", pages, _checks.PAGES),
            on_error=check_choice("on_error", on_error, _checks.ON_ERROR),
            batch_size=_checks.batch_size(batch_size),
            shuffle=bool(shuffle),
        )

    @property
    def channels(self) -> int:
        """Output channels: 3 for ``"rgb"``, 1 for ``"grayscale"``."""
        return _checks.COLOR_MODES[self.color_mode]


def plan_page(
    page: PageInfo, image_size: tuple[int, int], keep_aspect: bool
) -> tuple[int, tuple[int, int]]:
    """The JPEG DCT scale of a page and the size its content is resized to.

    Args:
        page: the probed page.
        image_size: ``(H, W)`` of the output.
        keep_aspect: letterbox instead of stretching.

    Returns:
        ``(scale, (content_height, content_width))``; the scale is 1 for pages
        that are not JPEG, and the content fills ``image_size`` unless letterboxed.

    Example:
    >>> plan_page(PageInfo(0, 480, 640, "jpeg", 3), (224, 224), keep_aspect=True)
    (2, (168, 224))
    """
    height, width = page.upright_size
    content = letterbox_size(height, width, image_size) if keep_aspect else image_size
    scale = jpeg_scale(height, width, content) if page.decoder == "jpeg" else 1
    return scale, content


def _page_columns(
    prefix: str,
    paths: Sequence[str | None],
    pages: Sequence[PageInfo | None],
    scales: Sequence[int],
    channels: int,
    options: LoadOptions,
    report: LoadReport,
) -> tuple[dict[str, np.ndarray], PageDecoder | None]:
    """Table columns locating each page, and the decoder for the kinds present."""
    keys = [
        None if page is None else (page.decoder, page.channels, scale)
        for page, scale in zip(pages, scales, strict=True)
    ]
    kinds = sorted({key for key in keys if key is not None})
    if not kinds:
        return {}, None
    index = {kind: position for position, kind in enumerate(kinds)}
    columns = {
        f"{prefix}path": np.array([path or "" for path in paths], dtype=object),
        f"{prefix}page": np.array([page.page if page else 0 for page in pages], dtype=np.int32),
        f"{prefix}kind": np.array([index.get(key, 0) for key in keys], dtype=np.int32),
        f"{prefix}orientation": np.array(
            [page.orientation if page else 1 for page in pages], dtype=np.int32
        ),
    }
    if any(page is None for page in pages):
        columns[f"{prefix}present"] = np.array([page is not None for page in pages])
    orientations = any(page is not None and page.orientation != 1 for page in pages)
    return columns, PageDecoder(kinds, channels, orientations, options.on_error, report)


@dataclasses.dataclass(frozen=True, eq=False)
class DatasetSource:
    """The files behind a loader's dataset: its pipeline and the table rows it yields.

    :func:`~finvision.data.from_directory` and :func:`~finvision.data.from_csv`
    attach one to each dataset they return, as ``dataset.source``, beside
    ``class_names``, ``file_paths`` and ``report``. :func:`~finvision.data.rebalance`
    resamples its rows before decoding, and :func:`finvision.transfer.finetune`
    counts its batches when the dataset's length is unknown (a file may be
    skipped while decoding). ``tf.data`` transformations (``.map``, ``.filter``)
    return new datasets without it: rebalance first, then map.

    Attributes:
        pipeline: the :class:`Pipeline` that decodes the rows.
        rows: the table rows the dataset yields, unshuffled.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> from finvision import data
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a", "b"):
    ...     (folder / name).mkdir()
    ...     for index in range(3):
    ...         Image.new("L", (4, 4), index).save(folder / name / f"{index}.png")
    >>> dataset = data.from_directory(folder, image_size=(4, 4), batch_size=4)
    >>> dataset.source.num_batches, len(dataset.source.rows)
    (2, 6)
    >>> hasattr(dataset.map(lambda x, y: (x, y)), "source")
    False
    """

    pipeline: Pipeline
    rows: np.ndarray

    @property
    def num_batches(self) -> int:
        """Batches of the dataset when no file is skipped (1 per image unbatched)."""
        batch_size = self.pipeline.options.batch_size or 1
        return max(1, -(-len(self.rows) // batch_size))


class Pipeline:
    """Rows of pages to load, and the ``tf.data`` stages that turn them into batches.

    ``records()`` is a dataset of table rows (paths and small ints, nothing
    decoded); ``finish(records)`` decodes, resizes, batches and prefetches
    them. :func:`finvision.data.rebalance` resamples the rows before
    ``finish``, so no image is decoded only to be dropped.

    Args:
        elements: the checked pages, in table order.
        index: the sources the elements come from, with their labels and texts.
        options: sizes, colour mode and batching.
        report: where skipped files are recorded.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> path = str(pathlib.Path(tempfile.mkdtemp()) / "a.png")
    >>> Image.new("L", (5, 4), 7).save(path)
    >>> from finvision.data.scan import Source
    >>> report = LoadReport(path)
    >>> elements = scan_sources([Source(path)], all_pages=True, on_error="raise", report=report)
    >>> index = Index(path, [Source(path)], {"label": np.array([1])}, [path], None, ("label",))
    >>> options = LoadOptions((2, 2), color_mode="grayscale", batch_size=1)
    >>> pipeline = Pipeline(elements, index, options, report)
    >>> images, labels = next(iter(pipeline.finish(pipeline.records())))
    >>> images.shape, labels.numpy().tolist()
    (TensorShape([1, 2, 2, 1]), [1])
    """

    def __init__(
        self,
        elements: Sequence[Element],
        index: Index,
        options: LoadOptions,
        report: LoadReport,
    ) -> None:
        self.options = options
        self.targets = index.targets
        sources = index.sources
        rows = np.array([e.source for e in elements], dtype=np.int64)
        images = [e.image for e in elements]
        scales, sizes = zip(
            *(plan_page(page, options.image_size, options.keep_aspect) for page in images),
            strict=True,
        )
        self.table, self._image_decoder = _page_columns(
            "", [sources[i].path for i in rows], images, scales, options.channels, options, report
        )
        if options.keep_aspect:
            self.table["content"] = np.array(sizes, dtype=np.int32).reshape(-1, 2)
        self._mask_decoder = None
        if "mask" in self.targets:
            masks = [e.mask for e in elements]
            mask_paths = [sources[i].mask for i in rows]
            mask_columns, self._mask_decoder = _page_columns(
                "mask_", mask_paths, masks, [1] * len(masks), 1, options, report
            )
            self.table |= mask_columns
        for key, values in index.columns.items():
            self.table[key] = values[rows]
        decoders = [d for d in (self._image_decoder, self._mask_decoder) if d is not None]
        self._may_skip = options.on_error == "skip" and any(
            kind[0].startswith("pillow") for decoder in decoders for kind in decoder.kinds
        )

    def __len__(self) -> int:
        return len(self.table["path"])

    def records(
        self, rows: np.ndarray | None = None, *, shuffle: bool = False, seed: int | None = None
    ) -> tf.data.Dataset:
        """A dataset of table rows (all, or those at ``rows``), nothing decoded.

        Shuffling draws a fresh permutation of the row indices every epoch and
        looks rows up by index, so it holds ``len(rows)`` integers rather than a
        buffer of whole rows, and covers the whole set, not a window of it.

        Args:
            rows: table row indices; None for all rows.
            shuffle: reshuffle the rows on every iteration.
            seed: the shuffle's seed.

        Returns:
            A dataset of row dicts with a known cardinality.
        """
        rows = np.arange(len(self)) if rows is None else np.asarray(rows)
        columns = {
            key: tf.constant(values[rows].astype(str) if values.dtype == object else values[rows])
            for key, values in self.table.items()
        }
        count = len(rows)

        def permutation(draw: tf.Tensor) -> tf.data.Dataset:
            keys = tf.random.stateless_uniform([count], tf.stack([draw, draw // 3]))
            return tf.data.Dataset.from_tensor_slices(tf.argsort(keys))

        def lookup(position: tf.Tensor) -> dict[str, tf.Tensor]:
            return {key: tf.gather(column, position) for key, column in columns.items()}

        plain = tf.autograph.experimental.do_not_convert
        if shuffle:
            seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
            indices = seeds.flat_map(plain(permutation))
            indices = indices.apply(tf.data.experimental.assert_cardinality(count))
        else:
            indices = tf.data.Dataset.range(count)
        return indices.map(plain(lookup))

    def _element(self, row: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        options = self.options
        image, ok = self._image_decoder(row["path"], row["page"], row["kind"], row["orientation"])
        content = row.get("content")
        element = {
            "image": fit_to_size(
                image, options.image_size, content=content, method=options.interpolation
            )
        }
        if "mask" in self.targets:
            mask, mask_ok = self._mask(row, image)
            element["mask"] = fit_to_size(
                mask, options.image_size, content=content, method="nearest", fill_value=0.0
            )
            ok = tf.logical_and(ok, mask_ok)
        element.update({key: row[key] for key in self.targets if key in ("label", "text")})
        element["ok"] = ok
        return element

    def _mask(self, row: dict[str, tf.Tensor], image: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """The binarised mask, all zeros (nothing tampered) where a row has none."""

        def empty() -> tuple[tf.Tensor, tf.Tensor]:
            return tf.zeros(tf.concat([tf.shape(image)[:2], [1]], 0)), tf.constant(True)

        def decoded() -> tuple[tf.Tensor, tf.Tensor]:
            mask, ok = self._mask_decoder(
                row["mask_path"], row["mask_page"], row["mask_kind"], row["mask_orientation"]
            )
            return tf.cast(mask > 0, tf.float32), ok

        if self._mask_decoder is None:
            return empty()
        if "mask_present" not in row:
            return decoded()
        return tf.cond(row["mask_present"], decoded, empty)

    def _structure(self, element: dict[str, tf.Tensor]) -> Any:
        if not self.targets:
            return element["image"]
        if len(self.targets) == 1:
            return element["image"], element[self.targets[0]]
        return element["image"], {key: element[key] for key in self.targets}

    def finish(self, records: tf.data.Dataset) -> tf.data.Dataset:
        """Decodes, resizes, batches and prefetches a dataset of table rows.

        Args:
            records: rows as :meth:`records` yields them, in any order or number.

        Returns:
            The dataset of model inputs.
        """
        # The stage functions have no Python control flow on tensors, so AutoGraph
        # (seconds of tracing) is skipped.
        plain = tf.autograph.experimental.do_not_convert
        dataset = records.map(plain(self._element), num_parallel_calls=tf.data.AUTOTUNE)
        if self._may_skip:
            dataset = dataset.filter(plain(lambda element: element["ok"]))
        if self.options.batch_size is not None:
            dataset = dataset.batch(self.options.batch_size)
        dataset = dataset.map(plain(self._structure))
        return dataset.prefetch(tf.data.AUTOTUNE)

    def dataset(self, rows: np.ndarray, *, shuffle: bool, seed: int | None) -> tf.data.Dataset:
        """The dataset of the rows at ``rows``, reshuffled every epoch if asked.

        Args:
            rows: table row indices, in the order to yield them unshuffled.
            shuffle: shuffle the rows (before decoding) on every iteration.
            seed: the shuffle's seed.

        Returns:
            The dataset, with its :class:`DatasetSource` as ``source``; the
            ``class_names``, ``file_paths``, ``labels`` and ``report``
            attributes are added by :func:`build_datasets`.
        """
        dataset = self.finish(self.records(rows, shuffle=shuffle, seed=seed))
        dataset.source = DatasetSource(self, rows)
        return dataset


def _split_key(label: np.ndarray) -> Hashable:
    return tuple(label.tolist()) if label.ndim else label.item()


def split_elements(
    elements: Sequence[Element], index: Index, validation_split: float | None, seed: int | None
) -> dict[str | None, np.ndarray]:
    """Element rows of each subset: stratified by label, groups kept whole.

    Args:
        elements: the checked pages.
        index: their sources, labels and groups.
        validation_split: share of the validation subset, or None for no split.
        seed: the split's seed.

    Returns:
        ``{None: all rows}`` without a split, else ``{"training": ..., "validation": ...}``.

    Example:
    >>> from finvision.data.scan import Source
    >>> index = Index("x", [Source("a"), Source("b")], {}, ["a", "b"], None, ())
    >>> page = PageInfo(0, 1, 1, "png", 1)
    >>> elements = [Element(0, page), Element(1, page)]
    >>> {k: v.tolist() for k, v in split_elements(elements, index, 0.5, seed=0).items()}
    {'training': [0], 'validation': [1]}
    """
    if validation_split is None:
        return {None: np.arange(len(elements))}
    sources = np.array([e.source for e in elements], dtype=np.int64)
    labels = index.labels(sources)
    training, validation = split_indices(
        None if labels is None else [_split_key(label) for label in labels],
        [index.groups[source] for source in sources],
        (1.0 - validation_split, validation_split),
        seed,
    )
    return {"training": training, "validation": validation}


def _check_every_class_has_images(
    index: Index, labels: np.ndarray | None, report: LoadReport
) -> None:
    """Raises when every file of a class was skipped: its index would never occur."""
    listed = index.columns.get("label")
    if labels is None or listed is None or not index.class_names or listed.ndim != 1:
        return
    classes = len(index.class_names)
    had_files = np.bincount(listed, minlength=classes)[:classes] > 0
    kept = np.bincount(labels, minlength=classes)[:classes] > 0
    lost = [name for name, gone in zip(index.class_names, had_files & ~kept, strict=True) if gone]
    if lost:
        raise ValueError(
            f"Classes {lost} of {report.source} have no readable images: all their files "
            f"were skipped ({report.num_skipped} skipped in all, see the warning). Add "
            "readable images or leave the classes out with `class_names=`."
        )


def build_datasets(
    index: Index,
    *,
    options: LoadOptions,
    validation_split: float | None,
    subset: str | None,
    seed: int | None,
) -> tf.data.Dataset | tuple[tf.data.Dataset, tf.data.Dataset]:
    """Checks the sources, splits them and builds the requested dataset(s).

    Args:
        index: the sources with their labels, texts and groups.
        options: how to load.
        validation_split: share of the validation subset, or None.
        subset: ``"training"``, ``"validation"``, ``"both"`` or None.
        seed: split and shuffle seed.

    Returns:
        One dataset, or ``(training, validation)`` for ``subset="both"``; each
        with ``class_names``, ``file_paths``, ``labels`` and ``report``.

    Raises:
        ValueError: if no images are left, overall or in a requested subset.
    """
    report = LoadReport(index.name)
    elements = scan_sources(
        index.sources, all_pages=options.pages == "all", on_error=options.on_error, report=report
    )
    report.warn_skipped(stacklevel=4)
    if not elements:
        raise ValueError(
            f"No images to load from {report.source}: {report.files} files considered, "
            f"{report.num_skipped} skipped."
        )
    pipeline = Pipeline(elements, index, options, report)
    labels = pipeline.table.get("label")
    _check_every_class_has_images(index, labels, report)
    subsets = split_elements(elements, index, validation_split, seed)
    datasets = []
    for name in ("training", "validation") if subset == "both" else (subset,):
        rows = subsets[name]
        if not len(rows):
            raise ValueError(
                f"No images in the {name!r} subset of {report.source}: "
                f"validation_split={validation_split} leaves it empty."
            )
        dataset = pipeline.dataset(
            rows, shuffle=options.shuffle and name != "validation", seed=seed
        )
        dataset.class_names = index.class_names
        dataset.file_paths = pipeline.table["path"][rows].tolist()
        dataset.labels = None if labels is None else labels[rows]
        dataset.report = report
        datasets.append(dataset)
    return tuple(datasets) if subset == "both" else datasets[0]
