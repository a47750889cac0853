"""The package imports lazily and silently, and the command works."""

import subprocess
import sys

import finvision
from finvision import cli


def test_import_is_silent_and_loads_no_heavy_modules():
    probe = (
        "import sys, finvision; "
        "heavy = ['tensorflow', 'keras', 'tensorflow_datasets', 'matplotlib', 'albumentations']; "
        "print(sorted(name for name in heavy if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
    assert result.stderr == ""


def test_submodules_load_on_use():
    assert finvision.models.create_backbone is not None
    assert finvision.federated.FlowerClient is not None
    assert finvision.generative.ConditionalGAN is not None
    assert {"models", "federated", "generative"} <= set(dir(finvision))


def test_unknown_attribute():
    try:
        finvision.no_such_module  # noqa: B018
    except AttributeError as error:
        assert "no attribute 'no_such_module'" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_backbones_command(capsys):
    assert cli.main(["backbones", "mobilenet_v3_s*", "--input-size", "64"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["name", "parameters"]
    assert lines[1].split()[:2] == ["mobilenet_v3_small", "939,120"]
    assert "(None, 2, 2, 576)" in lines[1]
