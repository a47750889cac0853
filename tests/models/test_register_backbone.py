"""register_backbone: an in-house trunk works wherever a built-in backbone does."""

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from finvision import models

PAGE = Path(__file__).parents[2] / "docs" / "backbones.md"


def test_the_documented_in_house_trunk_builds_unfreezes_and_round_trips(tmp_path):
    # In a fresh process, so the registered name does not reach other tests' catalogue.
    section = PAGE.read_text().split("## Your own trunk")[1]
    code, printed = re.findall(r"```(?:python|text)\n(.*?)```", section, re.DOTALL)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == printed
    assert (tmp_path / "in-house-preset" / "metadata.json").is_file()


def spec_like(name="resnet18_copy", **changes):
    return dataclasses.replace(models.get_backbone_spec("resnet18"), name=name, **changes)


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("resnet18", TypeError, r"`spec` must be a finvision.models.BackboneSpec; received str"),
        (spec_like("resnet18"), ValueError, r"Backbone 'resnet18' is built in"),
        (spec_like("In House"), ValueError, r"`spec.name` must be lower-case .*'In House'"),
        (
            spec_like(pyramid_layers={"P1": "conv1_relu"}),
            ValueError,
            r"`spec.pyramid_layers` must name the layers of \['P1', 'P2', 'P3', 'P4'\]",
        ),
        (
            spec_like(pyramid_channels={"P1": 64, "P2": 64, "P3": 128, "P4": 256, "P5": 0}),
            ValueError,
            r"`spec.pyramid_channels` must give a positive int for each of",
        ),
        (
            spec_like(preprocessing=models.Preprocessing("imagenet")),
            ValueError,
            r"`spec.preprocessing.mode` must be one of .*'imagenet'",
        ),
        (spec_like(build_trunk=None), TypeError, r"`spec.build_trunk` must be callable"),
    ],
)
def test_bad_specs_are_refused_and_not_registered(spec, error, message):
    with pytest.raises(error, match=message):
        models.register_backbone(spec)
    assert models.list_backbones("*_copy") == []
    assert "In House" not in models.list_backbones()
