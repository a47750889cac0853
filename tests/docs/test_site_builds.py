"""The documentation site builds with --strict, API reference and changelog included."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.hook_modules import load_hook

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site_dir = tmp_path_factory.mktemp("site")
    command = ["build", "--strict", "--config-file", str(ROOT / "mkdocs.yml")]
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", *command, "--site-dir", str(site_dir)],
        cwd=site_dir,  # paths in mkdocs.yml do not depend on the working directory
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    return site_dir


def page(site, path):
    return (site / path / "index.html").read_text()


def test_api_pages_come_from_the_docstrings(site):
    models = page(site, "api/models")
    assert 'id="finvision.models.TextLineRecognizer"' in models
    assert 'id="finvision.models.create_backbone"' in models
    for module in (
        "preprocessing",
        "transfer",
        "metrics",
        "callbacks",
        "losses",
        "data",
        "documents",
    ):
        assert f'id="finvision.{module}' in page(site, f"api/{module}")
    # the doctest examples render as highlighted code, not as prose
    assert '<span class="gp">&gt;&gt;&gt; </span>' in models
    assert "<p>&gt;&gt;&gt;" not in models


def test_benchmark_tables_are_rendered(site):
    benchmarks = page(site, "benchmarks")
    assert "benchmark-table:" not in benchmarks
    assert "<td>mobilenet_v3_small</td>" in benchmarks
    assert "<td>Tesseract 5.3</td>" in benchmarks


def test_changelog_is_the_root_file(site):
    changelog = page(site, "changelog")
    # the first word of the newest entry, without the backticks Markdown turns into <code>
    first_entry = (ROOT / "CHANGELOG.md").read_text().split("\n- ")[1].split()[0].strip("`")
    assert "Keep a Changelog" in changelog and first_entry in changelog


def test_example_sections_become_indented_examples():
    to_examples_section = load_hook("doctest_examples").to_examples_section
    docstring = "Adds.\n\nArgs:\n    a: a number.\n\nExample:\n>>> 1 + 1\n2\n>>> print('x')\nx"
    assert to_examples_section(docstring) == (
        "Adds.\n\nArgs:\n    a: a number.\n\n"
        "Examples:\n    >>> 1 + 1\n    2\n    >>> print('x')\n    x"
    )
    assert to_examples_section("No example.\n\nExample: prose") == "No example.\n\nExample: prose"
