"""Checking every input file up front, so bad ones are known before training starts."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence

import numpy as np

from finvision.data.probe import PageInfo, probe_image
from finvision.data.report import LoadReport, UnreadableImageError


@dataclasses.dataclass(frozen=True)
class Source:
    """One image file to load, and the mask file drawn on it, if any.

    Example:
    >>> Source("ids/0001.jpg", mask="masks/0001.png").mask
    'masks/0001.png'
    """

    path: str
    mask: str | None = None


@dataclasses.dataclass(frozen=True)
class Index:
    """The files a loader reads and what goes with each, before any is checked.

    Attributes:
        name: the folder or manifest, for reports.
        sources: the files, in table order.
        columns: per-source arrays: ``"label"`` (int32 class indices, or a
            multi-hot matrix) and ``"text"``.
        groups: a group per source; a split never divides a group.
        class_names: names of the label indices (or of the multi-hot columns).
        targets: the keys following the image in each element, in order.

    Example:
    >>> index = Index("scans", [Source("scans/a/1.png")], {"label": np.array([0])}, ["1"],
    ...               ["a"], ("label",))
    >>> index.labels(np.array([0])).tolist()
    [0]
    """

    name: str
    sources: list[Source]
    columns: dict[str, np.ndarray]
    groups: list[Hashable]
    class_names: list[str] | None
    targets: tuple[str, ...]

    def labels(self, sources: np.ndarray) -> np.ndarray | None:
        """The labels of the given sources, or None without labels."""
        return self.columns["label"][sources] if "label" in self.columns else None


@dataclasses.dataclass(frozen=True)
class Element:
    """One element of a dataset: a page of a source, with the matching mask page.

    Example:
    >>> Element(0, PageInfo(0, 4, 6, "png", 3)).mask is None
    True
    """

    source: int
    image: PageInfo
    mask: PageInfo | None = None


def _mask_pages(source: Source, images: list[PageInfo], all_pages: bool) -> list[PageInfo]:
    try:
        masks = probe_image(source.mask, all_pages=all_pages)
    except UnreadableImageError as error:
        raise UnreadableImageError(source.path, f"mask {source.mask!r}: {error.reason}") from error
    if len(masks) != len(images):
        raise UnreadableImageError(
            source.path,
            f"mask {source.mask!r} has {len(masks)} pages, the image {len(images)}",
        )
    for image, mask in zip(images, masks, strict=True):
        if image.upright_size != mask.upright_size:
            raise UnreadableImageError(
                source.path,
                "mask {!r} is {}x{} pixels, the image {}x{} (height x width, upright)".format(
                    source.mask, *mask.upright_size, *image.upright_size
                ),
            )
    return masks


def scan_sources(
    sources: Sequence[Source], *, all_pages: bool, on_error: str, report: LoadReport
) -> list[Element]:
    """Probes every source (and its mask) and lists the elements to load.

    Args:
        sources: the files, in dataset order.
        all_pages: one element per page of a multi-page TIFF; False keeps the first.
        on_error: ``"skip"`` records a bad file in ``report`` and goes on;
            ``"raise"`` raises at the first one.
        report: receives the counts and the skipped files.

    Returns:
        The elements, in source and page order.

    Raises:
        UnreadableImageError: with ``on_error="raise"``, for the first bad file.

    Example:
    >>> report = LoadReport("example")
    >>> scan_sources([Source("missing.png")], all_pages=True, on_error="skip", report=report)
    []
    >>> report.skipped
    [('missing.png', 'file not found')]
    """
    elements = []
    for index, source in enumerate(sources):
        try:
            images = probe_image(source.path, all_pages=all_pages)
            masks = _mask_pages(source, images, all_pages) if source.mask else [None] * len(images)
        except UnreadableImageError as error:
            if on_error == "raise":
                raise
            report.skipped.append((error.path, error.reason))
            continue
        elements += [Element(index, image, mask) for image, mask in zip(images, masks, strict=True)]
    report.files = len(sources)
    report.images = len(elements)
    return elements
