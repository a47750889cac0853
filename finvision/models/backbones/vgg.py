"""The VGG family: VGG-16 and VGG-19, as ``keras.applications`` builds them."""

from __future__ import annotations

from finvision.models.backbones.applications import keras_architecture, keras_weights
from finvision.models.registry import BackboneSpec, Preprocessing, _register_built_in
from finvision.preprocessing.normalization import CAFFE_MEAN


def _vgg(depth: int, last_conv: int, md5: str) -> BackboneSpec:
    # Each tap is the last convolution before a pooling.
    return BackboneSpec.from_parts(
        f"vgg{depth}",
        "vgg",
        architecture=keras_architecture(
            f"VGG{depth}",
            taps=(
                "block2_conv2",
                f"block3_conv{last_conv}",
                f"block4_conv{last_conv}",
                f"block5_conv{last_conv}",
            ),
            channels=(128, 256, 512, 512, 512),
            default_bn_momentum=0.99,
        ),
        preprocessing=Preprocessing("caffe", mean=CAFFE_MEAN),
        imagenet_weights=keras_weights(
            f"vgg{depth}", f"vgg{depth}_weights_tf_dim_ordering_tf_kernels_notop.h5", md5
        ),
    )


_register_built_in(
    _vgg(16, 3, "6d6bbae143d832006294945121d1f1fc"),
    _vgg(19, 4, "253f8cb515780f3b799900260a226db6"),
)
