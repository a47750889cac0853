"""Flower is needed by finvision.federated only, and its absence says what to install."""

import subprocess
import sys


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_without_flower_the_error_names_the_extra():
    result = _run(
        "import sys; sys.modules['flwr'] = None\n"
        "try:\n    import finvision.federated\n"
        "except ImportError as error:\n    print(error)\n"
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "finvision[federated]"' in result.stdout


def test_import_finvision_does_not_load_flower():
    result = _run("import sys, finvision; print('flwr' in sys.modules)")
    assert (result.stdout, result.stderr) == ("False\n", "")
