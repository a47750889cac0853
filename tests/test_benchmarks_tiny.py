"""The verification and tamper benchmarks run at a tiny size and write their documented results."""

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from finvision.models.presets import preset_digest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
VERIFICATION_FIGURES = {"eer", "fnmr_at_fmr_1pct", "roc_auc"}
TAMPER_KINDS = ("copy_move", "splice", "splice_jpeg_donor", "splice_recompressed")
TAMPER_FIGURES = {
    "pixel_f1",
    "pixel_f1_best_test_threshold",
    "best_test_threshold",
    "image_auc",
    "edited_images",
}


def run_benchmark(name, arguments, tmp_path, monkeypatch, capsys):
    """Runs ``benchmarks/<name>.py`` in this process and returns the results it wrote."""
    out = tmp_path / f"{name}.json"
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setattr("sys.argv", [name, *arguments, "--out", str(out)])
    runpy.run_path(str(BENCHMARKS / f"{name}.py"), run_name="__main__")
    assert f"wrote {out}" in capsys.readouterr().out  # not the committed results file
    return json.loads(out.read_text())


def test_crosscheck_agrees_on_a_hand_worked_example(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from _crosscheck import checked_auc, checked_eer, checked_fnmr_at_fmr

    genuine, impostor = np.array([0.9, 0.8, 0.7, 0.3]), np.array([0.1, 0.2, 0.4, 0.75])
    # At threshold 0.7 one impostor (0.75) is accepted and one genuine (0.3) rejected.
    assert checked_eer(genuine, impostor) == {"finvision": 0.25, "sklearn": 0.25}
    # FMR <= 0.25 first at 0.7 (FNMR 1/4); FMR 0 first at 0.8 (FNMR 2/4).
    assert checked_fnmr_at_fmr(genuine, impostor, 0.25)["sklearn"] == 0.25
    assert checked_fnmr_at_fmr(genuine, impostor, 0.0)["finvision"] == 0.5
    # 13 of the 16 genuine-impostor pairs are ordered correctly.
    labels = np.r_[np.ones(4), np.zeros(4)]
    assert checked_auc(labels, np.r_[genuine, impostor]) == {
        "finvision": 13 / 16,
        "sklearn": 13 / 16,
    }


@pytest.mark.slow
def test_verification_benchmark_tiny(tmp_path, monkeypatch, capsys):
    arguments = ["--train-writers", "4", "--test-writers", "4", "--test-pairs", "40"]
    arguments += ["--epochs", "1", "--genuine", "2", "--forgeries", "1"]
    arguments += ["--writers-per-batch", "4", "--size", "32", "64", "--backbone", "resnet18"]
    report = run_benchmark("verification", arguments, tmp_path, monkeypatch, capsys)

    assert report["benchmark"] == "verification"
    assert report["test"]["writers"] == "800-803"
    assert sum(report["test"]["pairs"].values()) == 40
    assert report["setup"]["training_images_per_epoch"] == 12
    assert report["training"]["seconds"] > 0 and len(report["training"]["loss_per_epoch"]) == 1
    assert set(report["systems"]) == {"trained", "untrained", "hog_cosine"}
    for system in report["systems"].values():
        assert set(system) == {"skilled", "random"}
        for figures in system.values():
            assert set(figures) == VERIFICATION_FIGURES
            assert all(0.0 <= value <= 1.0 for value in figures.values())
    for kind, checks in report["sklearn_check"].items():
        assert checks["roc_auc"]["finvision"] == report["systems"]["trained"][kind]["roc_auc"]
        assert checks["roc_auc"]["sklearn"] == pytest.approx(checks["roc_auc"]["finvision"])
        assert checks["eer"]["finvision"] == report["systems"]["trained"][kind]["eer"]


@pytest.mark.slow
def test_tamper_benchmark_tiny(tmp_path, monkeypatch, capsys):
    arguments = ["--size", "32", "--epochs", "1", "--train-edits", "8", "--test-edits", "8"]
    report = run_benchmark(
        "tamper", [*arguments, "--backbone", "resnet18"], tmp_path, monkeypatch, capsys
    )

    assert report["benchmark"] == "tamper"
    assert not set(report["setup"]["train_photos"]) & set(report["setup"]["test_photos"])
    assert set(report["systems"]) == {"segmenter", "ela_threshold"}
    assert report["systems"]["segmenter"]["operating_threshold"] == 0.5
    for name, system in report["systems"].items():
        assert set(system) == {"operating_threshold", "all", *TAMPER_KINDS}
        assert system["all"]["edited_images"] == 8
        assert [system[kind]["edited_images"] for kind in TAMPER_KINDS] == [2, 2, 2, 2]
        for kind in ("all", *TAMPER_KINDS):
            figures = system[kind]
            assert set(figures) == TAMPER_FIGURES
            for key in ("pixel_f1", "pixel_f1_best_test_threshold", "image_auc"):
                assert 0.0 <= figures[key] <= 1.0
            # The operating threshold is among the candidates of the best one.
            assert figures["pixel_f1_best_test_threshold"] >= figures["pixel_f1"]
            check = report["sklearn_check"]["image_auc"][name][kind]
            assert check["finvision"] == figures["image_auc"]
            assert check["sklearn"] == pytest.approx(check["finvision"])


@pytest.mark.slow
def test_gan_augmentation_benchmark_tiny(tmp_path, monkeypatch, capsys):
    report = run_benchmark("gan_augmentation", ["--tiny"], tmp_path, monkeypatch, capsys)

    assert report["benchmark"] == "gan_augmentation"
    assert report["setup"]["seeds"] == [0] and report["setup"]["train_count"] == 40
    assert set(report["arms"]) == {"plain", "class_weights", "oversampled", "gan"}
    seed = report["seeds"]["0"]
    assert seed["gan"]["rare_training_images"] == 4 and len(seed["gan"]["discriminator_loss"]) == 1
    for arm, figures in report["arms"].items():
        recall = seed["arms"][arm]["recall_at_1pct_fpr"]
        assert recall["sklearn"] == recall["finvision"] == figures["recall_at_1pct_fpr"]["mean"]
        assert 0.0 <= recall["finvision"] <= 1.0
        assert 0.0 <= figures["roc_auc"]["mean"] <= 1.0 and figures["roc_auc"]["std"] == 0.0
    for name, distance in report["frechet"].items():
        assert distance["per_seed"] == [seed["frechet"][name]]
        assert np.isfinite(distance["mean"]) and distance["mean"] >= 0.0


def test_independent_mrz_benchmark_tiny(tmp_path, monkeypatch, capsys):
    if not Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf").is_file():
        pytest.skip("the independent renderer needs the OCR-B font (Debian fonts-ocr-b)")
    arguments = ["--lines", "12", "--documents", "3", "--rotations", "0", "2"]
    report = run_benchmark("mrz_independent", arguments, tmp_path, monkeypatch, capsys)

    assert report["benchmark"] == "mrz_independent" and report["lines"] == 12
    assert set(report["by_rotation"]) == {"0", "2"}
    for figures in report["by_rotation"].values():
        assert figures["cer"] >= 0.0 and 0.0 <= figures["exact_lines"] <= 1.0
        assert figures["lines_per_second"] > 0
        assert set(figures["documents"]) == {"greedy", "decode_mrz"}
        for exact in figures["documents"].values():
            assert 0.0 <= exact["exact_documents"] <= 1.0 and 0.0 <= exact["exact_lines"] <= 1.0
        assert 0.0 <= figures["wrong_among_accepted"] <= 1.0 and 0.0 <= figures["accepted"] <= 1.0
    assert 0.0 <= report["accept_threshold"] <= 1.0


def test_micr_reader_benchmark_tiny(tmp_path, monkeypatch, capsys):
    arguments = ["--lines", "6", "--pages", "2"]
    report = run_benchmark("micr_reader", arguments, tmp_path, monkeypatch, capsys)

    assert report["benchmark"] == "micr_reader" and list(report["readers"]) == ["micr"]
    figures = report["readers"]["micr"]
    assert figures["preset_sha256"] == preset_digest("micr")
    assert {"drawn, nuisance 0.5", "captured, nuisance 0.5", "cheque pages"} <= set(figures)
    assert 0.0 <= figures["captured, nuisance 0.5"]["exact_lines"] <= 1.0
    pages = figures["cheque pages"]
    assert 0.0 <= pages["exact"] <= pages["found"] <= 1.0 and pages["pages_per_second"] > 0


def test_acceptance_threshold_on_a_hand_worked_example(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from mrz_independent import accept_threshold

    confidence = np.array([0.6, 0.9, 0.7, 0.8, 0.5])
    right = np.array([True, True, False, True, True])
    # Surest first: 0.9 and 0.8 are right; taking 0.7 makes a third of the accepted wrong,
    # and no lower threshold brings the share back to 1%.
    assert accept_threshold(confidence, right) == 0.8
    assert accept_threshold(confidence, np.ones(5, bool)) == 0.5  # all right: accept all
    assert accept_threshold(np.array([0.9]), np.array([False])) == 1.0  # none holds


def test_the_independent_renderer_shares_no_code_with_the_training_generator():
    source = (BENCHMARKS / "_independent_mrz.py").read_text()
    imported = {
        line.split()[1] for line in source.splitlines() if line.startswith(("from ", "import "))
    }
    assert {name for name in imported if name.startswith("finvision")} == {"finvision.documents"}
