"""Starting TensorFlow without its C++ start-up lines on the terminal."""

from __future__ import annotations

import os
import sys

from finvision._stderr import native_stderr_silenced


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow with stderr closed, so a command prints only its own output.

    TensorFlow 2.21 writes its oneDNN, CUDA and absl start-up lines to the
    process's stderr before ``TF_CPP_MIN_LOG_LEVEL`` applies. They are dropped
    while TensorFlow loads and finds its devices; what Python raises (an
    ``ImportError``) still reaches the user. ``TF_CPP_MIN_LOG_LEVEL=0`` keeps
    the lines; a second call, or one after TensorFlow was imported, does nothing.

    Example:
    >>> import_tensorflow_quietly()
    >>> "tensorflow" in sys.modules
    True
    """
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        return
    with native_stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices()  # the CUDA probe prints when devices are found
