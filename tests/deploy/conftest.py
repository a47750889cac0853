"""One tiny classifier exported with `finvision export` (pixels and bytes), served once."""

import io
import re
import subprocess
import sys
import threading
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image

from finvision import cli, export
from finvision.models import ImageClassifier

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "serving.md").read_text()
HEIGHT, WIDTH = 32, 48  # not square, so a swapped height and width shows
NAMES = ("cheque", "id_card", "other")
SHARPNESS = 12.0


def channel_classifier() -> ImageClassifier:
    """Its logits are 12 x the mean of each RGB channel / 255: the brightest channel wins."""
    inputs = keras.Input((HEIGHT, WIDTH, 3))
    backbone = keras.Model(inputs, keras.layers.Rescaling(1 / 255)(inputs), name="pixels")
    model = ImageClassifier(backbone, len(NAMES), class_names=list(NAMES))
    model.head.set_weights([SHARPNESS * np.eye(3, dtype="float32"), np.zeros(3, "float32")])
    return model


def expected_probabilities(images: np.ndarray) -> np.ndarray:
    """The oracle: a softmax over 12 x the channel means, in NumPy (float64)."""
    logits = SHARPNESS * np.asarray(images, "float64").mean(axis=(1, 2)) / 255
    scores = np.exp(logits - logits.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def fenced_block(title: str) -> str:
    """The code block of the serving guide whose fence has `title="<title>"`."""
    (block,) = re.findall(rf'```\w+ title="{re.escape(title)}"\n(.*?)```', GUIDE, re.DOTALL)
    return block


@pytest.fixture(scope="session")
def scans():
    """Four noisy images, each with one clearly brighter channel."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 150, (4, HEIGHT, WIDTH, 3))
    pixels[np.arange(4), :, :, [0, 1, 2, 1]] += 100
    return pixels.astype("uint8")


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """Model folders in TF Serving's layout, written by the `finvision export` command."""
    root = tmp_path_factory.mktemp("deploy")
    model_file = root / "doc_type.keras"
    channel_classifier().save(model_file)
    folders = {}
    for kind in ("image", "bytes"):
        folders[kind] = root / kind / "doc_type"
        arguments = ["export", str(model_file), "--format", "saved_model", "--input", kind]
        assert cli.main([*arguments, "--out", str(folders[kind] / "1")]) == 0
    return folders


@pytest.fixture(scope="session")
def saved_model_cli_outputs(exported):
    """`saved_model_cli show --dir <version> --all` (the guide's command) on both exports."""
    command = next(
        line.split() for line in GUIDE.splitlines() if line.startswith("saved_model_cli show ")
    )
    executable = Path(sys.executable).parent / "saved_model_cli"
    runs = {}
    for kind, folder in exported.items():
        arguments = list(command)
        arguments[arguments.index("--dir") + 1] = str(folder / "1")
        runs[kind] = subprocess.Popen(
            [str(executable), *arguments[1:]], stdout=subprocess.PIPE, text=True
        )
    return {kind: run.communicate(timeout=120)[0] for kind, run in runs.items()}


@pytest.fixture(scope="session")
def servers(exported):
    """The local TF Serving stand-in on each export, on free ports."""
    running = {kind: export.make_server(folder, port=0) for kind, folder in exported.items()}
    for server in running.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield running
    for server in running.values():
        server.shutdown()
        server.server_close()
