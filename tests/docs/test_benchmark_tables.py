"""Benchmark tables of the site are rendered from the results JSON, exactly."""

import json
import subprocess
import sys

import pytest
from mkdocs.exceptions import PluginError

from tests.docs.hook_modules import HOOKS, load_hook


@pytest.fixture(scope="module")
def benchmark_tables():
    return load_hook("benchmark_tables")


OCR = {
    "benchmark": "ocr",
    "readers": {
        "mrz": {
            "finvision": {"cer": 0.0065, "exact_lines": 0.5, "lines_per_second": 265.04},
            "tesseract": {"cer": 0.40308, "exact_lines": 0.094, "lines_per_second": 2.25},
            "other": {"cer": 1, "exact_lines": 0, "lines_per_second": 0.05},
        }
    },
}

PAGE = """# OCR

Before.

<!-- benchmark-table: ocr-mrz -->

After.
"""

# Hand-worked: percentages and figures of the decimal text, rounded half up
# (40.308% -> 40.31%, 2.25 -> 2.3, 0.05 -> 0.1); an unknown engine keeps its key.
EXPECTED = """# OCR

Before.

| engine | CER | exact lines | lines/s |
| --- | --- | --- | --- |
| finvision `mrz` preset | 0.65% | 50.0% | 265.0 |
| Tesseract 5.3 | 40.31% | 9.4% | 2.3 |
| other | 100.00% | 0.0% | 0.1 |

After.
"""


def write(directory, name, results):
    (directory / f"{name}.json").write_text(json.dumps(results))


def test_marker_becomes_the_table(benchmark_tables, tmp_path):
    write(tmp_path, "ocr", OCR)
    assert benchmark_tables.replace_markers(PAGE, tmp_path, "benchmarks.md") == EXPECTED


def test_rounds_half_up_from_the_json_text_and_joins_lists(benchmark_tables, tmp_path):
    # float formatting would give 0.006 and 0.124 (binary values just below the half)
    augmentation = {
        "cpu_tf_data": {
            "images_per_second": {"finvision": 97.5, "albumentations": 216.4},
            "all_rounds": {"finvision": [97.5, 161.49], "albumentations": [216.4]},
        }
    }
    overhead = {
        "results": {
            "resnet50": {"train_step": {"finvision_s": 0.0065, "keras_s": 0.1235, "ratio": 1}}
        }
    }
    write(tmp_path, "augmentation", augmentation)
    write(tmp_path, "backbone_overhead", overhead)
    assert benchmark_tables.render_table("augmentation", tmp_path).splitlines()[2:] == [
        "| finvision layers in `tf.data` | 98 | 98, 161 |",
        "| albumentations through the bridge | 216 | 216 |",
    ]
    assert benchmark_tables.render_table("backbone-overhead", tmp_path).splitlines()[2] == (
        "| resnet50 | training step | 0.007 | 0.124 | 1.000 |"
    )


def test_unknown_table_names_marker_and_known_tables(benchmark_tables, tmp_path):
    page = "<!-- benchmark-table: ocr-cheques -->\n"
    with pytest.raises(PluginError) as error:
        benchmark_tables.replace_markers(page, tmp_path, "benchmarks.md")
    message = str(error.value)
    assert "benchmarks.md" in message and "<!-- benchmark-table: ocr-cheques -->" in message
    assert "'ocr-mrz'" in message


def test_missing_file_names_marker_and_file(benchmark_tables, tmp_path):
    with pytest.raises(PluginError) as error:
        benchmark_tables.replace_markers(PAGE, tmp_path, "benchmarks.md")
    message = str(error.value)
    assert "<!-- benchmark-table: ocr-mrz -->" in message
    assert str(tmp_path / "ocr.json") in message and "does not exist" in message


def test_missing_figure_names_marker_and_file(benchmark_tables, tmp_path):
    write(tmp_path, "ocr", {"readers": {"mrz": {"finvision": {"cer": 0.1}}}})
    with pytest.raises(PluginError, match=r"ocr-mrz -->: .*ocr\.json lacks .*exact_lines"):
        benchmark_tables.render_table("ocr-mrz", tmp_path)


def test_every_table_renders_from_the_repository_results(benchmark_tables):
    results = HOOKS.parents[1] / "benchmarks" / "results"
    for name in benchmark_tables.TABLES:
        table = benchmark_tables.render_table(name, results).splitlines()
        assert len(table) > 2 and all(line.startswith("| ") for line in table)


def test_bad_marker_fails_the_build(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Results\n\n<!-- benchmark-table: ocr-mrz -->\n")
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: t\nhooks:\n  - {HOOKS / 'benchmark_tables.py'}\n"
    )
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert build.returncode != 0
    assert "index.md: <!-- benchmark-table: ocr-mrz --> reads" in build.stderr
    assert str(tmp_path / "benchmarks" / "results" / "ocr.json") in build.stderr
    assert not (tmp_path / "site" / "index.html").exists()
