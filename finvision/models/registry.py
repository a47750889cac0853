"""The catalogue of backbones: one :class:`BackboneSpec` per name."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from finvision.models.backbones import applications, resnet
from finvision.preprocessing.normalization import CAFFE_MEAN, MODES, TORCH_MEAN, TORCH_STD

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
class BackboneSpec:
    """Everything finvision knows about one backbone architecture.

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


_CAFFE = Preprocessing("caffe", mean=CAFFE_MEAN)
_TF = Preprocessing("tf")
_TORCH = Preprocessing("torch", mean=TORCH_MEAN, std=TORCH_STD)


def _levels(*values: Any) -> Mapping[str, Any]:
    return MappingProxyType({f"P{level}": value for level, value in enumerate(values, 1)})


def _keras_weights(folder: str, file_name: str, md5: str | None) -> WeightsFile:
    return WeightsFile(file_name, f"{KERAS_WEIGHTS_URL}{folder}/{file_name}", md5)


def _keras_resnet(depth: int, blocks: tuple[int, int], md5: str, *, v2: bool) -> BackboneSpec:
    # Taps sit in the last block of stages conv2 to conv4. ResNet v1 taps the
    # block's output; Keras' ResNetV2 strides inside that block, so v2 taps the
    # normalised trunk entering it, and its stem has no BatchNormalization.
    conv3, conv4 = blocks
    tap, stem, suffix = ("preact_relu", "conv1_conv", "V2") if v2 else ("out", "conv1_relu", "")
    return BackboneSpec(
        name=f"resnet{depth}_v2" if v2 else f"resnet{depth}",
        family="resnet_v2" if v2 else "resnet",
        default_input_size=(224, 224),
        preprocessing=_TF if v2 else _CAFFE,
        pyramid_channels=_levels(64, 256, 512, 1024, 2048),
        pyramid_layers=_levels(
            stem, f"conv2_block3_{tap}", f"conv3_block{conv3}_{tap}", f"conv4_block{conv4}_{tap}"
        ),
        keras_application=f"ResNet{depth}{suffix}",
        imagenet_weights=_keras_weights(
            "resnet",
            f"resnet{depth}{suffix.lower()}_weights_tf_dim_ordering_tf_kernels_notop.h5",
            md5,
        ),
        default_bn_momentum=0.99,
        build_trunk=applications.trunk_builder(f"ResNet{depth}{suffix}"),
    )


def _basic_resnet(depth: int, blocks_per_stage: tuple[int, int, int, int]) -> BackboneSpec:
    return BackboneSpec(
        name=f"resnet{depth}",
        family="resnet",
        default_input_size=(224, 224),
        preprocessing=_TORCH,
        pyramid_channels=_levels(64, 64, 128, 256, 512),
        pyramid_layers=_levels(
            "conv1_relu",
            *(
                f"conv{stage}_block{blocks}_out"
                for stage, blocks in enumerate(blocks_per_stage[:3], 2)
            ),
        ),
        keras_application=None,
        imagenet_weights=None,
        default_bn_momentum=resnet.BN_MOMENTUM,
        build_trunk=resnet.trunk_builder(blocks_per_stage),
    )


def _vgg(depth: int, last_conv: int, md5: str) -> BackboneSpec:
    return BackboneSpec(
        name=f"vgg{depth}",
        family="vgg",
        default_input_size=(224, 224),
        preprocessing=_CAFFE,
        pyramid_channels=_levels(128, 256, 512, 512, 512),
        pyramid_layers=_levels(
            "block2_conv2",
            f"block3_conv{last_conv}",
            f"block4_conv{last_conv}",
            f"block5_conv{last_conv}",
        ),
        keras_application=f"VGG{depth}",
        imagenet_weights=_keras_weights(
            f"vgg{depth}", f"vgg{depth}_weights_tf_dim_ordering_tf_kernels_notop.h5", md5
        ),
        default_bn_momentum=0.99,
        build_trunk=applications.trunk_builder(f"VGG{depth}"),
    )


def _mobilenet(
    name: str,
    application: str,
    channels: tuple[int, ...],
    layers: tuple[str, ...],
    weights: WeightsFile,
    bn_momentum: float,
    **options: Any,
) -> BackboneSpec:
    return BackboneSpec(
        name=name,
        family="mobilenet",
        default_input_size=(224, 224),
        preprocessing=_TF,
        pyramid_channels=_levels(*channels),
        pyramid_layers=_levels(*layers),
        keras_application=application,
        imagenet_weights=weights,
        default_bn_momentum=bn_momentum,
        build_trunk=applications.trunk_builder(application, **options),
    )


_SPECS: dict[str, BackboneSpec] = {
    spec.name: spec
    for spec in (
        _basic_resnet(18, (2, 2, 2, 2)),
        _basic_resnet(34, (3, 4, 6, 3)),
        _keras_resnet(50, (4, 6), "4d473c1dd8becc155b73f8504c6f6626", v2=False),
        _keras_resnet(101, (4, 23), "88cf7a10940856eca736dc7b7e228a21", v2=False),
        _keras_resnet(152, (8, 36), "ee4c566cf9a93f14d82f913c2dc6dd0c", v2=False),
        _keras_resnet(50, (4, 6), "fac2f116257151a9d068a22e544a4917", v2=True),
        _keras_resnet(101, (4, 23), "c0ed64b8031c3730f411d2eb4eea35b5", v2=True),
        _keras_resnet(152, (8, 36), "ed17cf2e0169df9d443503ef94b23b33", v2=True),
        _vgg(16, 3, "6d6bbae143d832006294945121d1f1fc"),
        _vgg(19, 4, "253f8cb515780f3b799900260a226db6"),
        _mobilenet(
            "mobilenet_v1",
            "MobileNet",
            (64, 128, 256, 512, 1024),
            ("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_11_relu"),
            _keras_weights("mobilenet", "mobilenet_1_0_224_tf_no_top.h5", None),
            bn_momentum=0.99,
        ),
        _mobilenet(
            "mobilenet_v2",
            "MobileNetV2",
            (96, 144, 192, 576, 1280),
            (
                "block_1_expand_relu",
                "block_3_expand_relu",
                "block_6_expand_relu",
                "block_13_expand_relu",
            ),
            _keras_weights(
                "mobilenet_v2",
                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
                None,
            ),
            bn_momentum=0.999,
        ),
        _mobilenet(
            "mobilenet_v3_small",
            "MobileNetV3Small",
            (16, 16, 24, 48, 576),
            ("conv_bn", "expanded_conv_project_bn", "expanded_conv_2_add", "expanded_conv_7_add"),
            _keras_weights(
                "mobilenet_v3",
                "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
                "d3e8ec802a04aa4fc771ee12a9a9b836",
            ),
            bn_momentum=0.999,
            include_preprocessing=False,
        ),
        _mobilenet(
            "mobilenet_v3_large",
            "MobileNetV3Large",
            (16, 24, 40, 112, 960),
            (
                "expanded_conv_add",
                "expanded_conv_2_add",
                "expanded_conv_5_add",
                "expanded_conv_11_add",
            ),
            _keras_weights(
                "mobilenet_v3",
                "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5",
                "07fb09a5933dd0c8eaafa16978110389",
            ),
            bn_momentum=0.999,
            include_preprocessing=False,
        ),
    )
}


#: The names shipped with finvision, which :func:`register_backbone` never replaces.
BUILT_IN_BACKBONES = frozenset(_SPECS)
_LEVELS = ("P1", "P2", "P3", "P4", "P5")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


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
    >>> _ = _SPECS.pop("resnet18_bank")  # the example leaves the catalogue as it was
    """
    if not isinstance(spec, BackboneSpec):
        raise TypeError(
            f"`spec` must be a finvision.models.BackboneSpec; received {type(spec).__name__}."
        )
    if not isinstance(spec.name, str) or not _NAME.fullmatch(spec.name):
        raise ValueError(
            "`spec.name` must be lower-case letters, digits and underscores, starting with a "
            f"letter; received {spec.name!r}."
        )
    if spec.name in BUILT_IN_BACKBONES:
        raise ValueError(f"Backbone {spec.name!r} is built in; register yours under another name.")
    if spec.name in _SPECS and not overwrite:
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
    _SPECS[spec.name] = spec
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
    return sorted(name for name in _SPECS if fnmatch.fnmatchcase(name, pattern))


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
    if isinstance(name, str) and name in _SPECS:
        return _SPECS[name]
    closest = difflib.get_close_matches(str(name).lower(), list(_SPECS), n=3, cutoff=0.4)
    hint = f" Closest names: {', '.join(closest)}." if closest else ""
    raise ValueError(
        f"Unknown backbone {name!r}.{hint} "
        f"All names: finvision.models.list_backbones() -> {list_backbones()}."
    )
