"""The MobileNet family: v1, v2 and v3 (small, large), as ``keras.applications`` builds them.

MobileNet v2 taps the expansions that feed a strided block; v3 taps block
outputs. Keras' MobileNetV3 rescales inside the model; finvision builds it without
that rescaling and puts it in the in-graph normalisation (mode ``"tf"``) instead.
"""

from __future__ import annotations

from finvision.models.backbones.applications import keras_architecture, keras_weights
from finvision.models.registry import BackboneSpec, Preprocessing, _register_built_in

_register_built_in(
    BackboneSpec.from_parts(
        "mobilenet_v1",
        "mobilenet",
        architecture=keras_architecture(
            "MobileNet",
            taps=("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_11_relu"),
            channels=(64, 128, 256, 512, 1024),
            default_bn_momentum=0.99,
        ),
        preprocessing=Preprocessing("tf"),
        imagenet_weights=keras_weights("mobilenet", "mobilenet_1_0_224_tf_no_top.h5", None),
    ),
    BackboneSpec.from_parts(
        "mobilenet_v2",
        "mobilenet",
        architecture=keras_architecture(
            "MobileNetV2",
            taps=(
                "block_1_expand_relu",
                "block_3_expand_relu",
                "block_6_expand_relu",
                "block_13_expand_relu",
            ),
            channels=(96, 144, 192, 576, 1280),
            default_bn_momentum=0.999,
        ),
        preprocessing=Preprocessing("tf"),
        imagenet_weights=keras_weights(
            "mobilenet_v2",
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
            None,
        ),
    ),
    BackboneSpec.from_parts(
        "mobilenet_v3_small",
        "mobilenet",
        architecture=keras_architecture(
            "MobileNetV3Small",
            taps=(
                "conv_bn",
                "expanded_conv_project_bn",
                "expanded_conv_2_add",
                "expanded_conv_7_add",
            ),
            channels=(16, 16, 24, 48, 576),
            default_bn_momentum=0.999,
            include_preprocessing=False,
        ),
        preprocessing=Preprocessing("tf"),
        imagenet_weights=keras_weights(
            "mobilenet_v3",
            "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
            "d3e8ec802a04aa4fc771ee12a9a9b836",
        ),
    ),
    BackboneSpec.from_parts(
        "mobilenet_v3_large",
        "mobilenet",
        architecture=keras_architecture(
            "MobileNetV3Large",
            taps=(
                "expanded_conv_add",
                "expanded_conv_2_add",
                "expanded_conv_5_add",
                "expanded_conv_11_add",
            ),
            channels=(16, 24, 40, 112, 960),
            default_bn_momentum=0.999,
            include_preprocessing=False,
        ),
        preprocessing=Preprocessing("tf"),
        imagenet_weights=keras_weights(
            "mobilenet_v3",
            "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5",
            "07fb09a5933dd0c8eaafa16978110389",
        ),
    ),
)
