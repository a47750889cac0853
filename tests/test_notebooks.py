"""The example notebooks run top to bottom at tiny size and show what they promise.

Each notebook is executed with papermill in a fresh kernel of this Python (the
``python3`` kernel spec ipykernel installs into the environment), with ``SIZE =
"tiny"`` and a temporary ``WORKDIR``, so nothing is written into the repository.
The cell tagged ``summary`` ends with a dict of the notebook's figures.
"""

import ast
import platform
import sys
from pathlib import Path

import numpy as np
import papermill
import pytest
from sklearn.metrics import f1_score

from finvision.models import read_preset
from finvision.models.presets import list_builtin_presets

NOTEBOOKS = Path(__file__).parents[1] / "examples" / "notebooks"


def run_notebook(name: str, directory: Path, monkeypatch, **parameters) -> dict:
    """Executes a notebook at tiny size in ``directory`` and returns its summary dict.

    Notebooks that write files take ``WORKDIR=str(directory)`` among ``parameters``.
    """
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    # This environment's kernel spec comes first, whatever the user has installed.
    monkeypatch.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
    executed = papermill.execute_notebook(
        str(NOTEBOOKS / name),
        str(directory / name),
        parameters={"SIZE": "tiny", **parameters},
        kernel_name="python3",
        cwd=str(directory),
        progress_bar=False,
    )
    assert executed.metadata.language_info.version == platform.python_version()
    (cell,) = [cell for cell in executed.cells if "summary" in cell.metadata.get("tags", [])]
    (result,) = [output for output in cell.outputs if output.output_type == "execute_result"]
    return ast.literal_eval(result.data["text/plain"])


def test_notebooks_are_stored_without_outputs():
    import nbformat

    names = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
    assert names == [
        "01_document_classifier.ipynb",
        "02_read_mrz_and_micr.ipynb",
        "03_signature_verification.ipynb",
        "04_tamper_localisation.ipynb",
        "05_export_for_mobile.ipynb",
    ]
    for name in names:
        notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(notebook)
        assert notebook.cells[0].cell_type == "markdown"
        assert "FULL_TIME" not in notebook.cells[0].source
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"]
        assert 'SIZE = "full"' in code[0].source
        assert all(not cell.outputs and cell.execution_count is None for cell in code), name


@pytest.mark.slow
def test_document_classifier(tmp_path, monkeypatch):
    summary = run_notebook(
        "01_document_classifier.ipynb", tmp_path, monkeypatch, WORKDIR=str(tmp_path)
    )
    counts = summary["class_counts"]
    written = {
        folder.name: len(list(folder.glob("*.png")))
        for folder in (tmp_path / "documents").iterdir()
    }
    assert written == {name: count for name, count in counts.items() if count}
    assert sum(counts.values()) == 48
    assert summary["class_names"] == sorted(written)
    confusion = np.array(summary["confusion"])
    assert confusion.sum() == summary["validation_images"] > 0
    assert summary["accuracy"] == pytest.approx(np.trace(confusion) / confusion.sum(), abs=1e-4)
    assert summary["reload_max_difference"] <= 1e-6
    preset = read_preset(summary["preset"])  # checks the weights' SHA-256
    assert Path(summary["preset"]).parent == tmp_path
    assert preset.config["config"]["class_names"] == summary["class_names"]


@pytest.mark.skipif(
    "micr" not in list_builtin_presets(),
    reason="the MICR reader preset (finvision/presets/micr) is not shipped yet",
)
@pytest.mark.slow
def test_read_mrz_and_micr(tmp_path, monkeypatch):
    summary = run_notebook("02_read_mrz_and_micr.ipynb", tmp_path, monkeypatch)
    assert summary["lines"] == 16 and summary["zones"] == 2
    assert summary["mrz_cer_clean"] <= 0.02
    assert summary["mrz_cer_noisy"] <= 0.03
    assert summary["micr_cer_noisy"] <= 0.05
    assert 0 < summary["routing_numbers"] <= 16


def _fnmr_at_fmr(genuine: np.ndarray, impostor: np.ndarray, fmr: float) -> float:
    """The lowest FNMR over every threshold whose FMR is at most ``fmr``, by brute force."""
    thresholds = np.r_[np.unique(np.r_[genuine, impostor]), np.inf]
    return min(
        np.mean(genuine < threshold)
        for threshold in thresholds
        if np.mean(impostor >= threshold) <= fmr
    )


@pytest.mark.slow
def test_signature_verification(tmp_path, monkeypatch):
    summary = run_notebook(
        "03_signature_verification.ipynb", tmp_path, monkeypatch, WORKDIR=str(tmp_path)
    )
    assert summary["pairs"] == {"genuine": 23, "skilled": 17, "random": 20}
    assert len(summary["losses"]) == 1 and np.isfinite(summary["losses"]).all()
    assert summary["reload_max_difference"] <= 1e-5
    saved = np.load(summary["scores"])
    scores, kinds = saved["scores"], saved["kinds"]
    assert Path(summary["scores"]).parent == tmp_path
    assert len(scores) == 60 and np.all(np.abs(scores) <= 1 + 1e-5)  # cosines
    genuine = scores[kinds == "genuine"]
    for kind in ("skilled", "random"):
        impostor = scores[kinds == kind]
        expected = _fnmr_at_fmr(genuine, impostor, 0.01)
        assert summary[kind]["fnmr_at_fmr_1pct"] == pytest.approx(expected)
        assert 0 <= summary[kind]["eer"] <= 1


@pytest.mark.slow
def test_tamper_localisation(tmp_path, monkeypatch):
    summary = run_notebook(
        "04_tamper_localisation.ipynb", tmp_path, monkeypatch, WORKDIR=str(tmp_path)
    )
    assert len(summary["losses"]) == 2
    assert summary["losses"][1] < summary["losses"][0]
    masks = np.load(summary["masks"])
    assert masks["true"].shape == masks["predicted"].shape == (4, 96, 192, 1)
    assert masks["true"].any(axis=(1, 2, 3)).all()  # every test cheque was edited
    expected = f1_score(masks["true"].ravel(), masks["predicted"].ravel(), zero_division=0.0)
    assert summary["pixel_f1"] == pytest.approx(expected)
    assert 0 <= summary["image_auc"] <= 1
    read_preset(summary["preset"])


@pytest.mark.slow
def test_export_for_mobile(tmp_path, monkeypatch):
    summary = run_notebook(
        "05_export_for_mobile.ipynb", tmp_path, monkeypatch, WORKDIR=str(tmp_path)
    )
    assert summary["samples"] == 16
    keras_bytes = summary["keras_bytes"]
    for name in ("float16", "int8"):
        path = Path(summary[name]["path"])
        assert path.parent == tmp_path and path.stat().st_size == summary[name]["size_bytes"]
    assert summary["float16"]["size_bytes"] < 0.6 * keras_bytes
    assert summary["int8"]["size_bytes"] < 0.4 * keras_bytes
    assert summary["float16"]["top1_agreement"] >= 0.9
    assert summary["float16"]["max_abs_difference"] < 1e-3
    # Probabilities of the int8 file are uint8 steps of 1/256; calibration keeps them close.
    assert summary["int8"]["max_abs_difference"] < 0.02
