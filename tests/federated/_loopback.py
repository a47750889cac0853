"""A real Flower federation on 127.0.0.1: the server in this thread, clients in threads.

Flower 1.41 still ships the gRPC server and client of ``flwr.server.start_server``
and ``flwr.client.start_client`` (deprecated since 1.13 in favour of SuperLink and
SuperNode processes, which would each import TensorFlow). The server must run in
the main thread: it installs signal handlers, which :func:`server_guard` restores.
"""

import contextlib
import signal
import socket
import threading
import time

from flwr.client import start_client
from flwr.server import ServerConfig, SimpleClientManager, start_server

#: Longest wait for clients to connect or for a round's replies, in seconds.
WAIT_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server_guard(monkeypatch):
    """Restores the signal handlers start_server installs, and makes the server wait
    WAIT_S (not Flower's day) for clients, so a lost client fails the test instead of
    hanging it."""
    wait_for = SimpleClientManager.wait_for

    def bounded_wait_for(self, num_clients, timeout=86400):
        return wait_for(self, num_clients, timeout=min(timeout, WAIT_S))

    monkeypatch.setattr(SimpleClientManager, "wait_for", bounded_wait_for)
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
    handlers = {number: signal.getsignal(number) for number in signals}
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def _serve_client(port: int, client, errors: list) -> None:
    # The legacy gRPC client gives up if the server is not listening yet: wait for it.
    deadline = time.monotonic() + WAIT_S
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        start_client(server_address=f"127.0.0.1:{port}", client=client.to_client(), insecure=True)
    except BaseException as error:  # reported by run_federation
        errors.append(error)


def run_federation(strategy, clients, num_rounds: int, monkeypatch):
    """Runs ``num_rounds`` of ``strategy`` with ``clients`` on loopback; returns the History."""
    port = free_port()
    errors: list = []
    threads = [
        threading.Thread(target=_serve_client, args=(port, client, errors), daemon=True)
        for client in clients
    ]
    for thread in threads:
        thread.start()
    with server_guard(monkeypatch):
        history = start_server(
            server_address=f"127.0.0.1:{port}",
            config=ServerConfig(num_rounds=num_rounds, round_timeout=WAIT_S),
            strategy=strategy,
        )
    for thread in threads:
        thread.join(timeout=WAIT_S)
    if errors:
        raise errors[0]
    assert not any(thread.is_alive() for thread in threads), "a client did not disconnect"
    return history
