"""A local stand-in for TF Serving's REST API, to try requests without Docker.

For local testing only, not for production: one process, no TLS, no
authentication, no request batching, no gRPC, and the model is loaded once at
start (TF Serving also watches the folder for new versions). Deploy with the
TF Serving image in ``deploy/`` (see the serving guide).

It serves the SavedModel folder layout TF Serving reads,
``<model_base_path>/<version>/saved_model.pb``, answering the subset of TF
Serving's REST API that finvision documents:

- ``GET /v1/models/<name>[/versions/<version>]``: the model status,
  ``{"model_version_status": [{"version": "1", "state": "AVAILABLE", ...}]}``;
- ``POST /v1/models/<name>[/versions/<version>]:predict``: a prediction, in
  row (``instances``) or columnar (``inputs``) format, with ``{"b64": ...}``
  for binary strings;
- errors as ``{"error": "<message>"}`` with HTTP 400 for a bad request and 404
  for an unknown model or version, as TF Serving answers them.

It is bounded: a body over ``max_body_bytes`` gets 413 before it is read, a
client that sends nothing (or half a request) for ``timeout`` seconds gets 408
or is disconnected, and every other failure (an unsupported method, a malformed
request line) is answered in JSON too. The bytes signature has its own pixel
limit (``to_saved_model(max_pixels=)``).

Run it with ``python -m finvision.export.serve <model_base_path>``, or from
Python with :func:`make_server`.
"""

from __future__ import annotations

import http.server
import json
import logging
import os
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tensorflow as tf

from finvision.export._rest_predict import RequestError, predict

#: The REST port of TF Serving (gRPC is 8500).
REST_PORT = 8501
#: The default body limit: a batch of 64 base64 phone photos of 3 MB fits.
MAX_BODY_BYTES = 256 * 1024 * 1024
#: Seconds a connection may stay silent, before or inside a request.
TIMEOUT_SECONDS = 30.0
_STATUS = re.compile(
    r"/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?(?P<metadata>/metadata)?"
)
_METHOD = re.compile(r"/v1/models/(?P<name>[^/:]+)(?:/versions/(?P<version>\d+))?:(?P<method>\w+)")
_LOG = logging.getLogger(__name__)


class LocalModelServer(http.server.ThreadingHTTPServer):
    """An HTTP server answering TF Serving's REST API for one loaded SavedModel.

    Create it with :func:`make_server`, which finds and loads the version to
    serve; run it with ``serve_forever()`` (in a thread, or until Ctrl+C) and
    stop it with ``shutdown()`` and ``server_close()``.

    Attributes:
        model_name: the name in the URLs, ``/v1/models/<model_name>``.
        version: the version served, the highest numbered folder.
        signatures: the SavedModel's signatures by name.
        url: the server's base address, ``http://<host>:<port>``.

    Example:
    >>> import tempfile
    >>> module = tf.Module()
    >>> module.double = tf.function(
    ...     lambda x: {"twice": 2 * x}, input_signature=[tf.TensorSpec((None,), tf.int32, "x")])
    >>> tf.saved_model.save(module, path := tempfile.mkdtemp(), signatures=module.double)
    >>> server = LocalModelServer(("127.0.0.1", 0), "double", 1, tf.saved_model.load(path))
    >>> server.url.startswith("http://127.0.0.1:"), list(server.signatures)
    (True, ['serving_default'])
    >>> server.server_close()
    """

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        model_name: str,
        version: int,
        saved_model: Any,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.model_name = model_name
        self.version = version
        self.max_body_bytes = max_body_bytes
        self.request_timeout = timeout
        self._saved_model = saved_model  # keeps the signatures' variables alive
        self.signatures = dict(saved_model.signatures)
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The base address, ``http://<host>:<port>``, with the port actually bound."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LocalModelServer

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # applied to the socket by setup()
        super().setup()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answers http.server's own errors (501, 400, 414, 431, ...) in JSON, not HTML."""
        self.close_connection = True
        reason = message or self.responses.get(code, ("Error",))[0]
        self._send(code, {"error": f"{reason} ({self.command} {self.path})"})

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        match = _STATUS.fullmatch(path)
        if match and match["metadata"]:
            self._fail(
                RequestError(
                    "The model metadata API is not part of the local server; "
                    "`saved_model_cli show --dir <version folder> --all` shows the signature."
                )
            )
        elif match:
            self._answer(lambda: _status(self.server, match["name"], _version(match)))
        else:
            self._fail(_malformed("GET", path))

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        match = _METHOD.fullmatch(path)
        if not match:
            self._fail(_malformed("POST", path))
        elif match["method"] != "predict":
            self._fail(
                RequestError(
                    f"The :{match['method']} API is not part of the local server; use :predict."
                )
            )
        else:
            self._answer(
                lambda: _predict(self.server, match["name"], _version(match), self._body())
            )

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.close_connection = True
            raise RequestError(f"Content-Length must be a whole number; received {length!r}.")
        if int(length) > self.server.max_body_bytes:
            self.close_connection = True  # the body is never read
            raise RequestError(
                f"The request body of {int(length):,} bytes is over this server's limit of "
                f"{self.server.max_body_bytes:,} bytes (make_server(max_body_bytes=...), "
                "--max-body-bytes).",
                413,
            )
        body = self._read(int(length))
        if len(body) < int(length):
            self.close_connection = True
            raise RequestError(
                f"The request body ended after {len(body):,} of {int(length):,} bytes (no data "
                f"for {self.server.request_timeout:g} s).",
                408,
            )
        return body

    def _read(self, length: int) -> bytes:
        """Up to ``length`` bytes of the body: fewer if the client stops or goes silent."""
        chunks, received = [], 0
        try:
            while received < length:
                chunk = self.rfile.read1(min(1 << 16, length - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)

    def _answer(self, respond: Callable[[], dict[str, Any]]) -> None:
        try:
            self._send(200, respond())
        except RequestError as error:
            self._fail(error)
        except Exception as error:  # the server answers every request, as TF Serving does
            _LOG.exception("Request %s %s failed", self.command, self.path)
            self._send(500, {"error": f"{type(error).__name__}: {error}"})

    def _fail(self, error: RequestError) -> None:
        self._send(error.status, error.body())

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.info("%s - %s", self.address_string(), format % args)


def _status(server: LocalModelServer, name: str, version: int | None) -> dict[str, Any]:
    if name != server.model_name:
        raise RequestError(f"Could not find any versions of model {name}", 404)
    if version not in (None, server.version):
        raise RequestError(f"Could not find version {version} of model {name}", 404)
    return {
        "model_version_status": [
            {
                "version": str(server.version),
                "state": "AVAILABLE",
                "status": {"error_code": "OK", "error_message": ""},
            }
        ]
    }


def _predict(
    server: LocalModelServer, name: str, version: int | None, raw_body: bytes
) -> dict[str, Any]:
    if name != server.model_name or version not in (None, server.version):
        wanted = f"Latest({name})" if version is None else f"Specific({name}, {version})"
        raise RequestError(f"Servable not found for request: {wanted}", 404)
    return predict(raw_body, server.signatures)


def _version(match: re.Match) -> int | None:
    return None if match["version"] is None else int(match["version"])


def _malformed(method: str, path: str) -> RequestError:
    if not path.startswith("/v1/"):
        return RequestError(f"Not found: {method} {path}; the API is under /v1/models/.", 404)
    return RequestError(f"Malformed request: {method} {path}")


def latest_version(model_base_path: str | os.PathLike) -> tuple[int, Path]:
    """The version TF Serving serves by default: the highest numbered folder.

    Args:
        model_base_path: the model's folder, holding one folder per version
            (``1/saved_model.pb``, ``2/saved_model.pb``, ...).

    Returns:
        The version number and its SavedModel folder.

    Raises:
        FileNotFoundError: if ``model_base_path`` is not a folder.
        ValueError: if it holds no numbered version folder, or the highest one
            has no ``saved_model.pb``.

    Example:
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> for version in ("1", "2", "10", "backup"):
    ...     (base / version).mkdir()
    ...     (base / version / "saved_model.pb").touch()
    >>> latest_version(base)[0]
    10
    >>> latest_version(base / "10")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: `model_base_path` must be a model folder holding numbered version folders, ... received '...10', a SavedModel itself: pass its parent folder.
    """  # noqa: E501
    base = Path(model_base_path)
    if not base.is_dir():
        raise FileNotFoundError(f"`model_base_path` {str(base)!r} is not a folder.")
    versions = sorted(
        (int(child.name), child)
        for child in base.iterdir()
        if child.is_dir() and child.name.isdigit()
    )
    if not versions:
        received = (
            "a SavedModel itself: pass its parent folder"
            if (base / "saved_model.pb").is_file()
            else f"holding {sorted(child.name for child in base.iterdir())}"
        )
        raise ValueError(
            "`model_base_path` must be a model folder holding numbered version folders, as TF "
            f"Serving reads them ({base / '1' / 'saved_model.pb'}); received {str(base)!r}, "
            f"{received}."
        )
    version, folder = versions[-1]
    if not (folder / "saved_model.pb").is_file():
        raise ValueError(
            f"`model_base_path` {str(base)!r}: its highest version folder {str(folder)!r} has no "
            "saved_model.pb; export the model there with `finvision export --format saved_model`."
        )
    return version, folder


def make_server(
    model_base_path: str | os.PathLike,
    *,
    model_name: str | None = None,
    host: str = "127.0.0.1",
    port: int = REST_PORT,
    max_body_bytes: int = MAX_BODY_BYTES,
    timeout: float = TIMEOUT_SECONDS,
) -> LocalModelServer:
    """Loads the latest version of a model and binds a local TF Serving REST stand-in.

    For local testing only, not for production (see the module docstring).
    The server is bound but not yet running: call ``serve_forever()``.

    Args:
        model_base_path: the model's folder with numbered version folders,
            ``<model_base_path>/<version>/saved_model.pb`` (the layout of
            ``/models/<name>`` in the TF Serving image).
        model_name: the name in the URLs; the folder's name by default.
        host: the address to listen on; the default accepts local clients only.
        port: the port; 0 picks a free one (read it from ``server.url``).
        max_body_bytes: the largest request body read; a larger one gets 413.
        timeout: seconds a connection may stay silent before or inside a
            request; then it gets 408 (a half-sent body) or is closed.

    Returns:
        The bound :class:`LocalModelServer`.

    Raises:
        FileNotFoundError: if ``model_base_path`` is not a folder.
        ValueError: for a folder without numbered versions, a model name that
            cannot appear in a URL, a port outside [0, 65535], or a
            ``max_body_bytes`` or ``timeout`` that is not positive.
        TypeError: for a model name that is not a string or a port that is
            not an integer.
        OSError: if the address cannot be bound (the port is in use).

    Example:
    >>> import json, tempfile, threading, urllib.request
    >>> import keras
    >>> from finvision.export import to_saved_model
    >>> model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.GlobalAveragePooling2D(),
    ...                           keras.layers.Dense(2, activation="softmax")])
    >>> base = tempfile.mkdtemp() + "/doc_type"
    >>> _ = to_saved_model(model, base + "/1", labels=["cheque", "id_card"])
    >>> server = make_server(base, port=0)
    >>> threading.Thread(target=server.serve_forever, daemon=True).start()
    >>> with urllib.request.urlopen(server.url + "/v1/models/doc_type") as answer:
    ...     json.load(answer)["model_version_status"][0]["state"]
    'AVAILABLE'
    >>> body = json.dumps({"instances": [[[[0, 0, 0]] * 8] * 8]}).encode()
    >>> with urllib.request.urlopen(server.url + "/v1/models/doc_type:predict", body) as answer:
    ...     json.load(answer)["predictions"][0]["labels"] in ("cheque", "id_card")
    True
    >>> server.shutdown(); server.server_close()
    """
    version, folder = latest_version(model_base_path)
    name = Path(model_base_path).name if model_name is None else model_name
    if not isinstance(name, str):
        raise TypeError(f"`model_name` must be a string; received {type(name).__name__}.")
    if not re.fullmatch(r"[^/:\s]+", name):
        raise ValueError(
            "`model_name` must be a non-empty name without '/', ':' or spaces (it is part of "
            f"the URL /v1/models/<model_name>); received {name!r}."
        )
    if not isinstance(port, int) or isinstance(port, bool):
        raise TypeError(f"`port` must be an integer; received {type(port).__name__}.")
    if not 0 <= port <= 65535:
        raise ValueError(f"`port` must be in [0, 65535] (0: any free port); received {port}.")
    whole = isinstance(max_body_bytes, int) and not isinstance(max_body_bytes, bool)
    if not (whole and max_body_bytes >= 1):
        raise ValueError(f"`max_body_bytes` must be an int >= 1; received {max_body_bytes!r}.")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"`timeout` must be a number of seconds > 0; received {timeout!r}.")
    saved_model = tf.saved_model.load(str(folder))
    return LocalModelServer(
        (host, port), name, version, saved_model, max_body_bytes=max_body_bytes, timeout=timeout
    )
