"""The getting-started page runs as written, in one session, offline."""

import numpy as np
import pytest

from tests.docs_blocks import python_blocks


@pytest.mark.slow  # a whole guide with two trainings; the README example runs in make test
def test_getting_started_runs(tmp_path, monkeypatch):
    blocks = python_blocks("getting-started.md")
    assert len(blocks) == 6
    code = "\n".join(blocks)
    assert code.count('weights="imagenet"') == 1
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(code.replace('weights="imagenet"', "weights=None"), namespace)

    assert namespace["spec"].default_input_size == (224, 224)
    assert namespace["spec"].preprocessing.mode == "tf"
    assert namespace["train"].class_names == ["genuine", "tampered"]
    assert namespace["history"].epoch == [0, 1]
    assert 0.0 <= namespace["auc"] <= 1.0 and 0.0 <= namespace["recall"] <= 1.0
    assert namespace["reader"].predict_text([namespace["line"].image]) == [namespace["line"].text]
    assert namespace["fields"].valid
    images = next(iter(namespace["val"]))[0]
    expected = namespace["classifier"].predict(images, verbose=0)
    for name in ("reloaded", "same"):
        np.testing.assert_allclose(namespace[name].predict(images, verbose=0), expected, atol=1e-5)
