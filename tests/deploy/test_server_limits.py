"""The local server is bounded: body size, silent clients, hostile JSON, other methods, load."""

import concurrent.futures
import http.client
import json
import re
import socket
import threading
import time

import numpy as np
import pytest

from finvision import export
from tests.deploy.conftest import HEIGHT, WIDTH, expected_probabilities

pytestmark = [pytest.mark.tensorflow_only, pytest.mark.xdist_group("deploy")]

LIMIT, TIMEOUT = 4096, 1.0
PATH = "/v1/models/doc_type:predict"


@pytest.fixture(scope="module")
def bounded(exported):
    server = export.make_server(exported["image"], port=0, max_body_bytes=LIMIT, timeout=TIMEOUT)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, body=b"", headers=None):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, PATH, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type"), json.loads(answer.read())
    finally:
        connection.close()


def raw_exchange(server, data: bytes) -> tuple[bytes, float]:
    """Sends ``data`` and reads until the server closes; the answer and the seconds taken."""
    started = time.perf_counter()
    with socket.create_connection(server.server_address[:2], timeout=30) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer, time.perf_counter() - started


def test_a_body_over_the_limit_gets_413_before_it_is_read(bounded):
    status, kind, answer = request(bounded, "POST", b"x" * (LIMIT + 1))
    assert (status, kind) == (413, "application/json")
    assert answer["error"].startswith(
        f"The request body of {LIMIT + 1:,} bytes is over this server's limit of {LIMIT:,} bytes"
    )
    body = json.dumps({"instances": [np.zeros((HEIGHT, WIDTH, 3), int).tolist()]}).encode()
    assert len(body) > LIMIT  # one image in JSON is over this tiny limit ...
    assert request(bounded, "POST", body)[0] == 413
    assert request(bounded, "POST", b'{"instances": []}')[0] == 400  # ... a small body is read


def test_a_half_sent_body_gets_408_after_the_timeout(bounded):
    head = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".encode()
    answer, seconds = raw_exchange(bounded, head + b'{"instances"')
    status_line, _, body = answer.partition(b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.0 408")
    assert json.loads(body)["error"] == (
        f"The request body ended after 12 of 100 bytes (no data for {TIMEOUT:g} s)."
    )
    assert TIMEOUT <= seconds < TIMEOUT + 10


def test_a_silent_connection_is_closed_after_the_timeout(bounded):
    answer, seconds = raw_exchange(bounded, b"")
    assert answer == b""
    assert TIMEOUT <= seconds < TIMEOUT + 10


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests arrays or objects"),
        (
            json.dumps({"instances": [[[[10**30] * 3] * WIDTH] * HEIGHT]}).encode(),
            r"input 'images' of 'instances' must hold",
        ),
    ],
    ids=["deep-nesting", "huge-integers"],
)
def test_hostile_json_gets_400_like_tf_serving(servers, body, message):
    status, _, answer = request(servers["image"], "POST", body)
    assert status == 400
    assert re.search(message, answer["error"])


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_answered_in_json(servers, method):
    status, kind, answer = request(servers["image"], method, b"{}")
    assert (status, kind) == (501, "application/json")
    assert answer == {"error": f"Unsupported method ('{method}') ({method} {PATH})"}


def test_limits_are_checked(exported):
    with pytest.raises(ValueError, match=r"`max_body_bytes` must be an int >= 1; received 0"):
        export.make_server(exported["image"], port=0, max_body_bytes=0)
    with pytest.raises(ValueError, match=r"`timeout` must be a number of seconds > 0; .*-1"):
        export.make_server(exported["image"], port=0, timeout=-1)


def test_concurrent_clients_all_get_the_right_answer(servers):
    """A bounded load test on loopback: 8 clients, 25 requests each, every answer checked."""
    images = np.random.default_rng(3).integers(0, 256, (8, HEIGHT, WIDTH, 3), dtype="uint8")
    expected = expected_probabilities(images)

    def client(index: int) -> int:
        body = json.dumps({"instances": [images[index].tolist()]}).encode()
        right = 0
        for _ in range(25):
            status, _, answer = request(servers["image"], "POST", body)
            probabilities = np.array(answer["predictions"][0]["probabilities"])
            right += status == 200 and np.allclose(probabilities, expected[index], atol=1e-5)
        return right

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answered = list(pool.map(client, range(8), timeout=300))
    seconds = time.perf_counter() - started
    assert answered == [25] * 8
    print(f"200 requests from 8 clients in {seconds:.1f} s ({200 / seconds:.0f} requests/s)")
