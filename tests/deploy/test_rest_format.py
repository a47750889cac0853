"""TF Serving's JSON for outputs of every kind: booleans, text, `_bytes` and batch sizes."""

import base64
import json

import pytest
import tensorflow as tf

from finvision.export._rest_predict import RequestError, predict

pytestmark = [pytest.mark.tensorflow_only, pytest.mark.xdist_group("deploy")]


@pytest.fixture(scope="module")
def signatures(tmp_path_factory):
    """A signature with two inputs and outputs of each JSON kind, saved and reloaded."""

    def outputs(scores, names):
        return {
            "flag": scores > 0.5,
            "name": names,
            "name_bytes": names,
            "count": tf.strings.length(names),
            "total": tf.reduce_sum(scores),
        }

    module = tf.Module()
    module.serve = tf.function(
        outputs,
        input_signature=[
            tf.TensorSpec((None,), tf.float32, "scores"),
            tf.TensorSpec((None,), tf.string, "names"),
        ],
    )
    path = str(tmp_path_factory.mktemp("rest") / "1")
    tf.saved_model.save(module, path, signatures=module.serve)
    return tf.saved_model.load(path).signatures


def request(body):
    return json.dumps(body).encode()


def test_columnar_answer_keeps_every_output(signatures):
    body = {"inputs": {"scores": [0.2, 0.9], "names": ["chèque", {"b64": "AP8="}]}}
    answer = predict(request(body), signatures)["outputs"]
    assert answer["flag"] == [False, True]
    assert answer["name"] == ["chèque", "\x00\ufffd"]  # text: UTF-8, invalid bytes replaced
    assert answer["name_bytes"] == [
        {"b64": base64.b64encode("chèque".encode()).decode()},
        {"b64": "AP8="},  # `_bytes` outputs stay exact, base64
    ]
    assert answer["count"] == [7, 2]  # bytes, not characters
    assert answer["total"] == pytest.approx(1.1)


def test_rows_need_outputs_with_one_batch_size(signatures):
    body = {"instances": [{"scores": 0.7, "names": "a"}, {"scores": 0.1, "names": "bc"}]}
    with pytest.raises(RequestError, match=r"do not share a batch size .*'total': None") as error:
        predict(request(body), signatures)
    assert error.value.status == 400


def test_several_inputs_need_named_instances(signatures):
    with pytest.raises(RequestError, match=r"plain list, but the signature takes several inputs"):
        predict(request({"instances": [0.5]}), signatures)
    with pytest.raises(RequestError, match=r"plain value, but the signature takes several inputs"):
        predict(request({"inputs": [0.5]}), signatures)
    with pytest.raises(RequestError, match=r"^Missing named input: names in 'inputs' object.$"):
        predict(request({"inputs": {"scores": [0.5]}}), signatures)
    with pytest.raises(RequestError, match=r"Instance 1 of 'instances' must be an object"):
        predict(request({"instances": [{"scores": 1.0, "names": "a"}, 2.0]}), signatures)


def test_numbers_must_fit_the_dtype(signatures):
    body = {"inputs": {"scores": [True], "names": ["a"]}}
    with pytest.raises(RequestError, match=r"'scores' of 'inputs' must hold numbers \(float32\)"):
        predict(request(body), signatures)
