"""Python warnings printed in the command line's voice: one line, no source excerpt."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def warnings_as_lines(command: str) -> Iterator[None]:
    """Prints each warning raised inside as ``finvision COMMAND: warning: MESSAGE``.

    Python's own format names the file and line that warned and repeats its
    source, which means nothing to someone at a terminal. A
    :class:`~finvision.data.SkippedFilesWarning` prints its summary only: where
    the API keeps the full list is not the command line's business. Filters
    (``-W``, ``PYTHONWARNINGS``) still apply.

    Args:
        command: the sub-command, e.g. ``"train"``.

    Example:
    >>> with contextlib.redirect_stderr(sys.stdout), warnings_as_lines("train"):
    ...     warnings.warn("the loss did not move")
    finvision train: warning: the loss did not move
    """

    def show(message: Any, *_: Any, **__: Any) -> None:
        text = getattr(message, "summary", None) or str(message)
        print(f"finvision {command}: warning: {text}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
