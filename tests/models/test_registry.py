"""The open registry: family modules register their own specs, declared in parts."""

import subprocess
import sys

import pytest

from finvision import models
from finvision.models import registry

#: DESIGN.md's contract: every one required.
CONTRACT = frozenset(
    [
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet101",
        "resnet152",
        "resnet50_v2",
        "resnet101_v2",
        "resnet152_v2",
        "vgg16",
        "vgg19",
        "mobilenet_v1",
        "mobilenet_v2",
        "mobilenet_v3_small",
        "mobilenet_v3_large",
    ]
)


def test_the_built_in_names_are_the_contract():
    from finvision.models.registry import BUILT_IN_BACKBONES

    assert isinstance(BUILT_IN_BACKBONES, frozenset)
    assert BUILT_IN_BACKBONES == registry.BUILT_IN_BACKBONES == CONTRACT
    assert set(models.list_backbones()) >= CONTRACT
    with pytest.raises(AttributeError, match="has no attribute 'BUILT_IN'"):
        registry.BUILT_IN  # noqa: B018


@pytest.mark.parametrize(
    "first_import",
    ["import finvision.models.backbones.mobilenet", "import finvision.models.registry"],
)
def test_every_built_in_name_is_known_whichever_module_is_imported_first(first_import):
    code = (
        f"{first_import}\n"
        "from finvision.models import registry\n"
        "print(sorted(registry.BUILT_IN_BACKBONES) == registry.list_backbones(), "
        "len(registry.list_backbones()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "True 14\n"


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_a_spec_is_its_parts(name):
    spec = models.get_backbone_spec(name)
    architecture = registry.Architecture(
        spec.build_trunk,
        taps=tuple(spec.pyramid_layers.values()),
        channels=tuple(spec.pyramid_channels.values()),
        default_bn_momentum=spec.default_bn_momentum,
        keras_application=spec.keras_application,
        min_input_size=spec.min_input_size,
    )
    rebuilt = models.BackboneSpec.from_parts(
        spec.name,
        spec.family,
        architecture=architecture,
        preprocessing=spec.preprocessing,
        imagenet_weights=spec.imagenet_weights,
        default_input_size=spec.default_input_size,
    )
    assert rebuilt == spec
    assert rebuilt.build_trunk is spec.build_trunk
    assert list(spec.pyramid_layers) == ["P1", "P2", "P3", "P4"]
    assert list(spec.pyramid_channels) == ["P1", "P2", "P3", "P4", "P5"]
