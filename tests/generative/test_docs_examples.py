"""The example of docs/generative.md runs as written, offline, and does what it says."""

import numpy as np
import pytest

from tests.docs_blocks import python_blocks


@pytest.mark.tensorflow_only
def test_the_page_example_runs():
    blocks = python_blocks("generative.md")
    assert len(blocks) == 1
    namespace: dict = {}
    exec(blocks[0], namespace)
    assert set(namespace["history"].history) == {"generator_loss", "discriminator_loss"}
    drawn = list(namespace["drawn"].as_numpy_iterator())
    assert len(drawn) == 32 and {int(label) for _, label in drawn} == {1}
    assert drawn[0][0].shape == (32, 64, 3) and drawn[0][0].dtype == np.uint8
    assert namespace["training"].cardinality() == 3  # 96 images in batches of 32
    assert namespace["real_features"].shape == (4, 512)
    assert namespace["drawn_features"].shape == (32, 512)
    assert np.isfinite(namespace["score"]) and namespace["score"] >= 0.0
