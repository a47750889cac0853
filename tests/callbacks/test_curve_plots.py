"""CurvePlots: PNG files per epoch or at the end, TensorBoard images, lazy matplotlib."""

import importlib.util
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from scipy.stats import norm

from finvision.callbacks import CurvePlots, OperatingThreshold, _figures
from tests.callbacks.conftest import tiny_model


def test_pngs_per_epoch_and_tensorboard_images(data, tmp_path):
    x, y = data
    plots = CurvePlots(tmp_path / "plots", (x, y), every_n_epochs=2, log_dir=tmp_path / "tb")
    tiny_model().fit(x, y, epochs=4, callbacks=[plots], verbose=0)
    names = sorted(path.name for path in (tmp_path / "plots").iterdir())
    assert names == [
        f"epoch_{e:03d}_{kind}.png" for e in (2, 4) for kind in ("confusion", "det", "roc")
    ]
    for name in names:
        with Image.open(tmp_path / "plots" / name) as image:
            assert image.format == "PNG" and image.width >= 300 and image.height >= 300
    images = {}
    for path in (tmp_path / "tb").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                images.setdefault(value.tag, []).append(event.step)
    assert images == {"roc": [2, 4], "det": [2, 4], "confusion": [2, 4]}


def test_once_at_the_end_with_the_models_threshold(data, tmp_path):
    x, y = data
    model = tiny_model(with_threshold=True)
    model.get_layer("operating_threshold").threshold.assign(0.7)
    plots = CurvePlots(tmp_path, (x, y), every_n_epochs=None)
    model.fit(x, y, epochs=2, callbacks=[plots], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "final_confusion.png",
        "final_det.png",
        "final_roc.png",
    ]
    assert plots._threshold() == pytest.approx(0.7)
    assert CurvePlots(tmp_path, (x, y), threshold=0.3)._threshold() == 0.3


def test_det_axes_are_normal_deviates():
    rates = np.array([0.0, 1e-4, 0.01, 0.3, 0.5, 0.97, 1.0])
    np.testing.assert_allclose(
        _figures.normal_deviate(rates, floor=1e-5),
        norm.ppf(np.clip(rates, 1e-5, 1 - 1e-5)),
        rtol=1e-9,
    )


def test_missing_matplotlib_raises_a_clear_error(monkeypatch, data):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "matplotlib" else real(name, *a),
    )
    with pytest.raises(ImportError, match=r'pip install "finvision\[plots\]"'):
        CurvePlots("plots", data)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "finvision\[plots\]"'):
        _figures.require_matplotlib()


def test_finvision_imports_and_explains_without_matplotlib(tmp_path):
    # Keras itself imports matplotlib when it is installed, so block it to prove that
    # finvision needs it only for drawing.
    probe = (
        "import sys, numpy as np\n"
        "sys.modules['matplotlib'] = None\n"
        "from finvision import callbacks, metrics\n"
        "print(metrics.functional.roc_auc([0, 1], [0.2, 0.8]))\n"
        "try:\n"
        f"    callbacks.CurvePlots({str(tmp_path)!r}, (np.zeros((2, 1)), np.array([0, 1])))\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-2:] == [
        "1.0",
        'CurvePlots draws with matplotlib, which is not installed: pip install "finvision[plots]"',
    ]


def test_bad_arguments_raise(data):
    with pytest.raises(ValueError, match="`every_n_epochs` must be an int >= 1 or None"):
        CurvePlots("plots", data, every_n_epochs=0)
    with pytest.raises(ValueError, match="`class_names` must name 2 classes"):
        CurvePlots("plots", data, class_names=("a",))


def test_single_output_required(data, tmp_path):
    x, y = data
    inputs = keras.Input((6,))
    model = keras.Model(inputs, [OperatingThreshold()(inputs[:, :1]), inputs[:, 1:2]])
    plots = CurvePlots(tmp_path, (x, y))
    plots.set_model(model)
    with pytest.raises(ValueError, match="single output"):
        plots.on_epoch_end(0)


def test_a_file_where_the_plots_should_go_is_refused_before_training(data, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    with pytest.raises(NotADirectoryError, match=r"`directory` must be a folder .* a file\."):
        CurvePlots(notes, data)
    with pytest.raises(NotADirectoryError, match=r"`log_dir` must be a folder .* inside the file"):
        CurvePlots(tmp_path / "plots", data, log_dir=notes / "logs")
    assert notes.read_text() == "keep me"


def calibrated_run(data, tmp_path, *, calibration_first, every_n_epochs):
    from finvision.callbacks import ThresholdCalibration

    model = tiny_model()  # no OperatingThreshold layer: the threshold lives in a sidecar
    calibration = ThresholdCalibration(data, target_fpr=0.1, filepath=tmp_path / "t.json")
    plots = CurvePlots(tmp_path / "plots", data, every_n_epochs=every_n_epochs)
    callbacks = [calibration, plots] if calibration_first else [plots, calibration]
    model.fit(*data, epochs=2, batch_size=50, verbose=0, callbacks=callbacks)
    return calibration, plots


def test_the_confusion_matrix_uses_the_threshold_calibrated_in_the_same_run(
    data, tmp_path, recwarn
):
    calibration, plots = calibrated_run(data, tmp_path, calibration_first=True, every_n_epochs=1)
    assert plots.last_threshold == calibration.threshold != 0.5
    assert not [w for w in recwarn if "CurvePlots" in str(w.message)]


def test_a_final_plot_uses_the_last_calibration_whatever_the_order(data, tmp_path, recwarn):
    calibration, plots = calibrated_run(
        data, tmp_path, calibration_first=False, every_n_epochs=None
    )
    assert plots.last_threshold == calibration.threshold != 0.5
    assert not [w for w in recwarn if "CurvePlots" in str(w.message)]


def test_plotting_each_epoch_before_the_calibration_warns(data, tmp_path):
    with pytest.warns(UserWarning, match="list ThresholdCalibration before CurvePlots"):
        calibrated_run(data, tmp_path, calibration_first=False, every_n_epochs=1)
