"""The catalogue of backbones: one :class:`BackboneSpec` per name.

The catalogue is open. Each module of :mod:`finvision.models.backbones` declares
its family's specs next to the network builder, in three parts kept apart: the
:class:`Architecture` (builder, pyramid taps and channels, BatchNormalization
momentum), the :class:`Preprocessing` its weights expect and the published
:class:`WeightsFile`; it registers them when imported. The lookups below import
that package on first use (it imports this module, so this module cannot import
it first), and :func:`register_backbone` adds a bank's own backbones.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from finvision.preprocessing.normalization import MODES

KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclasses.dataclass(frozen=True)
class Preprocessing:
    """How raw pixels are normalised for a backbone's weights.

    Attributes:
        mode: ``"caffe"``, ``"tf"``, ``"torch"`` or ``"none"`` (see
            :class:`finvision.preprocessing.BackboneNormalization`).
        mean: per-channel means (``"caffe"``: pixel units, BGR order;
            ``"torch"``: [0, 1] units, RGB order), or None.
        std: per-channel standard deviations (``"torch"`` only), or None.

    Example:
    >>> Preprocessing("tf").mode
    'tf'
    """

    mode: str
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None


@dataclasses.dataclass(frozen=True)
class WeightsFile:
    """A published ImageNet weights file (without classification top).

    Attributes:
        file_name: the file's name, also its name in Keras' cache
            (``~/.keras/models``).
        origin: the URL Keras downloads it from.
        file_hash: the hash Keras publishes for the file, or None where Keras
            publishes none (MobileNet v1 and v2).
        hash_algorithm: ``"md5"`` or ``"sha256"``: the algorithm of ``file_hash``.

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> get_backbone_spec("vgg16").imagenet_weights.hash_algorithm
    'md5'
    """

    file_name: str
    origin: str
    file_hash: str | None
    hash_algorithm: str = "md5"


@dataclasses.dataclass(frozen=True)
class Architecture:
    """The network part of a spec: how it is built and where its pyramid is tapped.

    Attributes:
        build_trunk: builds the network on a Keras tensor and returns it as a
            functional model (see :func:`register_backbone`).
        taps: the names of the layers whose outputs are ``"P1"`` to ``"P4"``
            (strides 2, 4, 8 and 16), in that order; ``"P5"`` is the output.
        channels: the channels of ``"P1"`` to ``"P5"``, in that order.
        default_bn_momentum: BatchNormalization momentum the network uses.
        keras_application: the ``keras.applications`` constructor that builds
            the same network (and reads the same weight files), or None.
        min_input_size: the smallest height and width the network accepts.

    Example:
    >>> from finvision.models.backbones.resnet import trunk_builder
    >>> architecture = Architecture(
    ...     trunk_builder((2, 2, 2, 2)),
    ...     taps=("conv1_relu", "conv2_block2_out", "conv3_block2_out", "conv4_block2_out"),
    ...     channels=(64, 64, 128, 256, 512),
    ...     default_bn_momentum=0.9,
    ... )
    >>> architecture.channels[-1]
    512
    """

    build_trunk: Callable[[Any], Any]
    taps: tuple[str, ...]
    channels: tuple[int, ...]
    default_bn_momentum: float
    keras_application: str | None = None
    min_input_size: int = 32


@dataclasses.dataclass(frozen=True)
class BackboneSpec:
    """Everything finvision knows about one backbone architecture.

    The built-in families declare their specs with :meth:`from_parts`, which
    keeps the architecture, the normalisation and the published weights apart;
    the fields below are the flat view every caller reads.

    Attributes:
        name: the registry name, e.g. ``"resnet50"``.
        family: ``"resnet"``, ``"resnet_v2"``, ``"vgg"`` or ``"mobilenet"``.
        default_input_size: ``(height, width)`` the ImageNet weights were trained at.
        preprocessing: the normalisation the weights expect.
        pyramid_channels: channels of the feature maps ``"P1"`` to ``"P5"``
            (strides 2, 4, 8, 16, 32).
        pyramid_layers: the layer whose output is each of ``"P1"`` to ``"P4"``;
            ``"P5"`` is always the final feature map.
        keras_application: the ``keras.applications`` constructor with the same
            architecture and weights, or None.
        imagenet_weights: the published ImageNet weights file, or None.
        default_bn_momentum: BatchNormalization momentum the architecture uses.
        min_input_size: the smallest height and width the network accepts.
        build_trunk: builds the network on a Keras tensor and returns it as a
            functional model (internal; not part of equality).

    Example:
    >>> from finvision.models import get_backbone_spec
    >>> spec = get_backbone_spec("resnet18")
    >>> spec.pyramid_channels["P5"], spec.preprocessing.mode
    (512, 'torch')
    """

    name: str
    family: str
    default_input_size: tuple[int, int]
    preprocessing: Preprocessing
    pyramid_channels: Mapping[str, int]
    pyramid_layers: Mapping[str, str]
    keras_application: str | None
    imagenet_weights: WeightsFile | None
    default_bn_momentum: float
    build_trunk: Callable[[Any], Any] = dataclasses.field(repr=False, compare=False)
    min_input_size: int = 32

    @classmethod
    def from_parts(
        cls,
        name: str,
        family: str,
        *,
        architecture: Architecture,
        preprocessing: Preprocessing,
        imagenet_weights: WeightsFile | None = None,
        default_input_size: tuple[int, int] = (224, 224),
    ) -> BackboneSpec:
        """Assembles a spec from its parts.

        Args:
            name: the registry name.
            family: the family the name belongs to.
            architecture: the network and its pyramid taps.
            preprocessing: the normalisation the weights expect.
            imagenet_weights: the published ImageNet weights file, or None.
            default_input_size: ``(height, width)`` the weights were trained at.

        Returns:
            The spec, with ``pyramid_layers`` and ``pyramid_channels`` keyed
            ``"P1"``, ``"P2"``, ... in the order of ``architecture``'s taps and
            channels.

        Example:
        >>> from finvision.models.backbones.resnet import trunk_builder
        >>> spec = BackboneSpec.from_parts(
        ...     "resnet18_gray",
        ...     "resnet",
        ...     architecture=Architecture(
        ...         trunk_builder((2, 2, 2, 2)),
        ...         taps=("conv1_relu", "conv2_block2_out", "conv3_block2_out", "conv4_block2_out"),
        ...         channels=(64, 64, 128, 256, 512),
        ...         default_bn_momentum=0.9,
        ...     ),
        ...     preprocessing=Preprocessing("none"),
        ... )
        >>> spec.pyramid_layers["P4"], spec.pyramid_channels["P5"], spec.imagenet_weights
        ('conv4_block2_out', 512, None)
        """
        return cls(
            name=name,
            family=family,
            default_input_size=default_input_size,
            preprocessing=preprocessing,
            pyramid_channels=_levels(architecture.channels),
            pyramid_layers=_levels(architecture.taps),
            keras_application=architecture.keras_application,
            imagenet_weights=imagenet_weights,
            default_bn_momentum=architecture.default_bn_momentum,
            build_trunk=architecture.build_trunk,
            min_input_size=architecture.min_input_size,
        )


def _levels(values: tuple[Any, ...]) -> Mapping[str, Any]:
    return MappingProxyType({f"P{level}": value for level, value in enumerate(values, 1)})


_REGISTRY: dict[str, BackboneSpec] = {}
_BUILT_IN: set[str] = set()
_LEVELS = ("P1", "P2", "P3", "P4", "P5")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _catalogue() -> dict[str, BackboneSpec]:
    """The registry, once every built-in family module has registered its specs."""
    import finvision.models.backbones  # noqa: F401  (they import this module)

    return _REGISTRY


def __getattr__(name: str) -> frozenset[str]:
    """``BUILT_IN_BACKBONES``: the names shipped with finvision.

    The frozenset of the names the family modules register, which
    :func:`register_backbone` never replaces; computed on first access, as the
    family modules import this module.

    Example:
    >>> from finvision.models.registry import BUILT_IN_BACKBONES
    >>> len(BUILT_IN_BACKBONES), "vgg16" in BUILT_IN_BACKBONES
    (14, True)
    """
    if name == "BUILT_IN_BACKBONES":
        _catalogue()
        return frozenset(_BUILT_IN)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _register_built_in(*specs: BackboneSpec) -> None:
    """Registers a family's specs as built in; each family module calls it on import."""
    for spec in specs:
        _BUILT_IN.add(register_backbone(spec).name)


def register_backbone(spec: BackboneSpec, *, overwrite: bool = False) -> BackboneSpec:
    """Adds a backbone to the catalogue, so every finvision API can build it by name.

    ``spec.build_trunk(tensor)`` builds the network on a Keras tensor (the
    images, or the output of the in-graph normalisation) and returns a
    functional ``keras.Model`` from ``keras.utils.get_source_inputs(tensor)``
    to the last feature map, whose layers ``spec.pyramid_layers`` name the
    feature maps of strides 2, 4, 8 and 16 (``"P1"`` to ``"P4"``; ``"P5"`` is the
    model's output, stride 32). Once registered, the name works everywhere a
    built-in one does: :func:`~finvision.models.create_backbone` (with
    ``weights=`` a file or a preset of it), ``pyramid_outputs``, the task models,
    :func:`finvision.transfer.unfreeze`, presets and ``.keras`` files. A process
    that loads such a file must register the spec first, as it imports the
    module that defines it.

    Args:
        spec: the backbone's :class:`BackboneSpec`; ``imagenet_weights`` may be None.
        overwrite: replace a spec registered earlier under the same name
            (never a built-in one).

    Returns:
        ``spec``.

    Raises:
        TypeError: if ``spec`` is not a :class:`BackboneSpec` or its
            ``build_trunk`` is not callable.
        ValueError: for a name that is not lower-case letters, digits and
            underscores, a name already registered (without ``overwrite``) or
            built in, pyramid layers other than P1-P4, channels other than
            positive ints for P1-P5, or an unknown preprocessing mode.

    Example:
    >>> import dataclasses
    >>> spec = dataclasses.replace(get_backbone_spec("resnet18"), name="resnet18_bank")
    >>> register_backbone(spec).name in list_backbones("resnet18*")
    True
    >>> register_backbone(spec)
    Traceback (most recent call last):
    ...
    ValueError: Backbone 'resnet18_bank' is already registered; pass overwrite=True to replace it.
    >>> _ = _REGISTRY.pop("resnet18_bank")  # the example leaves the catalogue as it was
    """
    catalogue = _catalogue()
    if not isinstance(spec, BackboneSpec):
        raise TypeError(
            f"`spec` must be a finvision.models.BackboneSpec; received {type(spec).__name__}."
        )
    if not isinstance(spec.name, str) or not _NAME.fullmatch(spec.name):
        raise ValueError(
            "`spec.name` must be lower-case letters, digits and underscores, starting with a "
            f"letter; received {spec.name!r}."
        )
    if spec.name in _BUILT_IN:
        raise ValueError(f"Backbone {spec.name!r} is built in; register yours under another name.")
    if spec.name in catalogue and not overwrite:
        raise ValueError(
            f"Backbone {spec.name!r} is already registered; pass overwrite=True to replace it."
        )
    if not callable(spec.build_trunk):
        raise TypeError(
            f"`spec.build_trunk` must be callable (tensor -> keras.Model); received "
            f"{type(spec.build_trunk).__name__}."
        )
    if tuple(sorted(spec.pyramid_layers)) != _LEVELS[:4]:
        raise ValueError(
            f"`spec.pyramid_layers` must name the layers of {list(_LEVELS[:4])} (P5 is the "
            f"output); received {sorted(spec.pyramid_layers)}."
        )
    channels = dict(spec.pyramid_channels)
    if tuple(sorted(channels)) != _LEVELS or not all(
        isinstance(value, int) and not isinstance(value, bool) and value > 0
        for value in channels.values()
    ):
        raise ValueError(
            f"`spec.pyramid_channels` must give a positive int for each of {list(_LEVELS)}; "
            f"received {channels}."
        )
    if spec.preprocessing.mode not in MODES:
        raise ValueError(
            f"`spec.preprocessing.mode` must be one of {MODES}; received "
            f"{spec.preprocessing.mode!r}."
        )
    catalogue[spec.name] = spec
    return spec


def list_backbones(pattern: str = "*") -> list[str]:
    """Lists the registered backbone names matching a shell-style pattern.

    Args:
        pattern: an ``fnmatch`` pattern (``*``, ``?``, ``[seq]``), case-sensitive.

    Returns:
        The matching names, sorted.

    Example:
    >>> list_backbones("mobilenet_v3*")
    ['mobilenet_v3_large', 'mobilenet_v3_small']
    """
    return sorted(name for name in _catalogue() if fnmatch.fnmatchcase(name, pattern))


def get_backbone_spec(name: str) -> BackboneSpec:
    """Returns the :class:`BackboneSpec` registered under ``name``.

    Args:
        name: a name from :func:`list_backbones`.

    Returns:
        The frozen spec.

    Raises:
        ValueError: for an unknown name; the message lists the closest names.

    Example:
    >>> get_backbone_spec("resnet50").keras_application
    'ResNet50'
    """
    catalogue = _catalogue()
    if isinstance(name, str) and name in catalogue:
        return catalogue[name]
    closest = difflib.get_close_matches(str(name).lower(), list(catalogue), n=3, cutoff=0.4)
    hint = f" Closest names: {', '.join(closest)}." if closest else ""
    raise ValueError(
        f"Unknown backbone {name!r}.{hint} "
        f"All names: finvision.models.list_backbones() -> {list_backbones()}."
    )
