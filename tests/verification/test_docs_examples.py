"""The code blocks of docs/verification.md run in order, as written (slow: they train)."""

import numpy as np
import pytest

from tests.docs_blocks import python_blocks


@pytest.mark.slow
def test_the_page_runs(tmp_path, monkeypatch):
    blocks = python_blocks("verification.md")
    assert len(blocks) == 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for code in blocks:
        exec(code, namespace)
    assert namespace["scores"].shape == (5,)
    np.testing.assert_allclose(namespace["scores"], 1.0, atol=1e-5)  # identical blank images
    assert namespace["threshold"] == pytest.approx(0.77)
    assert (tmp_path / "presets" / "signature-verifier" / "model.weights.h5").is_file()
