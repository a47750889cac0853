"""ROC, DET and confusion-matrix plots of the validation set: PNG files, TensorBoard images."""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import keras

from finvision._files import check_directory_path, write_bytes
from finvision.callbacks import _figures, held_out
from finvision.metrics.inputs import as_binary_labels, as_scores
from finvision.models.operating_threshold import find_operating_threshold


class CurvePlots(keras.callbacks.Callback):
    """Draws ROC, DET and confusion-matrix plots of the validation set.

    After every ``every_n_epochs``-th epoch (or, with ``every_n_epochs=None``,
    once when training ends) it predicts the validation set and writes three
    PNG files into ``directory``: ``epoch_003_roc.png``, ``epoch_003_det.png``,
    ``epoch_003_confusion.png`` (``final_*.png`` at the end of training). The
    DET curve plots FNMR against FMR on normal-deviate (probit) axes, as ISO/IEC
    19795-1 recommends, and marks the EER. The confusion matrix uses
    ``threshold``; by default the threshold a
    :class:`~finvision.callbacks.ThresholdCalibration` chose in the same epoch
    (its ``val_threshold`` log; list that callback *before* this one, or this
    one warns), else the model's operating threshold, else 0.5.

    With ``log_dir`` the same images also go to TensorBoard (tags ``roc``,
    ``det``, ``confusion``; step = epoch), written with TensorFlow's summary API,
    so that part needs ``tensorflow`` and ``tensorboard`` installed.

    Drawing needs matplotlib, an optional extra: ``pip install "finvision[plots]"``.
    It is imported only when the first plot is drawn; constructing the callback
    without it raises a clear ``ImportError``.

    Args:
        directory: where the PNG files go (created if needed); files of the
            same name are replaced.
        validation_data: ``(x, y)`` arrays or a re-iterable dataset of
            ``(x, y)`` batches; labels 0/1.
        every_n_epochs: plot after every n-th epoch, or None for once at the end.
        threshold: decision threshold of the confusion matrix, or None.
        log_dir: a TensorBoard log directory for the images, or None.
        class_names: names of class 0 and class 1 in the confusion matrix.
        positive_class: the output column of the positive class for models
            with ``(n, k)`` outputs (labels: class ids or one-hot).
        batch_size: batch size for predicting array data.

    Example:
    >>> import keras, numpy as np, tempfile
    >>> inputs = keras.Input((1,))
    >>> model = keras.Model(inputs, keras.layers.Identity()(inputs))
    >>> data = (np.array([[0.9], [0.4], [0.6], [0.1]]), np.array([1, 1, 0, 0]))
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     plots = CurvePlots(directory, data)
    ...     plots.set_model(model)
    ...     plots.on_epoch_end(0)
    ...     sorted(path.name for path in Path(directory).iterdir())
    ['epoch_001_confusion.png', 'epoch_001_det.png', 'epoch_001_roc.png']
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        validation_data: Any,
        *,
        every_n_epochs: int | None = 1,
        threshold: float | None = None,
        log_dir: str | os.PathLike | None = None,
        class_names: tuple[str, str] = ("negative", "positive"),
        positive_class: int | None = None,
        batch_size: int = 256,
    ) -> None:
        super().__init__()
        if importlib.util.find_spec("matplotlib") is None:
            raise ImportError(
                "CurvePlots draws with matplotlib, which is not installed: "
                'pip install "finvision[plots]"'
            )
        if log_dir is not None and importlib.util.find_spec("tensorboard") is None:
            raise ImportError(
                "CurvePlots(log_dir=...) writes TensorBoard images, which needs the "
                "tensorboard package: pip install tensorboard"
            )
        held_out.check_validation_data(validation_data)
        if every_n_epochs is not None and (
            isinstance(every_n_epochs, bool)
            or not isinstance(every_n_epochs, int)
            or every_n_epochs < 1
        ):
            raise ValueError(
                f"`every_n_epochs` must be an int >= 1 or None; received {every_n_epochs!r}."
            )
        if len(class_names) != 2:
            raise ValueError(f"`class_names` must name 2 classes; received {class_names!r}.")
        self.directory = check_directory_path("directory", directory)
        self.validation_data = validation_data
        self.every_n_epochs = every_n_epochs
        self.threshold = threshold
        self.log_dir = None if log_dir is None else check_directory_path("log_dir", log_dir)
        self.class_names = tuple(class_names)
        self.positive_class = positive_class
        self.batch_size = batch_size
        self._writer = None
        self._calibrated: float | None = None  # this run's last `val_threshold` log
        self._last_logs: dict | None = None  # the logs of the epoch last drawn
        self._epoch_logs: dict | None = None  # the logs of the last epoch
        #: Paths of the PNG files written by the last plot.
        self.last_files: list[Path] = []
        #: The threshold of the last confusion matrix, or None before the first plot.
        self.last_threshold: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._calibrated, self._last_logs, self._epoch_logs = None, None, None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._warn_if_calibrated_after_drawing()
        if logs is not None and "val_threshold" in logs:
            self._calibrated = float(logs["val_threshold"])
        if self.every_n_epochs is not None and (epoch + 1) % self.every_n_epochs == 0:
            self.plot(f"epoch_{epoch + 1:03d}", step=epoch + 1)
            self._last_logs = None if logs is None or "val_threshold" in logs else logs
        self._epoch_logs = logs

    def on_train_end(self, logs: dict | None = None) -> None:
        self._warn_if_calibrated_after_drawing()
        if self._epoch_logs and "val_threshold" in self._epoch_logs:  # every callback has run
            self._calibrated = float(self._epoch_logs["val_threshold"])
        if self.every_n_epochs is None:
            self.plot("final", step=None)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def plot(self, stem: str, step: int | None = None) -> list[Path]:
        """Predicts the validation set and writes the three figures.

        Args:
            stem: the file name prefix, e.g. ``"epoch_003"``.
            step: the TensorBoard step; None uses 0.

        Returns:
            The paths of the PNG files.

        Example:
        >>> import keras, numpy as np, tempfile
        >>> inputs = keras.Input((1,))
        >>> model = keras.Model(inputs, keras.layers.Identity()(inputs))
        >>> data = (np.array([[0.9], [0.4], [0.6], [0.1]]), np.array([1, 1, 0, 0]))
        >>> with tempfile.TemporaryDirectory() as directory:
        ...     plots = CurvePlots(directory, data, every_n_epochs=None)
        ...     plots.set_model(model)
        ...     [path.name for path in plots.plot("best")]
        ['best_roc.png', 'best_det.png', 'best_confusion.png']
        """
        labels, scores = held_out.binary_scores(
            *held_out.predict(self.model, self.validation_data, self.batch_size),
            self.positive_class,
        )
        labels, scores = as_binary_labels(labels, "y"), as_scores(scores, "model scores")
        threshold = self.last_threshold = self._threshold()
        title = stem.replace("_", " ")
        images = {
            "roc": _figures.roc_png(labels, scores, f"ROC, {title}"),
            "det": _figures.det_png(labels, scores, f"DET, {title}"),
            "confusion": _figures.confusion_png(labels, scores, threshold, self.class_names, title),
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        self.last_files = []
        for kind, png in images.items():
            path = self.directory / f"{stem}_{kind}.png"
            write_bytes(path, png)
            self.last_files.append(path)
        if self.log_dir is not None:
            self._summarise(images, step or 0)
        return self.last_files

    def _warn_if_calibrated_after_drawing(self) -> None:
        # Callbacks run in list order on one logs dict: a `val_threshold` that appears
        # after this callback drew was chosen by a ThresholdCalibration listed later.
        if self.threshold is None and self._last_logs and "val_threshold" in self._last_logs:
            warnings.warn(
                "CurvePlots drew its confusion matrix before ThresholdCalibration chose "
                "that epoch's threshold; list ThresholdCalibration before CurvePlots in "
                "`callbacks`.",
                stacklevel=2,
            )
        self._last_logs = None

    def _threshold(self) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        if self._calibrated is not None:
            return self._calibrated
        variable = find_operating_threshold(self.model)
        return 0.5 if variable is None else float(keras.ops.convert_to_numpy(variable))

    def _summarise(self, images: dict[str, bytes], step: int) -> None:
        import tensorflow as tf  # TensorBoard's summary writer is TensorFlow's.

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir))
        with self._writer.as_default():
            for kind, png in images.items():
                tf.summary.image(kind, tf.expand_dims(tf.io.decode_png(png, 4), 0), step=step)
        self._writer.flush()
