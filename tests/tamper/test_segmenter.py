"""TamperSegmenter: decoders, forensic stems, outputs, saving, errors and learning."""

import keras
import numpy as np
import pytest

from finvision import models, transfer
from finvision.losses import DiceBCELoss
from finvision.models.tamper import TamperSegmenter
from finvision.preprocessing import ErrorLevelAnalysis, SRMFilter
from tests.conftest import predict

RGB = np.random.default_rng(0).integers(0, 256, (2, 64, 32, 3), dtype="uint8")
GRAY = np.random.default_rng(1).integers(0, 256, (2, 32, 32, 1), dtype="uint8")


@pytest.fixture(scope="module")
def rgb_backbone():
    return models.create_backbone("resnet18", input_shape=(64, 32, 3))


def outputs(model, images):
    return {key: keras.ops.convert_to_numpy(value) for key, value in model(images).items()}


@pytest.mark.parametrize(("decoder", "last_block"), [("fpn", "fpn_output"), ("unet", "unet_P1_b")])
def test_decoders_give_a_full_resolution_mask_and_a_score(rgb_backbone, decoder, last_block):
    segmenter = TamperSegmenter(rgb_backbone, decoder=decoder, decoder_channels=8)
    assert segmenter.backbone is rgb_backbone
    result = outputs(segmenter, RGB)
    assert sorted(result) == ["mask", "score"]
    assert result["mask"].shape == (2, 64, 32, 1) and result["score"].shape == (2, 1)
    for value in result.values():
        assert value.dtype == np.float32
        assert np.all((value > 0) & (value < 1))
    stride = {"fpn": 4, "unet": 2}[decoder]
    assert segmenter.get_layer(f"{last_block}_relu").output.shape == (
        None,
        64 // stride,
        32 // stride,
        8,
    )
    assert segmenter.get_layer("mask_upsample").size == (stride, stride)
    assert not any(layer.name.startswith("stem") for layer in segmenter.layers)


def test_max_score_is_the_mask_maximum(rgb_backbone):
    segmenter = TamperSegmenter(rgb_backbone, decoder_channels=8, score_head="max")
    result = outputs(segmenter, RGB)
    np.testing.assert_allclose(result["score"][:, 0], result["mask"].max(axis=(1, 2, 3)))
    assert (
        segmenter.count_params() < TamperSegmenter(rgb_backbone, decoder_channels=8).count_params()
    )


def test_variable_input_size_on_another_family():
    backbone = models.create_backbone("mobilenet_v3_small", input_shape=(None, None, 3))
    segmenter = TamperSegmenter(backbone, decoder="unet", decoder_channels=8)
    assert outputs(segmenter, RGB)["mask"].shape == (2, 64, 32, 1)
    assert outputs(segmenter, np.zeros((1, 32, 96, 3), "uint8"))["mask"].shape == (1, 32, 96, 1)


def test_freezing_the_backbone_leaves_decoder_stem_and_heads_trainable():
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 3))
    segmenter = TamperSegmenter(backbone, decoder_channels=8, forensic_inputs=("srm",))
    transfer.freeze_backbone(segmenter)
    trainable = {weight.path.split("/")[0] for weight in segmenter.trainable_weights}
    assert {"fpn_output_conv", "stem_1_conv", "mask_logits", "score"} <= trainable
    assert not trainable & {layer.name for layer in backbone.layers}


@pytest.mark.parametrize(
    ("images", "forensic_inputs", "channels"),
    [(RGB, ("ela", "srm"), 3 + 3 + 9), (GRAY, ("srm", "ela"), 1 + 3 + 1), (GRAY, ("srm",), 1 + 3)],
)
@pytest.mark.tensorflow_only  # the "ela" stem
def test_forensic_stem_reads_the_image_and_its_evidence(images, forensic_inputs, channels):
    backbone = models.create_backbone("resnet18", input_shape=images.shape[1:])
    segmenter = TamperSegmenter(backbone, decoder_channels=8, forensic_inputs=forensic_inputs)
    assert segmenter.backbone.input_shape[-1] == images.shape[-1]  # pretrained weights fit as is
    stem_input = keras.Model(segmenter.input, segmenter.get_layer("stem_concat").output)
    evidence = {
        "ela": ErrorLevelAnalysis(quality=90)(images).numpy() / 255.0,
        "srm": SRMFilter(truncation=3.0)(images).numpy() / 3.0,
    }
    expected = np.concatenate(
        [images / 255.0] + [evidence[name] for name in forensic_inputs], axis=-1
    )
    assert expected.shape[-1] == channels
    np.testing.assert_allclose(predict(stem_input, images), expected, rtol=1e-5, atol=1e-6)
    stem_output = segmenter.get_layer("stem_2_relu").output
    assert stem_output.shape == (None, images.shape[1] // 4, images.shape[2] // 4, 8)
    assert outputs(segmenter, images)["mask"].shape == (*images.shape[:3], 1)


def test_outputs_stay_float32_under_mixed_precision():
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 1), dtype="mixed_float16")
    segmenter = TamperSegmenter(
        backbone, decoder="unet", decoder_channels=8, forensic_inputs=("srm",)
    )
    assert segmenter.get_layer("unet_P1_b_conv").compute_dtype == "float16"
    result = outputs(segmenter, GRAY)
    assert result["mask"].dtype == np.float32 and result["score"].dtype == np.float32


@pytest.mark.tensorflow_only  # the "ela" stem
def test_keras_file_and_preset_round_trips(tmp_path):
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 1))
    segmenter = TamperSegmenter(
        backbone,
        decoder="unet",
        decoder_channels=8,
        forensic_inputs=("ela", "srm"),
        ela_quality=75,
        name="cheque_edits",
    )
    segmenter.get_layer("mask_logits").bias.assign([0.5])
    expected = outputs(segmenter, GRAY)

    segmenter.save(tmp_path / "segmenter.keras")
    loaded = keras.saving.load_model(tmp_path / "segmenter.keras", safe_mode=True)
    assert isinstance(loaded, TamperSegmenter)
    assert loaded.get_config() == segmenter.get_config()
    assert loaded.forensic_inputs == ("ela", "srm")
    for key, value in outputs(loaded, GRAY).items():
        np.testing.assert_array_equal(value, expected[key])

    reloaded = TamperSegmenter.from_preset(segmenter.save_preset(tmp_path / "preset"))
    assert (reloaded.name, reloaded.ela_quality) == ("cheque_edits", 75)
    for key, value in outputs(reloaded, GRAY).items():
        np.testing.assert_array_equal(value, expected[key])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"decoder": "fcn"}, r"`decoder` must be one of \('fpn', 'unet'\); received 'fcn'"),
        ({"decoder_channels": 0}, "`decoder_channels` must be an integer >= 1; received 0"),
        (
            {"forensic_inputs": "ela"},
            r"`forensic_inputs` must be a tuple of distinct names .*'ela'",
        ),
        ({"forensic_inputs": ("ela", "ela")}, r"distinct names from \('ela', 'srm'\)"),
        ({"forensic_inputs": ("noise",)}, r"received \('noise',\)"),
        ({"ela_quality": 0}, r"`ela_quality` must be an integer in \[1, 100\]; received 0"),
        ({"score_head": "mean"}, r"`score_head` must be one of \('pooled', 'max'\)"),
    ],
)
def test_bad_arguments(rgb_backbone, arguments, message):
    with pytest.raises(ValueError, match=message):
        TamperSegmenter(rgb_backbone, **arguments)


def test_bad_backbones():
    with pytest.raises(TypeError, match=r"`backbone` must be a keras.Model.*received str"):
        TamperSegmenter("resnet18")
    plain = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3)])
    with pytest.raises(ValueError, match=r"`backbone` must expose `pyramid_outputs` 'P1' to 'P5'"):
        TamperSegmenter(plain)
    odd = models.create_backbone("resnet18", input_shape=(48, 64, 3))
    with pytest.raises(
        ValueError, match=r"multiples of 32 \(or None\); the backbone takes \(48, 64, 3\)"
    ):
        TamperSegmenter(odd)
    four_channels = models.create_backbone("resnet18", input_shape=(32, 32, 4))
    with pytest.raises(ValueError, match=r"'ela' needs images with 1 or 3 channels .* takes 4"):
        TamperSegmenter(four_channels, forensic_inputs=("ela",))


def pasted_squares(count, seed, size=32, side=10):
    """Bright squares pasted at random places on a dark noisy page, with their masks."""
    rng = np.random.default_rng(seed)
    images = rng.normal(60, 10, (count, size, size, 1)).astype("float32")
    masks = np.zeros((count, size, size, 1), "float32")
    for image, mask in zip(images, masks, strict=True):
        row, column = rng.integers(0, size - side + 1, 2)
        image[row : row + side, column : column + side] += 140
        mask[row : row + side, column : column + side] = 1.0
    return images.clip(0, 255), masks


def dice(masks, probabilities):
    predicted = (probabilities > 0.5).astype("float32")
    overlap = (masks * predicted).sum(axis=(1, 2, 3))
    return float(np.mean(2 * overlap / (masks.sum(axis=(1, 2, 3)) + predicted.sum(axis=(1, 2, 3)))))


@pytest.mark.xfail(
    keras.backend.backend() == "jax",
    reason="seed-sensitive: JAX draws other initial weights from the same seed, and 8 epochs "
    "reach Dice 0.39 (seed 0), 0.56 (seed 1), 0.81 (seed 2); the thresholds hold on "
    "TensorFlow's draws",
    strict=True,
)
@pytest.mark.slow
def test_training_finds_pasted_squares():
    keras.utils.set_random_seed(0)
    images, masks = pasted_squares(32, seed=0)
    held_out, held_out_masks = pasted_squares(16, seed=1)
    backbone = models.create_backbone("resnet18", input_shape=(32, 32, 1))
    segmenter = TamperSegmenter(backbone, decoder_channels=16, score_head="max")
    before = dice(held_out_masks, outputs(segmenter, held_out)["mask"])

    segmenter.compile(optimizer=keras.optimizers.Adam(3e-3), loss={"mask": DiceBCELoss()})
    segmenter.fit(images, {"mask": masks}, batch_size=16, epochs=8, verbose=0)
    after = dice(held_out_masks, outputs(segmenter, held_out)["mask"])
    assert after > 0.6
    assert after > before + 0.4
