"""What the commands share: usage errors, model loading, image folders and tables."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from finvision._files import staged_output, write_text

#: Exceptions that mean "the user's input is wrong": one line and exit code 2.
USAGE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    FileNotFoundError,
    FileExistsError,
    NotADirectoryError,
    IsADirectoryError,
    ImportError,
)


class UsageError(ValueError):
    """A command-line argument the command cannot use; exit code 2."""


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except where there is none to show (``None``).

    Example:
    >>> parser = argparse.ArgumentParser(formatter_class=HelpFormatter)
    >>> _ = parser.add_argument("--epochs", type=int, default=3, help="epochs")
    >>> _ = parser.add_argument("--weights", help="weights file")
    >>> help_text = parser.format_help()
    >>> "epochs (default: 3)" in help_text, "(default: None)" in help_text
    (True, False)
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def output_directory(path: Path, overwrite: bool) -> Path:
    """Creates the output directory ``--out``; a non-empty one needs ``--overwrite``.

    With ``--overwrite`` the command replaces its own files there and deletes
    nothing else.

    Example:
    >>> import tempfile
    >>> output_directory(Path(tempfile.mkdtemp()) / "run", overwrite=False).is_dir()
    True
    """
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out must be a directory; received {str(path)!r}, a file.")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise UsageError(
            f"--out {str(path)!r} already holds files; pass --overwrite to replace the "
            "command's own files there, or choose another directory."
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


def print_table(rows: list[tuple[str, ...]]) -> None:
    """Prints rows as left-aligned columns, the first row as the header.

    Example:
    >>> print_table([("name", "value"), ("accuracy", "0.98")])
    name      value
    accuracy  0.98
    """
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def load_model(path: str | os.PathLike) -> Any:
    """Loads a ``.keras`` file (``safe_mode=True``) or a finvision preset directory.

    Args:
        path: a ``.keras`` file or a preset directory.

    Returns:
        The ``keras.Model``.

    Raises:
        UsageError: if ``path`` is neither.

    Example:
    >>> load_model("missing.keras")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finvision.cli._common.UsageError: MODEL must be ...; received 'missing.keras', which ...
    """
    location = Path(path)
    if location.is_dir() and (location / "config.json").is_file():
        from finvision.models.presets import load_preset

        return load_preset(location)
    if location.is_file() and location.suffix == ".keras":
        import keras

        import finvision

        finvision.register_serializables()
        return keras.saving.load_model(location, safe_mode=True)
    problem = "which does not exist" if not location.exists() else "which is neither"
    raise UsageError(
        f"MODEL must be a .keras file or a preset directory; received {str(path)!r}, {problem}."
    )


def class_names_of(model: Any) -> list[str]:
    """The model's class names, or ``class_0``, ``class_1``... when it has none.

    Example:
    >>> import keras
    >>> inputs = keras.Input((2,))
    >>> class_names_of(keras.Model(inputs, keras.layers.Dense(3)(inputs)))
    ['class_0', 'class_1', 'class_2']
    """
    names = getattr(model, "class_names", None)
    if names:
        return list(names)
    outputs = int(model.output_shape[-1])
    return [f"class_{index}" for index in range(max(outputs, 2))]


def image_size_of(model: Any) -> tuple[int, int]:
    """The ``(height, width)`` a model takes, or a usage error for variable sizes.

    Example:
    >>> import keras
    >>> image_size_of(keras.Sequential([keras.Input((32, 48, 3)), keras.layers.Flatten()]))
    (32, 48)
    """
    height, width = model.input_shape[1:3]
    if height is None or width is None:
        raise UsageError(
            f"the model takes images of variable size {model.input_shape}; this command "
            "needs a model with a fixed input size."
        )
    return int(height), int(width)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Writes ``payload`` as indented JSON.

    Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "report.json"
    >>> write_json(path, {"accuracy": 1.0})
    >>> print(path.read_text())
    {
      "accuracy": 1.0
    }
    <BLANKLINE>
    """
    write_text(path, json.dumps(payload, indent=2) + "\n")


def save_model(model: Any, path: Path) -> None:
    """Saves ``model`` as a ``.keras`` file, staged and swapped in whole.

    A failed or killed save leaves the previous file at ``path`` intact.

    Example:
    >>> import tempfile, keras
    >>> path = Path(tempfile.mkdtemp()) / "model.keras"
    >>> save_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), path)
    >>> keras.saving.load_model(path).output_shape
    (None, 1)
    """
    with staged_output(path, overwrite=True) as staged:
        model.save(staged)


def adapted_recipe(pretrained: bool, **fields: Any) -> Any:
    """A ``FineTuneRecipe`` adapted to where the backbone's weights came from.

    From random weights (no ``--weights``, the only choice offline) frozen
    BatchNormalization and a frozen trunk leave MobileNet's features near zero
    and the loss at ln(number of classes): the whole backbone trains from P1
    with learning BatchNormalization and no layer-wise decay. Pretrained
    weights keep the usual fine-tuning from P4. ``fields`` set to ``None``
    take these defaults; others are passed through.

    Example:
    >>> adapted_recipe(False, unfreeze_from=None).unfreeze_from
    'P1'
    >>> adapted_recipe(True, unfreeze_from=None).keep_batchnorm_frozen
    True
    """
    from finvision import transfer

    defaults = {
        "finetune_learning_rate": 1e-4 if pretrained else 3e-3,
        "unfreeze_from": "P4" if pretrained else "P1",
        "layer_decay": 0.5 if pretrained else 1.0,
        "keep_batchnorm_frozen": pretrained,
    }
    chosen = {key: value for key, value in fields.items() if value is not None}
    return transfer.FineTuneRecipe(**{**defaults, **chosen})


def warn_if_loss_did_not_move(history: Any, num_classes: int) -> bool:
    """Warns when training ended at the loss of a constant predictor.

    That loss is ``ln(num_classes)`` (cross-entropy of uniform probabilities);
    the warning needs the last loss within 1% of it and within 0.01 of the
    first epoch's. The command line prints it as ``finvision train: warning: ...``.

    Args:
        history: the ``History`` of the training run.
        num_classes: the number of classes (2 for a one-unit sigmoid head).

    Returns:
        Whether it warned.

    Example:
    >>> import keras, warnings
    >>> history = keras.callbacks.History()
    >>> history.history = {"loss": [1.0987, 1.0986]}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_loss_did_not_move(history, 3)
    True
    >>> str(caught[0].message)[:41]
    'the training loss stayed at 1.0986, the l'
    >>> history.history = {"loss": [1.0987, 0.4]}
    >>> warn_if_loss_did_not_move(history, 3)
    False
    """
    import math
    import warnings

    losses = history.history.get("loss", [])
    chance = math.log(max(num_classes, 2))
    if losses and abs(losses[-1] - chance) < 0.01 * chance and abs(losses[-1] - losses[0]) < 0.01:
        warnings.warn(
            f"the training loss stayed at {losses[-1]:.4f}, the loss of a constant "
            f"predictor (ln {max(num_classes, 2)} = {chance:.4f}); the model has learnt nothing. "
            "Train longer (--epochs), raise --learning-rate, or pass --weights.",
            stacklevel=2,
        )
        return True
    return False
