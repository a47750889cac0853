"""The guide's REST requests, posted over HTTP to `finvision.export.serve`, and its errors."""

import base64
import http.client
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from finvision import export
from finvision.export import serve
from tests.deploy.conftest import HEIGHT, NAMES, WIDTH, expected_probabilities, fenced_block, png

pytestmark = [pytest.mark.tensorflow_only, pytest.mark.xdist_group("deploy")]


def post(url, body):
    """(HTTP status, JSON answer) of a POST; `body` is bytes or a JSON-able object."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data), timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def predict_url(server, version=""):
    return f"{server.url}/v1/models/doc_type{version}:predict"


def structure(value):
    """The shape of a JSON value: key names and nesting, with the leaves' types."""
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    if isinstance(value, list):
        return [structure(value[0])] if value else []
    return "number" if isinstance(value, int | float) else type(value).__name__


def check_answer(answer, expected, rows):
    """The probabilities and labels of a row or columnar answer against the oracle."""
    if rows:
        probabilities = [row["probabilities"] for row in answer["predictions"]]
        labels = [row["labels"] for row in answer["predictions"]]
    else:
        probabilities, labels = answer["outputs"]["probabilities"], answer["outputs"]["labels"]
    # The model averages 32 x 48 pixels in float32: up to ~5e-5 off the float64 oracle.
    np.testing.assert_allclose(probabilities, expected, atol=1e-4)
    assert labels == [NAMES[index] for index in expected.argmax(axis=1)]


def guide_client():
    namespace = {}
    exec(fenced_block("client.py"), namespace)
    return namespace


def test_status_answers_like_tf_serving(servers):
    server = servers["image"]
    status, answer = get(f"{server.url}/v1/models/doc_type")
    assert status == 200
    assert answer == {
        "model_version_status": [
            {
                "version": "1",
                "state": "AVAILABLE",
                "status": {"error_code": "OK", "error_message": ""},
            }
        ]
    }
    assert structure(json.loads(fenced_block("status.json"))) == structure(answer)
    assert get(f"{server.url}/v1/models/doc_type/versions/1") == (200, answer)


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/v1/models/doc_type/versions/2", 404, "Could not find version 2 of model doc_type"),
        ("/v1/models/other", 404, "Could not find any versions of model other"),
        ("/v1/models/doc_type/metadata", 400, "metadata API is not part of the local server"),
        ("/v1/doc_type", 400, "Malformed request: GET /v1/doc_type"),
        ("/models/doc_type", 404, "Not found: GET /models/doc_type"),
    ],
)
def test_status_errors(servers, path, status, message):
    code, answer = get(servers["image"].url + path)
    assert code == status
    assert list(answer) == ["error"]
    assert message in answer["error"]


@pytest.mark.parametrize(
    ("title", "rows"), [("request-bytes-rows.json", True), ("request-bytes-columns.json", False)]
)
def test_guide_bytes_requests(servers, title, rows):
    body = fenced_block(title)
    status, answer = post(predict_url(servers["bytes"]), body.encode())
    assert status == 200
    (encoded,) = {item["b64"] for item in json.loads(body).get("instances", [])} | {
        item["b64"] for item in json.loads(body).get("inputs", {}).get("image_bytes", [])
    }
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB"))
    assert len(np.unique(image.reshape(-1, 3), axis=0)) == 1  # one colour: resizing keeps it
    check_answer(answer, expected_probabilities(image[None]), rows)
    response = "response-rows.json" if rows else "response-columns.json"
    assert structure(json.loads(fenced_block(response))) == structure(answer)


@pytest.mark.parametrize("columnar", [False, True])
def test_guide_client_sends_pixels(servers, scans, columnar):
    client = guide_client()
    answer = client["predict"](
        predict_url(servers["image"]), client["image_body"](scans, columnar=columnar)
    )
    check_answer(answer, expected_probabilities(scans), rows=not columnar)
    response = "response-columns.json" if columnar else "response-rows.json"
    assert structure(json.loads(fenced_block(response))) == structure(answer)


@pytest.mark.parametrize("columnar", [False, True])
def test_guide_client_sends_files(servers, scans, columnar):
    client = guide_client()
    jpeg = io.BytesIO()
    Image.fromarray(scans[1]).save(jpeg, format="JPEG", quality=90)
    files = [png(scans[0]), jpeg.getvalue()]
    answer = client["predict"](
        predict_url(servers["bytes"]), client["bytes_body"](files, columnar=columnar)
    )
    # JPEG is lossy: the served pixels are the loaders' (libjpeg's accurate integer IDCT).
    accurate = tf.io.decode_jpeg(jpeg.getvalue(), dct_method="INTEGER_ACCURATE").numpy()
    decoded = np.stack([scans[0], accurate])
    check_answer(answer, expected_probabilities(decoded), rows=not columnar)


def test_guide_client_raises_the_documented_error(servers, scans):
    client = guide_client()
    wrong_name = {"inputs": {"images": client["bytes_body"]([png(scans[0])])["instances"]}}
    with pytest.raises(
        RuntimeError, match=r"^HTTP 400 from .*:predict: Missing named input"
    ) as error:
        client["predict"](predict_url(servers["bytes"]), wrong_name)
    assert str(error.value).endswith(json.loads(fenced_block("error.json"))["error"])


def test_named_instances_equal_plain_rows(servers, scans):
    url = predict_url(servers["image"])
    plain = post(url, {"instances": scans.tolist()})
    named = post(url, {"instances": [{"images": image.tolist()} for image in scans]})
    assert plain[0] == named[0] == 200
    assert plain[1] == named[1]
    assert (
        post(url.replace(":predict", "/versions/1:predict"), {"instances": scans.tolist()}) == plain
    )


IMAGE = np.zeros((HEIGHT, WIDTH, 3), "uint8")


@pytest.mark.parametrize(
    ("kind", "body", "status", "message"),
    [
        ("image", b"{not json", 400, r"^JSON Parse error: "),
        ("image", b"[1, 2]", 400, r"must be a JSON object; received list"),
        ("image", {}, 400, r"^Missing 'inputs' or 'instances' key$"),
        ("image", {"instances": [], "inputs": []}, 400, r"only one of 'inputs' or 'instances'"),
        ("image", {"instances": []}, 400, r"'instances' must be a non-empty list"),
        (
            "image",
            {"signature_name": "classify", "instances": [1]},
            400,
            r'name: "classify" not found',
        ),
        (
            "image",
            {"signature_name": 1, "instances": [1]},
            400,
            r"'signature_name' must be a string",
        ),
        (
            "image",
            {"instances": [(IMAGE + 1).tolist(), (IMAGE.astype(int) + 256).tolist()]},
            400,
            r"input 'images' of 'instances' must hold values in \[0, 255\] \(uint8\); "
            r"received values in \[1, 256\]",
        ),
        (
            "image",
            {"inputs": {"images": [(IMAGE - 0.6).tolist()]}},
            400,
            r"input 'images' of 'inputs' must hold values in \[0, 255\] \(uint8\); "
            r"received values in \[-0.6, -0.6\]",
        ),
        (
            "image",
            {"inputs": {"images": [np.full(IMAGE.shape, np.nan).tolist()]}},
            400,
            r"input 'images' of 'inputs' must hold finite numbers; received NaN or infinity",
        ),
        (
            "image",
            {"inputs": {"images": [(IMAGE + 0.5).tolist(), [["text"] * 3] * 0]}},
            400,
            r"must be nested lists of equal lengths",
        ),
        (
            "image",
            {"instances": [IMAGE[:16].tolist()]},
            400,
            r"must have shape \(None, 32, 48, 3\) \(None: any size\); "
            r"received shape \(1, 16, 48, 3\)",
        ),
        ("image", {"instances": [[[1, 2], [3]]]}, 400, r"nested lists of equal lengths"),
        (
            "image",
            {"instances": [{"pixels": IMAGE.tolist()}]},
            400,
            r"Instance 0 of 'instances' must be an object with the keys \['images'\]; "
            r"received \['pixels'\]",
        ),
        (
            "bytes",
            {"instances": [{"b64": "not base64!"}]},
            400,
            r"^Unable to base64 decode input 'image_bytes'",
        ),
        (
            "bytes",
            {"instances": [{"b64": "aGVsbG8="}]},
            400,
            r"must be an encoded JPEG, PNG, GIF or BMP",
        ),
        (
            "bytes",
            {"instances": [3]},
            400,
            r'must hold strings or \{"b64": "<base64>"\} objects; received 3',
        ),
    ],
)
def test_bad_requests_get_400_with_the_reason(servers, kind, body, status, message):
    code, answer = post(predict_url(servers[kind]), body)
    assert code == status
    assert list(answer) == ["error"]
    assert re.search(message, answer["error"])


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/v1/models/other:predict", 404, r"^Servable not found for request: Latest\(other\)$"),
        (
            "/v1/models/doc_type/versions/7:predict",
            404,
            r"^Servable not found for request: Specific\(doc_type, 7\)$",
        ),
        ("/v1/models/doc_type:classify", 400, r"The :classify API is not part of the local server"),
        ("/v1/models:predict", 400, r"^Malformed request: POST /v1/models:predict$"),
    ],
)
def test_unknown_models_and_methods(servers, path, status, message):
    code, answer = post(servers["image"].url + path, {"instances": [IMAGE.tolist()]})
    assert (code, list(answer)) == (status, ["error"])
    assert re.search(message, answer["error"])


def test_a_bad_content_length_gets_400(servers):
    host, port = servers["image"].server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.putrequest("POST", "/v1/models/doc_type:predict")
    connection.putheader("Content-Length", "-1")
    connection.endheaders()
    answer = connection.getresponse()
    assert answer.status == 400
    assert json.load(answer) == {"error": "Content-Length must be a whole number; received '-1'."}
    connection.close()


def test_the_highest_version_is_served(tmp_path, exported):
    base = tmp_path / "doc_type"
    shutil.copytree(exported["image"] / "1", base / "1")
    shutil.copytree(exported["bytes"] / "1", base / "10")  # 10 > 1 as numbers, not as text
    (base / "backup").mkdir()
    server = export.make_server(base, port=0)
    try:
        assert (server.model_name, server.version) == ("doc_type", 10)
        assert list(server.signatures["serving_default"].structured_input_signature[1]) == [
            "image_bytes"
        ]
    finally:
        server.server_close()


def test_make_server_checks_its_arguments(tmp_path, exported):
    folder = exported["image"]
    with pytest.raises(FileNotFoundError, match=r"`model_base_path` '.*missing' is not a folder"):
        export.make_server(tmp_path / "missing")
    with pytest.raises(
        ValueError, match=r"received '.*doc_type/1', a SavedModel itself: pass its parent folder"
    ):
        export.make_server(folder / "1")
    (tmp_path / "empty" / "v1").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"numbered version folders.*holding \['v1'\]"):
        export.make_server(tmp_path / "empty")
    (tmp_path / "empty" / "2").mkdir()
    with pytest.raises(
        ValueError, match=r"highest version folder '.*empty/2' has no saved_model.pb"
    ):
        export.make_server(tmp_path / "empty")
    with pytest.raises(
        ValueError, match=r"`model_name` must be a non-empty name .*received 'doc/type'"
    ):
        export.make_server(folder, model_name="doc/type")
    with pytest.raises(TypeError, match=r"`model_name` must be a string; received int"):
        export.make_server(folder, model_name=7)
    with pytest.raises(ValueError, match=r"`port` must be in \[0, 65535\] .*received 70000"):
        export.make_server(folder, port=70000)
    with pytest.raises(TypeError, match=r"`port` must be an integer; received str"):
        export.make_server(folder, port="8501")


def test_serve_command_reports_a_busy_port(servers, exported, capsys):
    port = servers["image"].server_address[1]
    assert serve.main([str(exported["image"]), "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_python_m_serve_runs_until_ctrl_c(exported):
    command = [
        sys.executable,
        "-m",
        "finvision.export.serve",
        str(exported["bytes"]),
        "--port",
        "0",
    ]
    process = subprocess.Popen(  # started with SIGINT ignored, as a background job is
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        banner = process.stdout.readline()
        assert "(local testing only, not for production)" in banner
        url = re.search(r"at (http://127\.0\.0\.1:\d+/v1/models/doc_type) ", banner)[1]
        assert get(url)[1]["model_version_status"][0]["state"] == "AVAILABLE"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.stdout.close()


def test_closing_does_not_wait_for_an_idle_client(exported):
    import socket
    import threading
    import time

    server = export.make_server(exported["bytes"], port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    idle = socket.create_connection(server.server_address)  # connects, never sends a request
    try:
        time.sleep(0.5)  # the server accepts it and a handler thread waits for the request line
        closer = threading.Thread(target=lambda: (server.shutdown(), server.server_close()))
        closer.start()
        closer.join(timeout=10)
        assert not closer.is_alive(), "server_close() waited for the idle connection"
    finally:
        idle.close()
