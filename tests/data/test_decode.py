"""Pixels against Pillow: every format, EXIF orientation, alpha, 16-bit, gray, pages."""

import numpy as np
import pytest
from PIL import Image

from finvision import data
from finvision.data.decode import jpeg_scale
from finvision.data.probe import probe_image
from tests.data.conftest import HEIGHT, WIDTH, oracle

EXACT = [
    "rgb.jpg",
    "gray.jpg",
    "cmyk.jpg",
    *[f"exif_{o}.jpg" for o in range(2, 9)],
    "rgb.png",
    "gray.png",
    "palette.png",
    "bilevel.png",
    "g4.tif",
    "lzw.tif",
    "oriented.tif",
    "rgb.bmp",
    "palette.gif",
    "lossless.webp",
]
COMPUTED = ["rgba.png", "la.png", "palette_transparent.png", "gray16.png", "rgb16.png"]
COMPUTED += ["gray16.tif", "rgba.tif"]


@pytest.mark.parametrize("name", EXACT)
def test_integer_pixels_equal_pillow_exactly(zoo, name):
    image = data.load_image(zoo.good[name])
    assert image.dtype == np.float32
    np.testing.assert_array_equal(image, oracle(zoo.good[name], zoo))


@pytest.mark.parametrize("name", COMPUTED)
def test_alpha_and_16_bit_pixels_equal_numpy_on_pillow(zoo, name):
    image = data.load_image(zoo.good[name])
    np.testing.assert_allclose(image, oracle(zoo.good[name], zoo), rtol=0, atol=1e-3)
    assert image.min() >= 0.0 and image.max() <= 255.0


@pytest.mark.parametrize("name", ["rgb.png", "rgba.png", "gray16.tif", "exif_6.jpg"])
def test_grayscale_is_bt601_of_rgb(zoo, name):
    image = data.load_image(zoo.good[name], color_mode="grayscale")
    expected = oracle(zoo.good[name], zoo, color_mode="grayscale")
    np.testing.assert_allclose(image, expected, rtol=0, atol=1e-3)


def test_grayscale_is_pillow_l_before_rounding(zoo):
    image = data.load_image(zoo.good["rgb.png"], color_mode="grayscale")[..., 0]
    with Image.open(zoo.good["rgb.png"]) as source:
        pillow = np.asarray(source.convert("L"), dtype=np.float64)
    assert np.abs(image - pillow).max() <= 0.5 + 1e-3


def test_gray_sources_repeat_into_rgb_and_stay_one_channel(zoo):
    rgb = data.load_image(zoo.good["gray.png"])
    gray = data.load_image(zoo.good["gray.png"], color_mode="grayscale")
    with Image.open(zoo.good["gray.png"]) as source:
        expected = np.asarray(source, dtype=np.float32)
    np.testing.assert_array_equal(gray[..., 0], expected)
    np.testing.assert_array_equal(rgb, np.repeat(expected[..., None], 3, axis=-1))


def test_exif_orientations_swap_sides_as_pillow(zoo):
    for orientation in range(2, 9):
        image = data.load_image(zoo.good[f"exif_{orientation}.jpg"])
        expected = (WIDTH, HEIGHT) if orientation >= 5 else (HEIGHT, WIDTH)
        assert image.shape[:2] == expected, orientation
    assert data.load_image(zoo.good["oriented.tif"]).shape == (WIDTH, HEIGHT, 3)
    assert probe_image(str(zoo.good["oriented.tif"]))[0].upright_size == (WIDTH, HEIGHT)


def test_16_bit_extremes_map_to_0_and_255(tmp_path):
    path = tmp_path / "extremes.png"
    Image.fromarray(np.array([[0, 65535, 257]], dtype=np.uint16)).save(path)
    assert data.load_image(path, color_mode="grayscale")[0, :, 0].tolist() == [0.0, 255.0, 1.0]


def test_each_page_of_a_multipage_tiff(zoo):
    path = zoo.good["multipage.tif"]
    assert len(probe_image(str(path))) == 3
    for page in range(3):
        np.testing.assert_array_equal(
            data.load_image(path, page=page), oracle(path, zoo, page=page), err_msg=str(page)
        )
    with pytest.raises(ValueError, match=r"`page` must be an int in \[0, 3\).*received 3"):
        data.load_image(path, page=3)


def test_two_fold_downscale_is_the_block_mean(zoo):
    path = zoo.good["rgb.png"]
    image = data.load_image(path, image_size=(HEIGHT // 2, WIDTH // 2))
    source = oracle(path, zoo)
    blocks = source.reshape(HEIGHT // 2, 2, WIDTH // 2, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(image, blocks, rtol=0, atol=1e-4)


def test_letterbox_centres_the_scaled_page_on_white(zoo):
    path = zoo.good["rgb.png"]  # 16 x 24 -> content 8 x 12 in a 12 x 12 box
    image = data.load_image(path, image_size=(12, 12), keep_aspect=True)
    blocks = oracle(path, zoo).reshape(8, 2, 12, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(image[2:10], blocks, rtol=0, atol=1e-4)
    assert (image[:2] == 255.0).all() and (image[10:] == 255.0).all()


def test_large_jpeg_decodes_at_the_dct_scale_pillow_draft_uses(zoo, tmp_path):
    path = tmp_path / "large.jpg"
    Image.open(zoo.good["rgb.jpg"]).resize((96, 64)).save(path, quality=95)
    assert jpeg_scale(64, 96, (16, 24)) == 4
    image = data.load_image(path, image_size=(16, 24))
    with Image.open(path) as source:
        source.draft("RGB", (24, 16))
        assert source.size == (24, 16)
        expected = np.asarray(source.convert("RGB"), dtype=np.float32)
    np.testing.assert_array_equal(image, expected)


def test_dataset_pixels_equal_load_image(zoo):
    size = (12, 20)
    dataset = data.from_directory(
        zoo.root / "good", image_size=size, labels=None, shuffle=False, batch_size=None
    )
    pages = iter(range(3))
    images = list(dataset.as_numpy_iterator())
    assert len(images) == len(zoo.good) + 2  # the multi-page TIFF gives 3 elements
    for path, image in zip(dataset.file_paths, images, strict=True):
        page = next(pages) if path.endswith("multipage.tif") else 0
        expected = data.load_image(path, image_size=size, page=page)
        np.testing.assert_allclose(image, expected, rtol=0, atol=1e-4, err_msg=path)
