"""`saved_model_cli` shows the signature the serving guide documents, for both inputs."""

import re

import pytest

from tests.deploy.conftest import GUIDE, HEIGHT, WIDTH

pytestmark = [pytest.mark.tensorflow_only, pytest.mark.xdist_group("deploy")]

# The guide's symbols for the exported classifier: H x W x C images, K classes.
SYMBOLS = {"H": HEIGHT, "W": WIDTH, "C": 3, "K": 3}
ROW = re.compile(
    r"^\| (`--input image`|`--input bytes`|both) \| (input|output) \| `(\w+)` \| `(DT_\w+)` "
    r"\| `(\([^`]*\))` \|$",
    re.MULTILINE,
)


def documented(kind):
    """The guide's table for `--input <kind>`: {(input|output, name): (dtype, shape)}."""
    table = {}
    for export, role, name, dtype, shape in ROW.findall(GUIDE):
        if export in ("both", f"`--input {kind}`"):
            concrete = re.sub(r"[A-Z]", lambda symbol: str(SYMBOLS[symbol[0]]), shape)
            table[(role.removesuffix("put") + "puts", name)] = (dtype, concrete)
    return table


def serving_default(output):
    """The tensors and method of `serving_default` in `saved_model_cli show --all` output."""
    section = output.split("signature_def['serving_default']:")[1].split("The MetaGraph")[0]
    tensors = re.findall(
        r"(inputs|outputs)\['(\w+)'\] tensor_info:\s+dtype: (\w+)\s+shape: (\([^)]*\))", section
    )
    (method,) = re.findall(r"Method name is: (\S+)", section)
    return {(role, name): (dtype, shape) for role, name, dtype, shape in tensors}, method


@pytest.mark.parametrize("kind", ["image", "bytes"])
def test_signature_is_the_documented_one(saved_model_cli_outputs, kind):
    output = saved_model_cli_outputs[kind]
    assert "MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs" in output
    tensors, method = serving_default(output)
    assert method == "tensorflow/serving/predict"
    assert len(documented(kind)) == 3
    assert tensors == documented(kind)


def test_guide_names_the_tag_set_signature_and_method():
    for text in ("tag-set `serve`", "`serving_default`", "`tensorflow/serving/predict`"):
        assert text in GUIDE
