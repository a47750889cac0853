"""Silencing what native code writes to the process's stderr (fd 2)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Sends file descriptor 2 to the null device for the block, then restores it.

    For the start-up and progress lines TensorFlow's C++ code writes straight
    to the descriptor (they ignore ``TF_CPP_MIN_LOG_LEVEL``). Exceptions raised
    in the block still reach the caller with their messages.

    Example:
    >>> with native_stderr_silenced():
    ...     _ = os.write(2, b"not shown")
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
