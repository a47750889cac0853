"""From folders and spreadsheets of scans to ``tf.data``, safely and fast.

- :func:`from_directory`: a class-per-folder tree, like
  ``keras.utils.image_dataset_from_directory``, plus TIFF (Group 4,
  multi-page), 16-bit PNG, EXIF orientation, alpha onto white, letterboxing.
- :func:`from_csv`: labels, tampering masks and MRZ/MICR transcripts from a
  CSV manifest; :func:`read_manifest`, :class:`Manifest`.
- :func:`stratified_split`: splits that keep class shares and never divide a
  group (customer, signature writer, document).
- :func:`class_weights` and :func:`rebalance` for rare classes.
- :func:`load_image`: one file, exactly as the datasets load it.

Bad files (missing, empty, truncated, not an image, decompression bombs) are
skipped and listed in the dataset's :class:`LoadReport`, with one
:class:`SkippedFilesWarning`; ``on_error="raise"`` raises
:class:`UnreadableImageError` instead. Input files are only ever read.

TensorFlow Datasets builders live in :mod:`finvision.data.tfds`, imported on
its own (it needs the ``finvision[datasets]`` extra).

Example:
>>> from finvision import data
>>> data.class_weights([0, 0, 0, 1])
{0: 0.6666666666666666, 1: 2.0}
"""

from finvision.data.csv_loader import from_csv
from finvision.data.directory import from_directory
from finvision.data.image import load_image
from finvision.data.imbalance import class_weights, rebalance
from finvision.data.manifest import Manifest, read_manifest
from finvision.data.pipeline import DatasetSource
from finvision.data.probe import IMAGE_EXTENSIONS
from finvision.data.report import LoadReport, SkippedFilesWarning, UnreadableImageError
from finvision.data.splits import stratified_split

__all__ = [
    "IMAGE_EXTENSIONS",
    "DatasetSource",
    "LoadReport",
    "Manifest",
    "SkippedFilesWarning",
    "UnreadableImageError",
    "class_weights",
    "from_csv",
    "from_directory",
    "load_image",
    "read_manifest",
    "rebalance",
    "stratified_split",
]
