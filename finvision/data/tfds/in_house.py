"""``FinvisionInHouse``: a bank's own folder or CSV manifest as a TFDS dataset."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import tensorflow_datasets as tfds

from finvision._validation import check_choice
from finvision.data import _checks
from finvision.data.csv_loader import index_manifest
from finvision.data.directory import index_folder
from finvision.data.image import load_image
from finvision.data.pipeline import split_elements
from finvision.data.report import LoadReport, UnreadableImageError
from finvision.data.scan import Index, scan_sources
from finvision.data.tfds.generated import GeneratedBuilder

__all__ = ["FinvisionInHouse", "InHouseConfig"]


@dataclasses.dataclass(eq=False)
class InHouseConfig(tfds.core.BuilderConfig):
    """Where an in-house set lives and how to read it.

    Attributes:
        source: a folder with one subfolder per class, or a CSV manifest.
        path_column: the manifest's column of image paths.
        label_columns: the manifest's class column, or a list of 0/1 columns;
            None for no label. Ignored for folders (labels are the subfolders).
        mask_column: the manifest's column of tampering-mask paths, or None.
        text_column: the manifest's column of transcripts, or None.
        group_column: the manifest's column of split groups; default: the path.
        class_names: label classes in index order (folder subfolders, or the
            values of a single label column).
        color_mode: ``"rgb"`` or ``"grayscale"``.
        pages: ``"all"`` or ``"first"`` page of multi-page TIFFs.
        validation_split: share written to a ``"validation"`` split, or None.
        seed: the split's seed.

    Example:
    >>> InHouseConfig(name="cheques_2024", source="/data/cheques").pages
    'all'
    """

    source: str = ""
    path_column: str = "path"
    label_columns: str | tuple[str, ...] | None = None
    mask_column: str | None = None
    text_column: str | None = None
    group_column: str | None = None
    class_names: tuple[str, ...] | None = None
    color_mode: str = "rgb"
    pages: str = "all"
    validation_split: float | None = None
    seed: int = 0


class FinvisionInHouse(GeneratedBuilder):
    """A bank's own images, from a class-per-folder tree or a CSV manifest.

    Each example holds ``image`` (uint8, upright stored size; alpha flattened
    onto white, 16-bit samples rounded to 8 bits), ``path`` (as listed),
    ``page`` and ``group``, plus ``label`` (class label, or a multi-hot int32
    vector for several label columns), ``mask`` (uint8 0/1) and ``text`` when
    configured. Files failing the checks are left out and listed in
    ``builder.report`` once the set is prepared, with one warning; so are files
    that fail only when decoded (a truncated JPEG), each with its own warning.

    Args:
        config: an :class:`InHouseConfig`; its name names the prepared copy.
        **kwargs: ``data_dir`` and the other ``tfds.core.DatasetBuilder`` arguments.

    Raises:
        ValueError: without an :class:`InHouseConfig` naming a source.

    Example:
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for label in ("fraud", "genuine"):
    ...     (root / label).mkdir()
    ...     Image.new("L", (6, 4), 40).save(root / label / "scan.png")
    >>> config = InHouseConfig(name="example", source=str(root), color_mode="grayscale")
    >>> import contextlib, io
    >>> builder = FinvisionInHouse(config=config, data_dir=tempfile.mkdtemp())
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     builder.download_and_prepare()
    >>> builder.info.features["label"].names, builder.info.splits["train"].num_examples
    (['fraud', 'genuine'], 2)
    """

    SUPERVISED_KEYS = ("image", "label")
    # Subsets of finvision.data's split rule, by their TFDS split names.
    _SPLIT_NAMES = {None: "train", "training": "train", "validation": "validation"}  # noqa: RUF012

    def __init__(self, *, config: InHouseConfig | None = None, **kwargs: Any) -> None:
        if not isinstance(config, InHouseConfig) or not config.source:
            raise ValueError(
                "`config` must be an InHouseConfig naming a folder or CSV manifest as "
                f"`source`, received {config!r}."
            )
        check_choice("color_mode", config.color_mode, tuple(_checks.COLOR_MODES))
        check_choice("pages", config.pages, _checks.PAGES)
        self.report: LoadReport | None = None
        super().__init__(config=config, **kwargs)

    @functools.cached_property
    def _index(self) -> Index:
        config = self.builder_config
        if config.source.lower().endswith(".csv"):
            return index_manifest(
                config.source,
                path_column=config.path_column,
                label_columns=config.label_columns,
                mask_column=config.mask_column,
                text_column=config.text_column,
                group_column=config.group_column,
                class_names=config.class_names,
            )
        return index_folder(config.source, "inferred", config.class_names)

    def features(self) -> tfds.features.FeaturesDict:
        index = self._index
        channels = _checks.COLOR_MODES[self.builder_config.color_mode]
        features: dict[str, Any] = {
            "image": tfds.features.Image(shape=(None, None, channels)),
            "path": tfds.features.Text(),
            "page": tfds.features.Scalar(dtype=np.int32),
            "group": tfds.features.Text(),
        }
        labels = index.columns.get("label")
        if labels is not None and labels.ndim == 1:
            features["label"] = tfds.features.ClassLabel(names=index.class_names)
        elif labels is not None:
            features["label"] = tfds.features.Tensor(shape=labels.shape[1:], dtype=np.int32)
        if "mask" in index.targets:
            features["mask"] = tfds.features.Image(shape=(None, None, 1))
        if "text" in index.columns:
            features["text"] = tfds.features.Text()
        return tfds.features.FeaturesDict(features)

    def splits(self) -> Sequence[str]:
        return tuple(self._SPLIT_NAMES[name] for name in self._subsets[1])

    @functools.cached_property
    def _subsets(self) -> tuple[list, dict[str | None, np.ndarray]]:
        config, index = self.builder_config, self._index
        report = LoadReport(index.name)
        elements = scan_sources(
            index.sources, all_pages=config.pages == "all", on_error="skip", report=report
        )
        report.warn_skipped(stacklevel=2)
        self.report = report
        return elements, split_elements(elements, index, config.validation_split, config.seed)

    def generate(self, split: str) -> Iterator[dict[str, Any]]:
        config, index = self.builder_config, self._index
        elements, subsets = self._subsets
        rows = next(rows for name, rows in subsets.items() if self._SPLIT_NAMES[name] == split)
        for row in rows:
            element = elements[row]
            source = index.sources[element.source]
            try:
                image = load_image(
                    source.path, color_mode=config.color_mode, page=element.image.page
                )
            except UnreadableImageError as error:  # damage the header checks cannot see
                self.report.record_decode_failure(source.path, error.reason)
                continue
            example = {
                "image": np.round(image).astype(np.uint8),
                "path": source.path,
                "page": element.image.page,
                "group": str(index.groups[element.source]),
            }
            for key, values in index.columns.items():
                example[key] = values[element.source]
            if "mask" in index.targets:
                example["mask"] = self._mask(source.mask, element, image.shape)
            yield example

    @staticmethod
    def _mask(path: str | None, element: Any, shape: tuple[int, ...]) -> np.ndarray:
        if path is None:
            return np.zeros((*shape[:2], 1), np.uint8)
        mask = load_image(path, color_mode="grayscale", page=element.mask.page)
        return (mask > 0).astype(np.uint8)
