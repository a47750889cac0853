"""Masks and points follow the geometry: the dict form, exact warps, probability, errors."""

import warnings

import keras
import numpy as np
import pytest
from skimage.transform import estimate_transform

from finvision import preprocessing as fp
from finvision.preprocessing._augmentation import RandomImageLayer
from finvision.preprocessing.geometric import image_corners, perspective_matrix, warp_points
from tests.preprocessing.layer_cases import LAYER_CASES, RANDOM_CASES, case_params

HEIGHT, WIDTH = 40, 56


def numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


def rectangle_masks(count=4, height=HEIGHT, width=WIDTH):
    """0/1 masks of a rectangle that differs per image, and a class-2 block inside it."""
    masks = np.zeros((count, height, width), "uint8")
    for n in range(count):
        masks[n, 8 + n : height - 10, 10 + 2 * n : width - 12] = 1
        masks[n, 16:22, 22:32] = 2
    return masks


def boundary(masks):
    """Pixels with another label within one pixel (8-neighbourhood), per image."""
    padded = np.pad(masks, ((0, 0), (1, 1), (1, 1)), mode="edge")
    height, width = masks.shape[1:]
    near = np.zeros(masks.shape, bool)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            near |= padded[:, dy : dy + height, dx : dx + width] != masks
    return near


def transformation_for(corners, height=HEIGHT, width=WIDTH):
    """RandomPerspective's transformation that sends the image corners to ``corners``."""
    corners = np.asarray(corners, "float32").reshape(-1, 4, 2)
    return {"corners": corners, "homography": perspective_matrix(height, width, corners)}


# === Exactness ===


def test_a_mask_follows_the_warp_as_the_image_content_does():
    masks = (rectangle_masks() > 0).astype("uint8")
    images = np.repeat(masks[..., None] * 255.0, 3, axis=-1).astype("float32")
    layer = fp.RandomPerspective(0.15, fill_value=0.0, seed=3)
    out = layer({"images": images, "segmentation_masks": masks}, training=True)
    moved, warped = numpy(out["segmentation_masks"]), numpy(out["images"])
    assert moved.dtype == np.uint8 and set(np.unique(moved)) == {0, 1}
    assert all(not np.array_equal(moved[n], masks[n]) for n in range(len(masks)))
    # Both sample the same position of the input: nearest neighbour for the mask,
    # bilinear for the image. Their thresholded values can only disagree where the
    # sample falls within a pixel of the rectangle's edge (bilinear mixes the two
    # sides; at a corner it falls below 127.5 where nearest still picks the inside),
    # so every disagreement lies on the moved mask's boundary, and they are few (1 of
    # the 807 boundary pixels here; a mask from another draw disagrees on ~1000 pixels,
    # ~700 of them off its boundary).
    disagree = (warped[..., 0] > 127.5) != (moved == 1)
    assert not (disagree & ~boundary(moved)).any()
    assert disagree.sum() <= 0.05 * boundary(moved).sum()


def test_a_pixel_lands_where_transform_points_sends_it():
    count = 4
    positions = np.array([[12.0, 9.0], [30.0, 20.0], [44.0, 28.0], [20.0, 30.0]], "float32")
    images = np.zeros((count, HEIGHT, WIDTH, 1), "float32")
    for n, (x, y) in enumerate(positions.astype(int)):
        images[n, y, x] = 255.0
    layer = fp.RandomPerspective(0.15, fill_value=0.0, seed=1)
    out = layer({"images": images, "points": positions[:, None]}, training=True)
    warped, points = numpy(out["images"])[..., 0], numpy(out["points"])[:, 0]
    assert not np.allclose(points, positions, atol=0.5)
    for n in range(count):
        rows, cols = np.nonzero(warped[n] > 1e-3)
        weights = warped[n][rows, cols]
        centre = (cols @ weights / weights.sum(), rows @ weights / weights.sum())
        # bilinear spreads the dot over about 2 x 2 pixels; its centroid is the
        # mapped point up to the homography's curvature within that pixel
        np.testing.assert_allclose(centre, points[n], atol=0.35)


def test_points_follow_a_hand_worked_homography():
    # The 11 x 11 image's corners (0, 0), (10, 0), (10, 10), (0, 10) go to:
    target = [[1.0, 1.0], [9.0, 0.0], [10.0, 10.0], [0.0, 8.0]]
    # A homography keeps lines and incidences. The image centre, where the diagonals
    # cross, goes where the new diagonals y = x and (9, 0)-(0, 8) cross: t = 9/17 on
    # the second, (72/17, 72/17). The top edge's midpoint lies on the top edge and on
    # the line from that centre to the vanishing point of the two side edges,
    # (98/17, -550/17); they meet at (373/85, 49/85).
    points = np.array([[[0, 0], [10, 0], [10, 10], [0, 10], [5, 5], [5, 0]]], "float32")
    expected = [*target, [72 / 17, 72 / 17], [373 / 85, 49 / 85]]
    layer = fp.RandomPerspective(0.1)
    moved = numpy(layer.transform_points(points, transformation_for(target, 11, 11)))
    np.testing.assert_allclose(moved[0], expected, atol=1e-4)
    direct = warp_points(points, perspective_matrix(11, 11, [target]))
    np.testing.assert_allclose(numpy(direct), moved)


@pytest.mark.parametrize("size", [(24, 32), (1200, 1900)])
def test_perspective_matrix_equals_the_least_squares_homography(size):
    height, width = size
    source = numpy(image_corners(height, width)).astype("float64")
    rng = np.random.default_rng(0)
    targets = source + rng.uniform(-0.2, 0.2, (5, 4, 2)) * [width - 1, height - 1]
    matrices = numpy(perspective_matrix(height, width, targets.astype("float32")))
    probes = rng.uniform(0, 1, (5, 7, 2)) * [width - 1, height - 1]
    ours = numpy(warp_points(probes, matrices))
    for n in range(5):
        reference = estimate_transform("projective", source, targets[n])
        expected = reference.params / reference.params[2, 2]
        np.testing.assert_allclose(matrices[n], expected, atol=1e-4)
        np.testing.assert_allclose(ours[n], reference(probes[n]), atol=1e-3 * max(size) / 32)


@pytest.mark.tensorflow_only  # the albumentations bridge is a tf.data map
def test_masks_images_and_points_agree_with_albumentations_on_the_same_homography():
    albumentations = pytest.importorskip("albumentations")
    import cv2
    import tensorflow as tf

    from finvision.preprocessing.albumentations_bridge import element_seed

    def perspective(**targets):
        warp = albumentations.Perspective(
            scale=(0.05, 0.1),
            keep_size=True,
            border_mode=cv2.BORDER_CONSTANT,
            fill=0,
            fill_mask=0,
            interpolation=cv2.INTER_LINEAR,
            mask_interpolation=cv2.INTER_NEAREST,
            p=1.0,
        )
        return albumentations.Compose([warp], save_applied_params=True, **targets)

    masks = rectangle_masks()
    images = np.repeat(masks[..., None] * 100, 3, axis=-1).astype("uint8")
    bridge = fp.albumentations_map(perspective(), seed=5)
    dataset = tf.data.Dataset.from_tensor_slices((images, masks)).map(bridge)
    keypoints = np.array([[10.0, 8.0], [39.0, 8.0], [25.5, 19.25], [0.0, 0.0]])
    layer = fp.RandomPerspective(0.1, fill_value=0.0)
    for n, (bridged_image, bridged_mask) in enumerate(dataset.as_numpy_iterator()):
        # The homography albumentations drew for element n (the bridge's seed for it):
        keep = albumentations.KeypointParams("xy", remove_invisible=False)  # (0, 0) leaves
        direct = perspective(keypoint_params=keep)
        direct.set_random_seed(element_seed(5, n))
        result = direct(image=images[n], mask=masks[n], keypoints=keypoints)
        np.testing.assert_array_equal(result["mask"], bridged_mask)  # the same draw
        params = result["applied_transforms"][0][1]
        # keep_size rescales the warped canvas (max_width x max_height) to the input's
        scale = np.diag([WIDTH / params["max_width"], HEIGHT / params["max_height"], 1.0])
        matrix = scale @ params["matrix"]
        corners = numpy(image_corners(HEIGHT, WIDTH)).astype("float64")[None]
        transformation = transformation_for(cv2.perspectiveTransform(corners, matrix))
        np.testing.assert_allclose(
            numpy(transformation["homography"])[0], matrix / matrix[2, 2], atol=1e-5
        )
        moved = numpy(layer.transform_segmentation_masks(masks[n : n + 1], transformation))[0]
        # Both take the nearest pixel to the same inverse-mapped position (cv2 in
        # float64, TensorFlow in float32), so they can only differ where that
        # position is within float32 rounding of a half-pixel tie: at most a few
        # pixels, on a label boundary. None differ on these masks.
        differ = moved != bridged_mask
        assert differ.sum() <= 3 and not (differ & ~boundary(bridged_mask[None])[0]).any()
        warped = numpy(layer.transform_images(images[n : n + 1], transformation))[0]
        np.testing.assert_allclose(warped, bridged_image, atol=1.0)  # cv2 rounds to uint8
        points = numpy(layer.transform_points(keypoints[None], transformation))[0]
        np.testing.assert_allclose(points, np.asarray(result["keypoints"])[:, :2], atol=1e-3)


# === The dict form ===


@pytest.mark.parametrize("name", case_params(RANDOM_CASES))
def test_dict_in_dict_out_with_the_tensor_forms_images(name):
    factory, channels, _ = LAYER_CASES[name]
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 24, 32, channels), dtype="uint8")
    masks = rng.integers(0, 3, (3, 24, 32, 2)).astype("int32")
    points = rng.uniform(0, 24, (3, 5, 2)).astype("float32")
    labels = np.array([0, 1, 1])
    data = {"images": images, "segmentation_masks": masks, "points": points, "labels": labels}
    out = factory()(data, training=True)
    assert list(out) == list(data)
    np.testing.assert_array_equal(numpy(out["images"]), numpy(factory()(images, training=True)))
    np.testing.assert_array_equal(numpy(out["labels"]), labels)
    moved, points_out = numpy(out["segmentation_masks"]), numpy(out["points"])
    assert moved.dtype == np.int32 and moved.shape == masks.shape
    assert points_out.dtype == np.float32 and points_out.shape == points.shape
    assert set(np.unique(moved)) <= {0, 1, 2}
    if name == "RandomPerspective" or name == "DocumentAugmentation":
        # the K = 2 channels move together: compare with each channel on its own
        layer = factory()
        transformation = layer.get_random_transformation(images.astype("float32"))
        both = numpy(layer.transform_segmentation_masks(masks, transformation))
        for k in range(2):
            alone = numpy(layer.transform_segmentation_masks(masks[..., k], transformation))
            np.testing.assert_array_equal(both[..., k], alone)
    if name == "RandomPerspective":
        assert not np.array_equal(moved, masks) and not np.allclose(points_out, points)
    elif name != "DocumentAugmentation":  # light, noise, blur, JPEG: nothing moves
        np.testing.assert_array_equal(moved, masks)
        np.testing.assert_array_equal(points_out, points)


@pytest.mark.parametrize("dtype", ["uint8", "bool", "float32"])
def test_mask_dtypes_and_one_image_without_batch_axis(dtype):
    masks = rectangle_masks(1)[0] > 0
    image = np.repeat(masks[..., None] * 255, 3, axis=-1).astype("uint8")
    layer = fp.RandomPerspective(0.2, fill_value=0.0, seed=2)
    corners = np.array([[10.0, 8.0], [43.0, 8.0], [43.0, 29.0], [10.0, 29.0]], "float32")
    out = layer(
        {"images": image, "segmentation_masks": masks.astype(dtype), "points": corners},
        training=True,
    )
    assert tuple(out["images"].shape) == image.shape
    assert tuple(out["points"].shape) == (4, 2)
    moved = numpy(out["segmentation_masks"])
    assert moved.dtype == np.dtype(dtype) and moved.shape == masks.shape
    assert set(np.unique(moved.astype("uint8"))) == {0, 1}
    batched = fp.RandomPerspective(0.2, fill_value=0.0, seed=2)(
        {"images": image[None], "segmentation_masks": masks[None].astype(dtype)}, training=True
    )
    np.testing.assert_array_equal(numpy(batched["segmentation_masks"])[0], moved)


@pytest.mark.parametrize("name", ["RandomPerspective", "DocumentAugmentation"])
def test_inference_returns_the_inputs_unchanged(name):
    layer = LAYER_CASES[name][0]()
    masks = rectangle_masks(2)
    images = np.repeat(masks[..., None] * 100, 3, axis=-1).astype("uint8")
    points = np.array([[[3.0, 4.0]], [[5.5, 6.5]]])
    data = {"images": images, "segmentation_masks": masks, "points": points}
    for out in (layer(data), layer(data, training=False)):
        np.testing.assert_array_equal(numpy(out["images"]), images.astype("float32"))
        np.testing.assert_array_equal(numpy(out["segmentation_masks"]), masks)
        np.testing.assert_array_equal(numpy(out["points"]), points.astype("float32"))
    assert layer.get_random_transformation(images, training=False) is None


def test_probability_changes_masks_and_points_of_the_same_images():
    count = 16
    masks = (rectangle_masks(count) > 0).astype("uint8")
    images = masks[..., None] * 255.0
    points = np.tile(np.array([[[10.0, 8.0], [43.0, 29.0]]], "float32"), (count, 1, 1))
    layer = fp.RandomPerspective(0.2, fill_value=0.0, probability=0.5, seed=4)
    transformation = layer.get_random_transformation(images)
    applied = numpy(transformation["applied"])
    assert applied.shape == (count,) and 0 < applied.sum() < count
    out = layer({"images": images, "segmentation_masks": masks, "points": points}, training=True)
    changed = {
        key: [not np.array_equal(numpy(out[key])[n], before[n]) for n in range(count)]
        for key, before in [("images", images), ("segmentation_masks", masks), ("points", points)]
    }
    assert 0 < sum(changed["images"]) < count
    assert changed["images"] == changed["segmentation_masks"] == changed["points"]
    # the same choice when the parts are applied one by one
    moved = numpy(layer.transform_segmentation_masks(masks, transformation))
    warped = numpy(layer.transform_images(images, transformation))
    for n in range(count):
        assert np.array_equal(moved[n], masks[n]) == (not applied[n])
        assert np.array_equal(warped[n], images[n]) == (not applied[n])


def test_document_augmentation_moves_masks_with_its_perspective_step_only():
    augment = fp.DocumentAugmentation(1.0, seed=0)
    masks = rectangle_masks(8)
    images = np.repeat(masks[..., None] * 100.0, 3, axis=-1).astype("float32")
    transformation = augment.get_random_transformation(images)
    assert len(transformation) == len(augment.steps)
    perspective = augment.steps[0]
    expected = numpy(perspective.transform_segmentation_masks(masks, transformation[0]))
    np.testing.assert_array_equal(
        numpy(augment.transform_segmentation_masks(masks, transformation)), expected
    )
    chosen = numpy(transformation[0]["applied"])
    assert 0 < chosen.sum() < len(masks)  # the perspective step's own probability
    for n in range(len(masks)):
        assert np.array_equal(expected[n], masks[n]) == (not chosen[n])


def test_a_seed_argument_redraws_reproducibly():
    layer = fp.RandomPerspective(0.2, seed=0)
    images = np.zeros((2, 16, 16, 1), "float32")
    first = layer.get_random_transformation(images, seed=7)
    again = layer.get_random_transformation(images, seed=7)
    own = layer.get_random_transformation(images)
    np.testing.assert_array_equal(numpy(first["corners"]), numpy(again["corners"]))
    assert not np.array_equal(numpy(first["corners"]), numpy(own["corners"]))
    with pytest.raises(TypeError, match=r"`seed` must be None, an int or a keras\.random"):
        layer.get_random_transformation(images, seed="seven")


@pytest.mark.parametrize("name", ["RandomPerspective", "DocumentAugmentation"])
def test_functional_model_on_the_dict_round_trips_in_safe_mode(name, tmp_path):
    factory = LAYER_CASES[name][0]
    inputs = {
        "images": keras.Input((24, 32, 3), dtype="uint8", name="images"),
        "segmentation_masks": keras.Input((24, 32), dtype="uint8", name="segmentation_masks"),
        "points": keras.Input((4, 2), name="points"),
    }
    outputs = factory()(inputs)
    assert outputs["segmentation_masks"].dtype == "uint8"
    assert outputs["images"].dtype == outputs["points"].dtype == "float32"
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    masks = rectangle_masks(2, 24, 32)
    data = {
        "images": np.repeat(masks[..., None] * 100, 3, axis=-1).astype("uint8"),
        "segmentation_masks": masks,
        "points": np.tile(numpy(image_corners(24, 32))[None], (2, 1, 1)),
    }
    first, second = model(data, training=True), reloaded(data, training=True)
    for key in data:
        np.testing.assert_array_equal(numpy(first[key]), numpy(second[key]))


@pytest.mark.tensorflow_only
def test_dict_batches_in_tf_data():
    import tensorflow as tf

    masks = rectangle_masks(4)
    images = np.repeat(masks[..., None] * 100, 3, axis=-1).astype("uint8")
    layer = fp.DocumentAugmentation(0.7, seed=1)
    dataset = tf.data.Dataset.from_tensor_slices({"images": images, "segmentation_masks": masks})
    dataset = dataset.batch(2).map(lambda batch: layer(batch, training=True))
    assert dataset.element_spec["segmentation_masks"].dtype == tf.uint8
    batches = list(dataset.as_numpy_iterator())
    assert [batch["images"].shape for batch in batches] == [(2, HEIGHT, WIDTH, 3)] * 2
    assert all(set(np.unique(batch["segmentation_masks"])) <= {0, 1, 2} for batch in batches)


# === Errors ===


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"image": np.zeros((2, 8, 8, 3))}, r"dict with the key 'images'.*received .*\['image'\]"),
        (
            {"images": np.zeros((2, 8, 8, 3)), "bounding_boxes": np.zeros((2, 1, 4))},
            "pass their corners as 'points'",
        ),
        (
            {"images": np.zeros((2, 8, 8, 3)), "segmentation_masks": np.zeros((2, 8, 6))},
            r"`segmentation_masks` must be \(N, H, W\) or \(N, H, W, K\) with the images' "
            r"batch size, height and width \(2, 8, 8\).*received shape \(2, 8, 6\)",
        ),
        (
            {"images": np.zeros((2, 8, 8, 3)), "segmentation_masks": np.zeros((3, 8, 8, 1))},
            r"\(2, 8, 8\).*received shape \(3, 8, 8, 1\)",
        ),
        (
            {"images": np.zeros((8, 8, 3)), "segmentation_masks": np.zeros((1, 8, 8))},
            r"`segmentation_masks` must be \(H, W\) or \(H, W, K\).*\(8, 8\).*\(1, 8, 8\)",
        ),
        (
            {"images": np.zeros((2, 8, 8, 3)), "points": np.zeros((2, 4, 3))},
            r"`points` must be pixel coordinates \(x, y\) of shape \(N, \.\.\., 2\) "
            r"with N = 2.*received shape \(2, 4, 3\)",
        ),
        ({"images": np.zeros((8, 8))}, r"expects one image \(H, W, C\) or a batch"),
    ],
    ids=["no-images", "boxes", "mask-size", "mask-batch", "mask-single", "points", "image-rank"],
)
def test_bad_dicts_are_refused_clearly(data, message):
    with pytest.raises(ValueError, match=message):
        fp.RandomPerspective(0.1, seed=0)(data, training=True)


# === The deprecated augment(images) ===


def test_augment_still_works_with_a_deprecation_warning():
    images = np.random.default_rng(0).uniform(0, 255, (2, 16, 16, 3)).astype("float32")
    layer = fp.RandomGlare(seed=3, probability=0.5)
    with pytest.warns(DeprecationWarning, match=r"augment\(images\) is deprecated"):
        old = numpy(layer.augment(images))
    fresh = fp.RandomGlare(seed=3)  # augment draws as probability=1 does
    np.testing.assert_array_equal(old, numpy(fresh(images, training=True)))


def test_a_subclass_written_for_augment_keeps_working_on_images():
    with pytest.warns(DeprecationWarning, match="implement draw_parameters"):

        class Darken(RandomImageLayer):
            def augment(self, images):
                return images * keras.ops.reshape(self.uniform(images, 0.5, 0.9), (-1, 1, 1, 1))

    images = np.full((3, 8, 8, 1), 200.0, "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = numpy(Darken(probability=0.5, seed=0)(images, training=True))
    assert (out <= 200.0).all() and (out < 200.0).any()
    masks = np.ones((3, 8, 8), "uint8")
    with pytest.raises(NotImplementedError, match="cannot say how `segmentation_masks` move"):
        Darken(seed=0)({"images": images, "segmentation_masks": masks}, training=True)
