"""The bytes signature sees the pixels the loaders give for the same file (no serving skew).

The oracle is ``load_image``, the loaders' own decoding, on files written here from
scikit-image's photographs: EXIF-rotated JPEG and PNG, grayscale, 16-bit, alpha,
GIF and BMP. The measured spread is at most 3.1e-5 over 54 cases (9 files, 2 colour modes, 3
sizes; float32 rounding of the 16-bit
scale and of the gray weights); the tolerance is 1e-3 as the serving contract says.
"""

import io

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from skimage import data as photos

from finvision import export
from finvision.data import load_image
from finvision.data.encoded import exif_orientation
from finvision.export.saved_model import decode_images
from tests.export.conftest import SIZE

ASTRONAUT = photos.astronaut()  # 512 x 512 RGB
CHELSEA = photos.chelsea()  # 300 x 451 RGB
CAMERA = photos.camera()  # 512 x 512 gray


def _exif(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _save(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _png16():
    wide = (CAMERA.astype(np.uint16) * 257 + np.arange(512, dtype=np.uint16)[None] % 257).astype(
        np.uint16
    )
    return Image.fromarray(wide)


def _rgba():
    alpha = np.broadcast_to(np.linspace(0, 255, 451, dtype=np.uint8), (300, 451))[..., None]
    return Image.fromarray(np.concatenate([CHELSEA, alpha], -1), "RGBA")


FILES = {
    "jpeg-exif-6": lambda: _save(
        Image.fromarray(ASTRONAUT), "JPEG", quality=90, exif=_exif(6)
    ),  # 512 px for 32: decoded at 1/8 scale, as the loader does
    "jpeg-exif-3-small": lambda: _save(
        Image.fromarray(CHELSEA).resize((48, 40)), "JPEG", exif=_exif(3)
    ),
    "jpeg-gray": lambda: _save(Image.fromarray(CAMERA), "JPEG", quality=85),
    "png-exif-8": lambda: _save(Image.fromarray(CHELSEA), "PNG", exif=_exif(8)),
    "png-gray": lambda: _save(Image.fromarray(CAMERA), "PNG"),
    "png-16-bit": lambda: _save(_png16(), "PNG"),
    "png-alpha": lambda: _save(_rgba(), "PNG"),
    "png-palette": lambda: _save(Image.fromarray(CHELSEA).convert("P"), "PNG"),
    "bmp": lambda: _save(Image.fromarray(CHELSEA), "BMP"),
}


@pytest.mark.parametrize("color_mode", ["rgb", "grayscale"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_bytes_decode_to_the_loaders_pixels(tmp_path, name, color_mode):
    encoded = FILES[name]()
    path = tmp_path / f"{name}.img"
    path.write_bytes(encoded)
    channels = 3 if color_mode == "rgb" else 1
    expected = load_image(path, image_size=(SIZE, SIZE), color_mode=color_mode)
    decoded = decode_images(tf.constant([encoded]), (SIZE, SIZE, channels)).numpy()[0]
    np.testing.assert_allclose(decoded, expected, atol=1e-3)


def test_exif_orientation_is_read_as_pillow_reads_it():
    for orientation in range(1, 9):
        jpeg = _save(Image.new("RGB", (4, 2)), "JPEG", exif=_exif(orientation))
        png = _save(Image.new("RGB", (4, 2)), "PNG", exif=_exif(orientation))
        assert Image.open(io.BytesIO(jpeg)).getexif()[0x0112] == orientation
        assert int(exif_orientation(tf.constant(jpeg))) == orientation
        assert int(exif_orientation(tf.constant(png))) == orientation
    big_endian = b"\xff\xd8\xff\xe1\x00\x22Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01"
    big_endian += b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00"
    assert int(exif_orientation(tf.constant(big_endian))) == 5
    for no_orientation in (_save(Image.new("RGB", (4, 2)), "JPEG"), b"", b"Exif\x00\x00II*"):
        assert int(exif_orientation(tf.constant(no_orientation))) == 1
    assert (
        int(exif_orientation(tf.constant(_save(Image.new("RGB", (4, 2)), "JPEG", exif=_exif(9)))))
        == 1
    )


def test_served_scores_match_load_image_and_predict_on_a_rotated_photo(
    tmp_path, exported, classifier
):
    serve = tf.saved_model.load(str(exported["bytes"])).signatures["serving_default"]
    encoded = [FILES["jpeg-exif-6"](), FILES["png-exif-8"](), FILES["jpeg-gray"]()]
    paths = []
    for index, content in enumerate(encoded):
        paths.append(tmp_path / f"{index}.img")
        paths[-1].write_bytes(content)
    pixels = np.stack([load_image(path, image_size=(SIZE, SIZE)) for path in paths])
    expected = classifier.predict(pixels, verbose=0)
    served = serve(image_bytes=tf.constant(encoded))["probabilities"].numpy()
    np.testing.assert_allclose(served, expected, atol=1e-3)
    ignoring_exif = Image.open(io.BytesIO(encoded[0])).resize((SIZE, SIZE))
    assert not np.allclose(np.asarray(ignoring_exif, np.float32), pixels[0], atol=30)


def test_formats_the_graph_cannot_decode_are_named(exported):
    serve = tf.saved_model.load(str(exported["bytes"])).signatures["serving_default"]
    tiff = _save(Image.fromarray(CHELSEA), "TIFF", compression="tiff_lzw")
    unknown = "an unknown format"
    short = b"hello"  # shorter than the headers looked for
    for content, name in ((tiff, "TIFF"), (b"not an image at all", unknown), (short, unknown)):
        with pytest.raises(
            tf.errors.InvalidArgumentError,
            match=rf"`image_bytes` must be an encoded JPEG, PNG, GIF or BMP; received.*{name}",
        ):
            serve(image_bytes=tf.constant([content]))


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, classifier):
    bomb = _save(Image.new("1", (6000, 6000)), "PNG")
    assert len(bomb) < 50_000
    path = export.to_saved_model(classifier, tmp_path / "bounded", input="bytes")
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    with pytest.raises(
        tf.errors.InvalidArgumentError,
        match=r"at most 25,000,000 pixels; received height x width.*\[6000 6000\]",
    ):
        serve(image_bytes=tf.constant([bomb]))
    with pytest.raises(ValueError, match=r"`max_pixels` must be a positive int or None; .* 0"):
        export.to_saved_model(classifier, tmp_path / "bad", input="bytes", max_pixels=0)
