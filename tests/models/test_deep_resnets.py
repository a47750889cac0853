"""ResNet-101 and -152 (v1, v2) have the published stage depths.

They are ResNet-50's blocks repeated; their full comparison with keras.applications
(weights, outputs, parameter counts, round trips) is slow and runs in `make bench`.
"""

import re

import pytest

from finvision import models

# He et al. 2016, "Deep Residual Learning for Image Recognition", Table 1: bottleneck
# blocks in conv2_x to conv5_x; the v2 networks (He et al. 2016b) keep the same depths.
PUBLISHED_DEPTHS = {101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}
BLOCK_OUTPUT = re.compile(r"conv(\d)_block(\d+)_out")


@pytest.mark.parametrize(
    "backbone", ["resnet101", "resnet152", "resnet101_v2", "resnet152_v2"], ids=str
)
def test_deep_resnets_have_the_published_stage_depths(backbone):
    model = models.create_backbone(backbone, input_shape=(32, 32, 3))
    blocks: dict[int, set[int]] = {}
    for layer in model.layers:
        match = BLOCK_OUTPUT.fullmatch(layer.name)
        if match:
            blocks.setdefault(int(match[1]), set()).add(int(match[2]))
    depth = int(re.search(r"\d+", backbone)[0])
    assert tuple(len(blocks[stage]) for stage in (2, 3, 4, 5)) == PUBLISHED_DEPTHS[depth]
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in blocks.values())
    assert set(model.pyramid_outputs) == {"P1", "P2", "P3", "P4", "P5"}
