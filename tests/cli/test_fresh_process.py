"""A ``.keras`` file of finvision objects loads in a process that has not used finvision yet."""

import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image

from finvision import models

PROBE = """
import sys
import finvision
from finvision import cli

status = cli.main(["predict", sys.argv[1], sys.argv[2]])
import keras

finvision.register_serializables()
model = keras.saving.load_model(sys.argv[1], safe_mode=True)
print(status, type(model).__name__, model.class_names)
"""


def test_predict_and_plain_keras_load_a_model_in_a_fresh_process(tmp_path):
    backbone = models.create_backbone("mobilenet_v3_small", input_shape=(32, 32, 3))
    model = models.ImageClassifier(backbone, 2, class_names=["cheque", "id_card"])
    model.save(tmp_path / "model.keras")
    image = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype="uint8")
    Image.fromarray(image).save(tmp_path / "scan.png")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "model.keras"), str(tmp_path / "scan.png")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "scan.png" in result.stdout
    # TensorFlow's C++ start-up lines (oneDNN, CUDA, absl) ignore TF_CPP_MIN_LOG_LEVEL.
    native = re.compile(r"[IWE]\d{4} |WARNING: All log messages")
    assert [line for line in result.stderr.splitlines() if native.match(line)] == []
    assert result.stdout.splitlines()[-1] == "0 ImageClassifier ['cheque', 'id_card']"
