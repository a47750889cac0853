"""Deployment: SavedModel for TF Serving, TFLite for phones, ONNX, and what each costs.

- :func:`to_saved_model`: a ``serving_default`` signature taking uint8 images
  or encoded JPEG/PNG bytes, returning probabilities, labels and (with an
  operating threshold) the decision.
- :func:`to_tflite`: float32, float16, dynamic-range or full-integer int8.
- :func:`to_onnx`: through tf2onnx (``pip install "finvision[export]"``).
- :func:`compare`: max/mean output difference, top-1 agreement and size of an
  export against the Keras model, as an :class:`ExportReport`.
- :func:`make_server`: a local stand-in for TF Serving's REST API, to try
  requests without Docker (local testing only; ``python -m
  finvision.export.serve``).

Every export keeps the model's preprocessing (it is in the graph), refuses
to replace an existing output unless ``overwrite=True``, and writes to a
temporary sibling first, so a failed export leaves nothing behind.

Example:
>>> from finvision import export
>>> export.QUANTIZATIONS
(None, 'float16', 'dynamic', 'int8')
"""

from finvision.export._representative import MAX_REPRESENTATIVE_SAMPLES
from finvision.export.compare import ExportReport, compare
from finvision.export.local_server import LocalModelServer, make_server
from finvision.export.onnx import to_onnx
from finvision.export.saved_model import to_saved_model
from finvision.export.tflite import QUANTIZATIONS, to_tflite

__all__ = [
    "MAX_REPRESENTATIVE_SAMPLES",
    "QUANTIZATIONS",
    "ExportReport",
    "LocalModelServer",
    "compare",
    "make_server",
    "to_onnx",
    "to_saved_model",
    "to_tflite",
]
