import sys

import numpy as np
import onnxruntime
import pytest

from finvision import export
from tests.export.conftest import SIZE


def session(path):
    return onnxruntime.InferenceSession(str(path))


def test_classifier_runs_in_onnxruntime(exported, classifier, images):
    run = session(exported["onnx"])
    (source,), (target,) = run.get_inputs(), run.get_outputs()
    assert (source.name, source.type, source.shape[1:]) == (
        "images",
        "tensor(uint8)",
        [SIZE, SIZE, 3],
    )
    assert (target.name, target.type) == ("probabilities", "tensor(float)")
    (result,) = run.run(None, {"images": images})
    np.testing.assert_allclose(result, classifier.predict(images, verbose=0), atol=1e-4)


def test_recognizer_keeps_a_free_width(exported, recognizer, lines):
    run = session(exported["reader_onnx"])
    wider = np.concatenate([lines, lines], axis=2)
    result, ids = run.run(["probabilities", "texts"], {"images": wider})
    expected = export._serving.serving_outputs(recognizer, wider)["probabilities"]
    np.testing.assert_allclose(result, np.asarray(expected), atol=1e-4)
    # The ids are the greedy reading, -1 where no character starts.
    texts = ["".join(recognizer.alphabet[i] for i in row if i >= 0) for row in ids]
    assert texts == recognizer.decode(np.log(result))[0]


def test_missing_extra_names_the_install_command(monkeypatch, tmp_path, classifier):
    monkeypatch.setitem(sys.modules, "tf2onnx", None)  # what an uninstalled module looks like
    with pytest.raises(ImportError, match=r'pip install "finvision\[export\]"'):
        export.to_onnx(classifier, tmp_path / "a.onnx")
    assert not any(tmp_path.iterdir())
