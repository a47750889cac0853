"""TensorFlow Datasets builders for the synthetic financial sets.

Each builder writes the output of one generator of :mod:`finvision.data.synthetic`
to TFRecords, nothing downloaded; importing :mod:`finvision.data.tfds` registers
them, so ``tfds.load("finvision_mrz_lines")`` works offline.

- ``finvision_mrz_lines``: :func:`~finvision.data.synthetic.mrz_lines`,
  ``as_supervised`` gives ``(image, text)``;
- ``finvision_micr_lines``: :func:`~finvision.data.synthetic.micr_lines`,
  ``(image, text)``;
- ``finvision_cheques``: :func:`~finvision.data.synthetic.cheques`, no
  supervised keys (a cheque has many targets);
- ``finvision_signatures``: :func:`~finvision.data.synthetic.signature_pairs`,
  ``((a, b), label)``;
- ``finvision_tampering``: :func:`~finvision.data.synthetic.tampered_documents`,
  ``(image, mask)``.

Sizes and options come from a :class:`SyntheticConfig`; each builder ships a
``small`` config (the default) and a ``large`` one.

Split ``k`` (train 0, validation 1, test 2) of a config with seed ``s`` is one
call of the generator with seed ``3 * s + k`` (:func:`split_seed`), so no two
splits, and no two configs of different seeds, share a seed. Every example
carries its ``index`` in that call. Signature splits also draw from disjoint
writers (:attr:`FinvisionSignatures.SPLIT_ARGUMENTS`). A split is generated in
one call, so preparing it holds its images in memory at once.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import tensorflow_datasets as tfds

from finvision._validation import check_fraction, check_non_negative_int, is_int
from finvision.data.synthetic import (
    PAIR_KINDS,
    TAMPER_KINDS,
    cheques,
    micr_lines,
    mrz_lines,
    signature_pairs,
    tampered_documents,
)
from finvision.data.synthetic._checks import check_height, check_size
from finvision.data.synthetic.cheques import CHEQUE_FIELDS, check_cheque_size
from finvision.data.tfds.generated import GeneratedBuilder

__all__ = [
    "FinvisionCheques",
    "FinvisionMicrLines",
    "FinvisionMrzLines",
    "FinvisionSignatures",
    "FinvisionTampering",
    "SyntheticBuilder",
    "SyntheticConfig",
    "split_seed",
]

#: The splits, in the order that numbers their seeds.
SPLITS = ("train", "validation", "test")
_SMALL = {"train": 1_000, "validation": 200, "test": 200}


def split_seed(seed: int, split: str) -> int:
    """The generator seed of a split: ``3 * seed + k`` for the ``k``-th of :data:`SPLITS`.

    Args:
        seed: the config's seed, a non-negative int.
        split: ``"train"``, ``"validation"`` or ``"test"``.

    Returns:
        The seed the split's generator call gets.

    Raises:
        ValueError: for a bad ``seed`` or ``split``.

    Example:
    >>> [split_seed(1, split) for split in ("train", "validation", "test")]
    [3, 4, 5]
    """
    if split not in SPLITS:
        raise ValueError(f"`split` must be one of {SPLITS}; received {split!r}.")
    return 3 * check_non_negative_int("seed", seed) + SPLITS.index(split)


@dataclasses.dataclass(eq=False)
class SyntheticConfig(tfds.core.BuilderConfig):
    """Sizes and options of a synthetic set; its name names the prepared copy.

    Attributes:
        examples_per_split: examples of each split written, by split name
            (a subset of ``"train"``, ``"validation"``, ``"test"``).
        seed: a non-negative int; split seeds follow by :func:`split_seed`.
        nuisance: capture nuisance strength in [0, 1] passed to the generator
            (not for tampering, whose masks must stay exact).
        font_path: a font file instead of OCR-B (not for MICR lines, which
            draw their own glyphs).
        options: other keyword arguments of the generator, e.g.
            ``{"height": 48}`` for lines or ``{"size": (144, 320)}`` for cheques.

    Raises:
        ValueError: for bad split names or counts, ``seed``, ``nuisance``,
            ``font_path`` or ``options``.

    Example:
    >>> config = SyntheticConfig(name="tiny", examples_per_split={"train": 8, "test": 2})
    >>> config.examples_per_split, config.seed
    ({'train': 8, 'test': 2}, 0)
    """

    examples_per_split: Mapping[str, int] = dataclasses.field(default_factory=lambda: _SMALL)
    seed: int = 0
    nuisance: float = 0.0
    font_path: str | os.PathLike | None = None
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = self.examples_per_split
        if (
            not isinstance(counts, Mapping)
            or not counts
            or not set(counts) <= set(SPLITS)
            or not all(is_int(n) and n > 0 for n in counts.values())
        ):
            raise ValueError(
                f"`examples_per_split` must map some of {SPLITS} to positive ints; "
                f"received {counts!r}."
            )
        self.examples_per_split = {split: int(counts[split]) for split in SPLITS if split in counts}
        self.seed = check_non_negative_int("seed", self.seed)
        self.nuisance = check_fraction("nuisance", self.nuisance)
        if self.font_path is not None and not isinstance(self.font_path, str | os.PathLike):
            raise ValueError(
                f"`font_path` must be a path to a font file or None; received {self.font_path!r}."
            )
        self.font_path = None if self.font_path is None else os.fspath(self.font_path)
        options = self.options
        if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
            raise ValueError(
                f"`options` must map generator argument names to values; received {options!r}."
            )
        self.options = dict(options)


def _configs(large: int) -> list[SyntheticConfig]:
    """The shipped configs: ``small`` (the default) and ``large``."""
    return [
        SyntheticConfig(
            name="small",
            description="1,000 train, 200 validation and 200 test examples.",
            examples_per_split=_SMALL,
        ),
        SyntheticConfig(
            name="large",
            description=f"{large:,} train, {large // 10:,} validation and {large // 10:,} test "
            "examples.",
            examples_per_split={"train": large, "validation": large // 10, "test": large // 10},
        ),
    ]


def _value(field: Any) -> Any:
    """A generator's field as TFDS encodes it: images with a channel axis, masks 0/1."""
    if isinstance(field, dict):
        return {key: np.asarray(value, np.int32) for key, value in field.items()}
    if isinstance(field, np.ndarray):
        field = field.astype(np.uint8) if field.dtype == bool else field
        return field[..., None] if field.ndim == 2 else field
    return field


class SyntheticBuilder(GeneratedBuilder, skip_registration=True):
    """Base of the synthetic sets: one generator call per split, fields as features.

    A subclass names its ``GENERATOR`` and defines :meth:`sample_features`:
    features named after the fields of the generator's samples (the fields not
    named are left out). The base adds ``index``, the example's position in its
    split's generator call, and passes the config's ``nuisance``, ``font_path``
    and ``options`` to the generator, after checking that it takes them.

    Args:
        config: a :class:`SyntheticConfig`, or the name of a shipped one
            (``"small"``, the default, or ``"large"``).
        **kwargs: ``data_dir`` and the other ``tfds.core.DatasetBuilder`` arguments.

    Raises:
        ValueError: for a config of another type, or one setting an argument
            the generator does not take.

    Example:
    >>> import contextlib, io, tempfile
    >>> config = SyntheticConfig(name="tiny", examples_per_split={"train": 2})
    >>> builder = FinvisionMicrLines(config=config, data_dir=tempfile.mkdtemp())
    >>> with contextlib.redirect_stdout(io.StringIO()):  # TFDS prints where it writes
    ...     builder.download_and_prepare()
    >>> example = next(builder.as_dataset(split="train").as_numpy_iterator())
    >>> sorted(example), example["image"].shape[0]
    (['image', 'index', 'text'], 32)
    """

    SPLITS = SPLITS
    BUILDER_CONFIGS = _configs(large=20_000)
    #: The function of :mod:`finvision.data.synthetic` drawing the samples.
    GENERATOR: ClassVar[Callable[..., list[Any]]]
    #: Generator arguments fixed per split (they may not be set in ``options``).
    SPLIT_ARGUMENTS: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    def __init__(self, *, config: SyntheticConfig | str | None = None, **kwargs: Any) -> None:
        if config is not None and not isinstance(config, SyntheticConfig | str):
            raise ValueError(
                "`config` must be a SyntheticConfig or the name of a shipped config "
                f"('small', 'large'); received {config!r}."
            )
        super().__init__(config=config, **kwargs)
        self.arguments  # noqa: B018 (checks the config's arguments now)

    @functools.cached_property
    def arguments(self) -> dict[str, Any]:
        """The generator's keyword arguments from the config (all but ``seed``)."""
        config, generator = self.builder_config, type(self).GENERATOR
        parameters = inspect.signature(generator).parameters
        taken = {
            name: parameter.default
            for name, parameter in parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
            and parameter.default is not inspect.Parameter.empty
        }
        fixed = {name for arguments in self.SPLIT_ARGUMENTS.values() for name in arguments}
        for name, value, default in (
            ("nuisance", config.nuisance, 0.0),
            ("font_path", config.font_path, None),
        ):
            if name not in taken and value != default:
                raise ValueError(
                    f"`{name}` does not apply to {self.name}: {generator.__name__} takes no "
                    f"`{name}`; received {value!r}."
                )
        allowed = sorted(set(taken) - fixed - {"nuisance", "font_path"})
        unknown = sorted(set(config.options) - set(allowed))
        if unknown:
            raise ValueError(f"`options` of {self.name} may set {allowed}; received {unknown}.")
        settings = {"nuisance": config.nuisance, "font_path": config.font_path, **config.options}
        return {name: settings.get(name, default) for name, default in taken.items()}

    def sample_features(self) -> dict[str, tfds.features.FeatureConnector]:
        """The features of one sample, named after the generator's fields."""
        raise NotImplementedError(f"{type(self).__name__} must define sample_features().")

    def features(self) -> tfds.features.FeaturesDict:
        return tfds.features.FeaturesDict(
            {"index": tfds.features.Scalar(dtype=np.int64), **self.sample_features()}
        )

    def splits(self) -> tuple[str, ...]:
        return tuple(self.builder_config.examples_per_split)

    def generate(self, split: str) -> Iterator[dict[str, Any]]:
        config = self.builder_config
        samples = type(self).GENERATOR(
            config.examples_per_split[split],
            seed=split_seed(config.seed, split),
            **{**self.arguments, **self.SPLIT_ARGUMENTS.get(split, {})},
        )
        names = [name for name in self.info.features if name != "index"]
        for index, sample in enumerate(samples):
            samples[index] = None  # written: free it
            yield {"index": index, **{name: _value(getattr(sample, name)) for name in names}}


class _TextLines(SyntheticBuilder, skip_registration=True):
    """Line images of the options' ``height`` and any width, with their transcripts."""

    SUPERVISED_KEYS = ("image", "text")

    def sample_features(self) -> dict[str, tfds.features.FeatureConnector]:
        height = check_height(self.arguments["height"])
        return {"image": tfds.features.Image(shape=(height, None, 1)), "text": tfds.features.Text()}


class FinvisionMrzLines(_TextLines):
    """Single MRZ lines (TD1 and TD3 by default) in OCR-B, with their text.

    Examples: ``image`` (uint8 ``(32, width, 1)`` unless ``options`` set
    ``height``), ``text`` and ``index``; drawn by
    :func:`~finvision.data.synthetic.mrz_lines`. Options: ``formats``, ``height``.

    Example:
    >>> FinvisionMrzLines.name, FinvisionMrzLines.GENERATOR.__name__
    ('finvision_mrz_lines', 'mrz_lines')
    """

    GENERATOR = staticmethod(mrz_lines)


class FinvisionMicrLines(_TextLines):
    """Cheque MICR lines in E-13B, with transcripts over ``0-9TAUD``.

    Examples: ``image`` (uint8 ``(32, width, 1)`` unless ``options`` set
    ``height``), ``text`` and ``index``; drawn by
    :func:`~finvision.data.synthetic.micr_lines`. Option: ``height``; no
    ``font_path`` (the glyphs are drawn, not a font's).

    Example:
    >>> FinvisionMicrLines.name
    'finvision_micr_lines'
    """

    GENERATOR = staticmethod(micr_lines)


def _page(size: Any) -> tfds.features.Image:
    return tfds.features.Image(shape=(*check_cheque_size(size), 3))


class FinvisionCheques(SyntheticBuilder):
    """US personal cheques with every value written on them and each field's box.

    Examples: ``image`` (RGB uint8, ``(288, 640, 3)`` unless ``options`` set
    ``size``), the texts ``payee``, ``amount``, ``courtesy_amount``,
    ``legal_amount``, ``date``, ``micr``, ``routing_number``,
    ``account_number`` and ``cheque_number``, ``signature_writer``, ``boxes``
    (``(top, left, bottom, right)`` int32 pixels of each field of
    :data:`~finvision.data.synthetic.CHEQUE_FIELDS`) and ``index``; drawn by
    :func:`~finvision.data.synthetic.cheques`. Option: ``size``.

    Example:
    >>> import tempfile
    >>> builder = FinvisionCheques(config="large", data_dir=tempfile.mkdtemp())
    >>> builder.builder_config.examples_per_split["train"], len(builder.info.features["boxes"])
    (2000, 6)
    """

    BUILDER_CONFIGS = _configs(large=2_000)
    GENERATOR = staticmethod(cheques)
    _TEXTS = (
        "payee",
        "amount",
        "courtesy_amount",
        "legal_amount",
        "date",
        "micr",
        "routing_number",
        "account_number",
        "cheque_number",
    )

    def sample_features(self) -> dict[str, tfds.features.FeatureConnector]:
        box = tfds.features.Tensor(shape=(4,), dtype=np.int32)
        return {
            "image": _page(self.arguments["size"]),
            **{name: tfds.features.Text() for name in self._TEXTS},
            "signature_writer": tfds.features.Scalar(dtype=np.int64),
            "boxes": tfds.features.FeaturesDict({field: box for field in CHEQUE_FIELDS}),
        }


class FinvisionSignatures(SyntheticBuilder):
    """Signature pairs for verification: genuine, skilled and random forgeries.

    Examples: ``a`` (the reference, a genuine sample of ``writer``) and ``b``
    (the questioned signature), uint8 ``(96, 192, 1)`` unless ``options`` set
    ``size``; ``label`` (``"forgery"`` 0, ``"genuine"`` 1), ``kind``
    (``"genuine"``, ``"skilled"``, ``"random"``), ``writer``, ``writer_b`` and
    ``index``; drawn by :func:`~finvision.data.synthetic.signature_pairs`.
    Writers are split apart (:attr:`SPLIT_ARGUMENTS`), so no writer of the test
    split is seen in training. Options: ``size``, ``proportions``.

    Example:
    >>> FinvisionSignatures.SPLIT_ARGUMENTS["test"]["writers"]
    range(800, 1000)
    """

    GENERATOR = staticmethod(signature_pairs)
    SUPERVISED_KEYS = (("a", "b"), "label")  # type: ignore[assignment]
    #: Writers 0-699 train, 700-799 validate and 800-999 test (the generator's
    #: own convention holds 800-999 out for testing).
    SPLIT_ARGUMENTS = {  # noqa: RUF012 (read-only)
        "train": {"writers": range(700)},
        "validation": {"writers": range(700, 800)},
        "test": {"writers": range(800, 1000)},
    }

    def sample_features(self) -> dict[str, tfds.features.FeatureConnector]:
        image = tfds.features.Image(shape=(*check_size(self.arguments["size"]), 1))
        return {
            "a": image,
            "b": image,
            "label": tfds.features.ClassLabel(names=["forgery", "genuine"]),
            "kind": tfds.features.ClassLabel(names=list(PAIR_KINDS)),
            "writer": tfds.features.Scalar(dtype=np.int64),
            "writer_b": tfds.features.Scalar(dtype=np.int64),
        }


class FinvisionTampering(SyntheticBuilder):
    """Tampered cheques with the exact mask of the edit: copy-move, splice, new digits.

    Examples: ``image`` (RGB uint8, ``(288, 640, 3)`` unless ``options`` set
    ``size``), ``mask`` (uint8 ``(H, W, 1)``, 1 on every pixel the edit
    wrote), ``kind`` (one of :data:`~finvision.data.synthetic.TAMPER_KINDS`)
    and ``index``; drawn by :func:`~finvision.data.synthetic.tampered_documents`.
    The untouched cheque is not stored. Options: ``size``, ``kinds``; no
    ``nuisance`` (it would move pixels off the mask).

    Example:
    >>> import tempfile
    >>> FinvisionTampering(data_dir=tempfile.mkdtemp()).info.supervised_keys
    ('image', 'mask')
    """

    BUILDER_CONFIGS = _configs(large=2_000)
    GENERATOR = staticmethod(tampered_documents)
    SUPERVISED_KEYS = ("image", "mask")

    def sample_features(self) -> dict[str, tfds.features.FeatureConnector]:
        size = check_cheque_size(self.arguments["size"])
        return {
            "image": _page(size),
            "mask": tfds.features.Image(shape=(*size, 1)),
            "kind": tfds.features.ClassLabel(names=list(TAMPER_KINDS)),
        }
