"""TF Serving's REST ``predict`` format: a JSON request body in, the JSON answer out.

The rules follow TF Serving's REST API (``/v1/models/<name>:predict``):

- the body is a JSON object with an optional ``signature_name`` (default
  ``serving_default``) and exactly one of ``instances`` (row format: a list
  with one entry per example, each the input's value or an object naming
  every input) or ``inputs`` (columnar format: the whole batch, or an object
  mapping input names to batches);
- strings are UTF-8 text, or ``{"b64": "<base64>"}`` for binary data such as
  encoded images;
- the answer is ``{"predictions": [...]}`` (row) or ``{"outputs": ...}``
  (columnar); with one output its values stand alone, with several they are
  objects keyed by output name; string outputs whose name ends in ``_bytes``
  are ``{"b64": ...}``, other strings are text;
- a bad request raises :class:`RequestError`, answered as ``{"error": ...}``.

Numbers are checked against the input's dtype: an integer input takes numbers
within its range (0 to 255 for ``uint8``), which TF Serving does not range-check,
and rounds fractions to the nearest whole number (half to even, as
``export.compare`` does), so the float pixels of ``finvision.data`` loaders can be
posted as they are. TF Serving is stricter about JSON types than this stand-in:
send whole numbers to it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow as tf

#: The signature used when a request names none.
DEFAULT_SIGNATURE = "serving_default"
ROW, COLUMNAR = "instances", "inputs"


class RequestError(ValueError):
    """A request the server refuses, with its HTTP status (400 unless told).

    Example:
    >>> error = RequestError("Missing 'inputs' or 'instances' key")
    >>> error.status, error.body()
    (400, {'error': "Missing 'inputs' or 'instances' key"})
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status

    def body(self) -> dict[str, str]:
        """TF Serving's error answer, ``{"error": message}``."""
        return {"error": str(self)}


def predict(raw_body: bytes, signatures: Mapping[str, Any]) -> dict[str, Any]:
    """Answers one ``predict`` request body as TF Serving does.

    Args:
        raw_body: the HTTP request body (UTF-8 JSON).
        signatures: the SavedModel's signatures by name, as in
            ``tf.saved_model.load(path).signatures``.

    Returns:
        The JSON answer: ``{"predictions": [...]}`` for a row-format request,
        ``{"outputs": ...}`` for a columnar one.

    Raises:
        RequestError: for a body that is not a valid request for the
            signature, or inputs the model refuses (status 400).

    Example:
    >>> import tempfile
    >>> module = tf.Module()
    >>> module.double = tf.function(
    ...     lambda x: {"twice": 2 * x}, input_signature=[tf.TensorSpec((None,), tf.int32, "x")])
    >>> tf.saved_model.save(module, path := tempfile.mkdtemp(), signatures=module.double)
    >>> signatures = tf.saved_model.load(path).signatures
    >>> predict(b'{"instances": [1, 2]}', signatures)
    {'predictions': [2, 4]}
    >>> predict(b'{"inputs": {"x": [1, 2]}}', signatures)
    {'outputs': [2, 4]}
    >>> predict(b'{"instances": [1.4, 2.5]}', signatures)  # rounded, half to even
    {'predictions': [2, 4]}
    >>> predict(b'{"instances": ["one"]}', signatures)
    Traceback (most recent call last):
    ...
    finvision.export._rest_predict.RequestError: input 'x' of 'instances' must hold numbers (int32); received string values.
    """  # noqa: E501
    body = _parse(raw_body)
    name = body.get("signature_name", DEFAULT_SIGNATURE)
    if not isinstance(name, str):
        raise RequestError(f"'signature_name' must be a string; received {name!r}.")
    if name not in signatures:
        raise RequestError(
            f'Serving signature name: "{name}" not found in signature def; the model has '
            f"{sorted(signatures)}."
        )
    signature = signatures[name]
    specs = signature.structured_input_signature[1]
    if (ROW in body) == (COLUMNAR in body):
        raise RequestError(
            "Missing 'inputs' or 'instances' key"
            if ROW not in body
            else "Expecting only one of 'inputs' or 'instances' keys; received both."
        )
    fmt = ROW if ROW in body else COLUMNAR
    batches = (
        _row_batches(body[ROW], specs) if fmt == ROW else _column_batches(body[COLUMNAR], specs)
    )
    inputs = {
        key: _tensor(value, specs[key], f"input '{key}' of '{fmt}'")
        for key, value in batches.items()
    }
    try:
        outputs = signature(**inputs)
    except tf.errors.InvalidArgumentError as error:
        raise RequestError(error.message) from error
    return _answer(outputs, fmt)


def _parse(raw_body: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestError(f"JSON Parse error: {error}") from error
    except RecursionError:
        message = "JSON Parse error: the body nests arrays or objects too deeply."
        raise RequestError(message) from None
    if not isinstance(body, dict):
        raise RequestError(
            f"The request body must be a JSON object; received {type(body).__name__}."
        )
    return body


def _is_b64(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("b64"), str)


def _is_named(value: Any) -> bool:
    return isinstance(value, dict) and not _is_b64(value)


def _row_batches(instances: Any, specs: Mapping[str, tf.TensorSpec]) -> dict[str, list]:
    """One list per input from ``instances``: plain values (one input) or named objects."""
    if not isinstance(instances, list) or not instances:
        raise RequestError(f"'instances' must be a non-empty list; received {instances!r:.80}.")
    if not _is_named(instances[0]):
        if len(specs) > 1:
            raise RequestError(
                "'instances' is a plain list, but the signature takes several inputs "
                f"{sorted(specs)}: give each instance as an object naming them."
            )
        if any(_is_named(instance) for instance in instances):
            raise RequestError("'instances' mixes objects and plain values.")
        return {next(iter(specs)): instances}
    for index, instance in enumerate(instances):
        if not _is_named(instance) or set(instance) != set(specs):
            keys = sorted(instance) if _is_named(instance) else type(instance).__name__
            raise RequestError(
                f"Instance {index} of 'instances' must be an object with the keys "
                f"{sorted(specs)}; received {keys}."
            )
    return {key: [instance[key] for instance in instances] for key in specs}


def _column_batches(inputs: Any, specs: Mapping[str, tf.TensorSpec]) -> dict[str, Any]:
    """One batch per input from ``inputs``: a value (one input) or an object of named ones."""
    if not _is_named(inputs):
        if len(specs) > 1:
            raise RequestError(
                "'inputs' is a plain value, but the signature takes several inputs "
                f"{sorted(specs)}: give an object naming them."
            )
        return {next(iter(specs)): inputs}
    for key in specs:
        if key not in inputs:
            raise RequestError(f"Missing named input: {key} in 'inputs' object.")
    return {key: inputs[key] for key in specs}


def _tensor(value: Any, spec: tf.TensorSpec, where: str) -> tf.Tensor:
    """``value`` (nested JSON lists) as a tensor of ``spec``'s dtype and shape."""
    if spec.dtype == tf.string:
        strings = _strings(value, where)
        try:
            tensor = tf.constant(strings, tf.string)
        except ValueError as error:
            raise RequestError(f"{where} must be a dense tensor of strings: {error}") from error
    else:
        tensor = tf.constant(_numbers(value, spec.dtype, where))
    if not spec.shape.is_compatible_with(tensor.shape):
        raise RequestError(
            f"{where} must have shape {tuple(spec.shape.as_list())} (None: any size); "
            f"received shape {tuple(tensor.shape.as_list())}."
        )
    return tensor


def _strings(value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [_strings(item, where) for item in value]
    if isinstance(value, str):
        return value.encode("utf-8")
    if _is_b64(value):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except binascii.Error as error:
            raise RequestError(f"Unable to base64 decode {where}: {error}.") from error
    raise RequestError(
        f'{where} must hold strings or {{"b64": "<base64>"}} objects; received {value!r:.80}.'
    )


def _numbers(value: Any, dtype: tf.DType, where: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise RequestError(
            f"{where} must be nested lists of equal lengths (a dense tensor); {error}"
        ) from error
    kind = array.dtype.kind if array.size else None
    if dtype.is_bool:
        expected, accepted = "true or false", "b"
    elif dtype.is_integer or dtype.is_floating:
        expected, accepted = f"numbers ({dtype.name})", "iuf"
    else:
        raise RequestError(f"{where} has dtype {dtype.name}, which the server cannot fill.")
    if kind is not None and kind not in accepted:
        received = {"b": "boolean", "f": "float", "U": "string"}.get(kind, "non-numeric")
        raise RequestError(f"{where} must hold {expected}; received {received} values.")
    if dtype.is_integer and array.size and (array.min() < dtype.min or array.max() > dtype.max):
        raise RequestError(
            f"{where} must hold values in [{dtype.min}, {dtype.max}] ({dtype.name}); "
            f"received values in [{array.min()}, {array.max()}]."
        )
    if dtype.is_integer and kind == "f":
        if not np.isfinite(array).all():
            raise RequestError(f"{where} must hold finite numbers; received NaN or infinity.")
        array = np.round(array)
    return array.astype(dtype.as_numpy_dtype)


def _answer(outputs: Mapping[str, tf.Tensor], fmt: str) -> dict[str, Any]:
    values = {name: _json_values(tensor, name) for name, tensor in sorted(outputs.items())}
    if fmt == COLUMNAR:
        return {"outputs": next(iter(values.values())) if len(values) == 1 else values}
    sizes = {
        name: len(value) if isinstance(value, list) else None for name, value in values.items()
    }
    if None in sizes.values() or len(set(sizes.values())) != 1:
        raise RequestError(
            f"The outputs do not share a batch size {sizes}, so they cannot be given as rows: "
            "send the request in columnar format ('inputs')."
        )
    rows = zip(*values.values(), strict=True)
    if len(values) == 1:
        return {"predictions": [row[0] for row in rows]}
    return {"predictions": [dict(zip(values, row, strict=True)) for row in rows]}


def _json_values(tensor: tf.Tensor, name: str) -> Any:
    array = tensor.numpy()
    if array.dtype != object:
        return array.tolist()
    if name.endswith("_bytes"):
        items = [{"b64": base64.b64encode(item).decode("ascii")} for item in array.ravel()]
    else:
        items = [item.decode("utf-8", errors="replace") for item in array.ravel()]
    texts = np.empty(len(items), dtype=object)
    texts[:] = items
    return texts.reshape(array.shape).tolist()
