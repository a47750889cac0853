"""The build-time modules under ``docs/hooks``, imported by path for the tests."""

import importlib.util
import sys
from pathlib import Path

HOOKS = Path(__file__).parents[2] / "docs" / "hooks"


def load_hook(name: str):
    """Imports ``docs/hooks/<name>.py``, as MkDocs and griffe do, by path."""
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
