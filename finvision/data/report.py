"""What a loader skipped and why: ``LoadReport``, ``UnreadableImageError``."""

from __future__ import annotations

import dataclasses
import threading
import warnings


class UnreadableImageError(OSError):
    """An input file that cannot be loaded as an image, with the cause.

    Args:
        path: the file.
        reason: why it cannot be loaded, in plain words.

    Example:
    >>> error = UnreadableImageError("scans/a.jpg", "empty file (0 bytes)")
    >>> str(error)
    "Cannot load image 'scans/a.jpg': empty file (0 bytes)."
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Cannot load image {path!r}: {reason}.")
        self.path = path
        self.reason = reason


# Decoding runs on tf.data's threads; failures are rare, so one lock serves all reports
# (and a report stays a plain, picklable dataclass).
_RECORD_LOCK = threading.Lock()


class SkippedFilesWarning(UserWarning):
    """Issued when a loader with ``on_error="skip"`` leaves files out.

    Args:
        summary: which files were skipped and why.
        pointer: where the full list is, in the caller's terms; it follows the
            summary in the message. The command line prints only ``summary``.

    Example:
    >>> import warnings
    >>> with warnings.catch_warnings():  # e.g. in CI: a skipped file fails the run
    ...     warnings.simplefilter("error", SkippedFilesWarning)
    ...     warnings.warn("Skipped 1 of 3 files", SkippedFilesWarning)
    Traceback (most recent call last):
    ...
    finvision.data.report.SkippedFilesWarning: Skipped 1 of 3 files
    >>> SkippedFilesWarning("Skipped 1 of 3 files.", "See `report.skipped`.").summary
    'Skipped 1 of 3 files.'
    """

    def __init__(self, summary: str, pointer: str = "") -> None:
        super().__init__(f"{summary} {pointer}".strip())
        self.summary = summary


@dataclasses.dataclass
class LoadReport:
    """The files a loader found, the images it yields, and the files it skipped.

    A loader checks every file before it returns (Pillow reads the header, and
    for PNG the checksum of every chunk), skips the bad ones and issues one
    :class:`SkippedFilesWarning` summarising them. A file that passes those
    checks but fails to decode in full (a truncated TIFF, say) is found while the
    dataset is iterated: it is appended to ``skipped`` then, once, with its own
    warning.

    Attributes:
        source: the folder or manifest the loader read.
        files: image files (or manifest rows) considered.
        images: elements the dataset yields per epoch (pages of multi-page TIFFs
            count one each), bad files left out.
        skipped: ``(path, reason)`` for every file left out, in the order found.

    Example:
    >>> report = LoadReport("scans", files=3, images=2, skipped=[("scans/b.png", "empty file")])
    >>> report.num_skipped
    1
    >>> print(report)
    scans: 3 files, 2 images, 1 skipped
      scans/b.png: empty file
    """

    source: str
    files: int = 0
    images: int = 0
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def num_skipped(self) -> int:
        """The number of files (or pages) left out."""
        return len(self.skipped)

    def __str__(self) -> str:
        lines = [
            f"{self.source}: {self.files} files, {self.images} images, {self.num_skipped} skipped"
        ]
        lines += [f"  {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)

    def warn_skipped(self, stacklevel: int = 3) -> None:
        """Issues one warning listing the skipped files, if there are any.

        Args:
            stacklevel: passed to ``warnings.warn``, so the warning points at the
                user's call of the loader.

        Example:
        >>> LoadReport("scans", files=2, images=2).warn_skipped()  # nothing skipped
        """
        if not self.skipped:
            return
        shown = "; ".join(f"{path} ({reason})" for path, reason in self.skipped[:5])
        more = f"; and {self.num_skipped - 5} more" if self.num_skipped > 5 else ""
        warnings.warn(
            SkippedFilesWarning(
                f"Skipped {self.num_skipped} of {self.files} files in {self.source}: "
                f"{shown}{more}.",
                "The full list is in the dataset's `report.skipped`.",
            ),
            stacklevel=stacklevel,
        )

    def record_decode_failure(self, path: str, reason: str) -> None:
        """Adds a file that failed to decode while iterating, warning once per file.

        Thread-safe: ``tf.data`` decodes in parallel.

        Args:
            path: the file (with ``#page`` for a page of a multi-page TIFF).
            reason: why it failed.

        Example:
        >>> import warnings
        >>> report = LoadReport("scans", files=1, images=1)
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     report.record_decode_failure("scans/a.tif", "truncated")
        ...     report.record_decode_failure("scans/a.tif", "truncated")
        >>> report.skipped, len(caught)
        ([('scans/a.tif', 'truncated')], 1)
        """
        with _RECORD_LOCK:
            if any(known == path for known, _ in self.skipped):
                return
            self.skipped.append((path, reason))
        warnings.warn(
            SkippedFilesWarning(f"Skipped {path} while reading {self.source}: {reason}."),
            stacklevel=2,
        )
