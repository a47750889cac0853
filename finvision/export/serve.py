"""``python -m finvision.export.serve``: try TF Serving REST requests without Docker.

For local testing only, not for production: it serves the latest version of
one model with :func:`finvision.export.make_server` (one process, no TLS, no
authentication, no batching, no gRPC) until Ctrl+C. Deploy with the TF Serving
image of ``deploy/``.

Usage::

    finvision export model.keras --format saved_model --out deploy/models/doc_type/1
    python -m finvision.export.serve deploy/models/doc_type --port 8501
    curl http://127.0.0.1:8501/v1/models/doc_type

Errors in the arguments print one line and exit with code 2; an address that
cannot be bound exits with code 1.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from finvision.export.local_server import (
    MAX_BODY_BYTES,
    REST_PORT,
    TIMEOUT_SECONDS,
    make_server,
)


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser.

    Example:
    >>> arguments = build_parser().parse_args(["deploy/models/doc_type", "--port", "0"])
    >>> arguments.model_base_path, arguments.model_name, arguments.host, arguments.port
    (PosixPath('deploy/models/doc_type'), None, '127.0.0.1', 0)
    """
    parser = argparse.ArgumentParser(
        prog="python -m finvision.export.serve",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description=(
            "Serves a SavedModel exported by `finvision export --format saved_model` on TF "
            "Serving's REST API (model status and :predict), to try requests without Docker. "
            "For local testing only, not for production."
        ),
    )
    parser.add_argument(
        "model_base_path",
        type=Path,
        help="the model folder holding numbered version folders (MODEL/1/saved_model.pb); "
        "the highest version is served",
    )
    parser.add_argument(
        "--model-name", help="the name in the URLs /v1/models/NAME (default: the folder's name)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (local clients only)"
    )
    parser.add_argument("--port", type=int, default=REST_PORT, help="the port; 0 picks a free one")
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=MAX_BODY_BYTES,
        help="the largest request body read; larger ones get HTTP 413",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT_SECONDS,
        help="seconds a connection may stay silent before it gets 408 or is closed",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the local server until Ctrl+C.

    Args:
        argv: the arguments after the program name; None reads ``sys.argv``.

    Returns:
        The exit code: 0 after Ctrl+C, 1 when the address cannot be bound, 2
        for bad arguments (a folder without a model, a bad name or port).

    Example:
    >>> main(["/no/such/model"])
    2
    """
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        server = make_server(
            arguments.model_base_path,
            model_name=arguments.model_name,
            host=arguments.host,
            port=arguments.port,
            max_body_bytes=arguments.max_body_bytes,
            timeout=arguments.timeout,
        )
    except (FileNotFoundError, ValueError, TypeError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"{parser.prog}: cannot listen on {arguments.host}:{arguments.port}: {error}",
            file=sys.stderr,
        )
        return 1
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(
        f"Serving {server.model_name} version {server.version} at "
        f"{server.url}/v1/models/{server.model_name} (local testing only, not for "
        "production); Ctrl+C stops.",
        flush=True,
    )
    # A process started with SIGINT ignored (a background job, some test runners)
    # would never see Ctrl+C; the command promises that Ctrl+C stops it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
