"""``GeneratedBuilder``: the base of finvision's TFDS builders, features plus a generator."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import tensorflow_datasets as tfds

__all__ = ["GeneratedBuilder"]


class GeneratedBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Base of finvision's TFDS builders: features plus a generator of examples.

    A subclass defines :meth:`features` and :meth:`generate` (and ``SPLITS``,
    ``VERSION``, ``SUPERVISED_KEYS`` as needed). It is registered under the
    snake_case of its class name when its module is imported, so
    ``class FinvisionMrzLines(GeneratedBuilder)`` loads as
    ``tfds.load("finvision_mrz_lines")``. Nothing is downloaded: ``generate``
    produces every example, and TFDS stores them in ``data_dir`` on first use.
    The first line of the class docstring is the dataset's description.

    Example:
    >>> import numpy as np
    >>> class Squares(GeneratedBuilder, skip_registration=True):
    ...     '''Gray squares of growing brightness.'''
    ...     def features(self):
    ...         return tfds.features.FeaturesDict({
    ...             "image": tfds.features.Image(shape=(4, 4, 1)),
    ...             "label": tfds.features.ClassLabel(num_classes=3)})
    ...     def generate(self, split):
    ...         for level in range(3):
    ...             yield {"image": np.full((4, 4, 1), 100 * level, np.uint8), "label": level}
    >>> import contextlib, io, tempfile
    >>> builder = Squares(data_dir=tempfile.mkdtemp())
    >>> with contextlib.redirect_stdout(io.StringIO()):  # TFDS prints where it writes
    ...     builder.download_and_prepare()
    >>> sorted(int(x["image"][0, 0, 0]) for x in builder.as_dataset(split="train"))
    [0, 100, 200]
    """

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}  # noqa: RUF012 (the TFDS attribute name)
    #: The splits :meth:`generate` is called for.
    SPLITS: tuple[str, ...] = ("train",)
    #: ``(input, target)`` feature names for ``as_supervised=True``, or None.
    SUPERVISED_KEYS: tuple[str, str] | None = None

    def features(self) -> tfds.features.FeaturesDict:
        """The features of one example."""
        raise NotImplementedError(f"{type(self).__name__} must define features().")

    def splits(self) -> Sequence[str]:
        """The split names; ``SPLITS`` unless a config decides."""
        return self.SPLITS

    def generate(self, split: str) -> Iterator[dict[str, Any]]:
        """Yields the examples of ``split``, as dicts matching :meth:`features`."""
        raise NotImplementedError(f"{type(self).__name__} must define generate(split).")

    def _info(self) -> tfds.core.DatasetInfo:
        description = (type(self).__doc__ or type(self).__name__).strip().splitlines()[0]
        return tfds.core.DatasetInfo(
            builder=self,
            description=description,
            features=self.features(),
            supervised_keys=self.SUPERVISED_KEYS,
        )

    def _split_generators(self, dl_manager: Any) -> dict[str, Iterator]:
        del dl_manager  # nothing to download
        return {split: self._generate_examples(split) for split in self.splits()}

    def _generate_examples(self, split: str) -> Iterator[tuple[int, dict[str, Any]]]:
        yield from enumerate(self.generate(split))
