"""finetune mirrored over two CPU devices matches one device with the same global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.tensorflow_only

SCRIPT = Path(__file__).with_name("mirrored_comparison.py")

# The runs differ only in float32 summation order: the all-reduce adds two half-batch
# gradients where one device sums the whole batch, and synchronised BatchNormalization
# adds per-replica moments. AdamW divides by the root of the second moments, so small
# gradient errors become update errors of the same relative size, and over 16 steps
# they grow with the data: on one machine, seeds 0-3 of mirrored_comparison.py
# (FINVISION_COMPARISON_SEED) measured a loss difference of up to 5.2% (6e-5, 5.2e-2,
# 4.6e-4, 6.1e-5) and a weight difference |a - b| / (1 + |a|) of up to 2.9e-2 (4.9e-5,
# 2.9e-2, 4.1e-4, 1.2e-4); another machine measured 1.1e-3 on seed 0. The tolerances
# below are twice the worst seed, and still fail by a factor of seven with per-replica
# BatchNormalization statistics (loss 0.598 against 0.088, weights apart by 0.72).
LOSS_RTOL = 0.1
SCALED_WEIGHT_TOLERANCE = 0.06
#: Accuracy over 32 images: two images may change sides within the tolerances above.
ACCURACY_TOLERANCE = 2 / 32


@pytest.fixture(scope="module")
def comparison():
    # A fresh process: logical devices must be set before TensorFlow initialises any.
    environment = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))  # the figures quoted in docs/distributed.md
    return report


def test_mirrored_history_matches_single_device(comparison):
    assert comparison["replicas"] == 2
    single, mirrored = comparison["single"], comparison["mirrored"]
    assert len(single["loss"]) == len(mirrored["loss"]) == 4  # both phases, 2 epochs each
    np.testing.assert_allclose(mirrored["loss"], single["loss"], rtol=LOSS_RTOL)
    np.testing.assert_allclose(mirrored["accuracy"], single["accuracy"], atol=ACCURACY_TOLERANCE)
    assert single["loss"][-1] < single["loss"][0]  # it did learn: the comparison means something


def test_mirrored_weights_match_single_device(comparison):
    assert comparison["max_scaled_weight_difference"] < SCALED_WEIGHT_TOLERANCE


def test_batchnorm_synchronisation_does_not_outlive_finetune(comparison):
    # A saved config with synchronized=True would not load on other backends.
    assert comparison["synchronized_after"] == []
