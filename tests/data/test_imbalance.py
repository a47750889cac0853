"""class_weights against scikit-learn; rebalance hits its target and keeps pairs intact."""

import pickle

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image
from sklearn.utils.class_weight import compute_class_weight

from finvision import data


@pytest.fixture(scope="module")
def rare_fraud(tmp_path_factory):
    """18 genuine and 2 fraud scans; the gray level is 100 for genuine, 200 for fraud."""
    root = tmp_path_factory.mktemp("rare")
    for name, count, level in (("fraud", 2, 200), ("genuine", 18, 100)):
        (root / name).mkdir()
        for index in range(count):
            Image.new("L", (4, 4), level).save(root / name / f"{index}.png")
    return root


@pytest.mark.parametrize("seed", range(4))
def test_class_weights_equal_sklearn_balanced(seed):
    labels = np.random.default_rng(seed).integers(0, 4, 50 + seed * 37)
    expected = compute_class_weight("balanced", classes=np.arange(4), y=labels)
    weights = data.class_weights(labels)
    assert list(weights) == [0, 1, 2, 3]
    np.testing.assert_allclose(list(weights.values()), expected, rtol=1e-12)


def test_class_weights_of_a_loader_need_no_decoding(rare_fraud, tmp_path):
    for path in rare_fraud.rglob("*.png"):
        (tmp_path / path.parent.name).mkdir(exist_ok=True)
        (tmp_path / path.parent.name / path.name).write_bytes(path.read_bytes())
    dataset = data.from_directory(tmp_path, image_size=(4, 4))
    for path in tmp_path.rglob("*.png"):  # the test's own copies
        path.unlink()
    assert data.class_weights(dataset) == {0: 5.0, 1: 20 / 36}


def test_class_weights_of_a_batched_dataset_and_errors():
    dataset = tf.data.Dataset.from_tensor_slices((tf.zeros((6, 2)), [0, 1, 1, 2, 2, 2])).batch(4)
    assert data.class_weights(dataset) == {0: 2.0, 1: 1.0, 2: 2 / 3}
    with pytest.raises(ValueError, match=r"Class 3 has no samples"):
        data.class_weights([0, 1, 2], num_classes=4)
    with pytest.raises(ValueError, match=r"Label 2 is out of range for num_classes=2"):
        data.class_weights([0, 1, 2], num_classes=2)
    with pytest.raises(ValueError, match=r"received labels of shape \(2, 3\) \(multi-label"):
        data.class_weights([[0, 1, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"non-negative int class indices; received dtype float64"):
        data.class_weights([0.0, 1.0])
    with pytest.raises(ValueError, match=r"must yield \(inputs, labels\) pairs"):
        data.class_weights(tf.data.Dataset.range(3))


def test_rebalance_a_plain_dataset_keeps_pairs_and_hits_the_target():
    features = tf.range(100)
    labels = tf.cast(features >= 90, tf.int32)  # 10% positives
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    balanced = data.rebalance(dataset, [0.5, 0.5], seed=0)
    drawn = [(int(x), int(y)) for x, y in balanced.repeat(20).as_numpy_iterator()]
    assert len(drawn) == 2000
    assert all(y == int(x >= 90) for x, y in drawn)
    share = np.mean([y for _, y in drawn])
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 2000)  # four standard errors
    assert {x for x, y in drawn if y} == set(range(90, 100))


def test_rebalance_a_loader_resamples_paths_and_keeps_labels_with_images(rare_fraud):
    dataset = data.from_directory(rare_fraud, image_size=(4, 4), batch_size=5, seed=0)
    balanced = data.rebalance(dataset, [0.5, 0.5], seed=1)
    assert balanced.class_names == ["fraud", "genuine"] and balanced.report is dataset.report
    levels, labels = [], []
    for _ in range(30):
        for images, batch_labels in balanced.as_numpy_iterator():
            assert images.shape[1:] == (4, 4, 3)
            levels += images[:, 0, 0, 0].tolist()
            labels += batch_labels.tolist()
    assert len(labels) == 600  # 20 per epoch, as many as the dataset has
    assert all(
        level == (200.0 if label == 0 else 100.0)
        for level, label in zip(levels, labels, strict=True)
    )
    assert abs(np.mean(labels) - 0.5) < 4 * np.sqrt(0.25 / 600)


def test_rebalance_errors(rare_fraud):
    dataset = data.from_directory(rare_fraud, image_size=(4, 4))
    with pytest.raises(ValueError, match=r"must be 2 non-negative shares .* summing to 1"):
        data.rebalance(dataset, [0.7, 0.7])
    with pytest.raises(ValueError, match=r"Class 2 has no samples, so it cannot make up 20%"):
        data.rebalance(dataset, [0.4, 0.4, 0.2])
    batched = tf.data.Dataset.from_tensor_slices(([1, 2], [0, 1])).batch(2)
    with pytest.raises(ValueError, match=r"unbatched \(x, y\) pairs with a scalar int label"):
        data.rebalance(batched, [0.5, 0.5])
    mapped = dataset.map(lambda images, labels: (images / 255, labels))
    with pytest.raises(ValueError, match=r"loses its `source` in .map\(\) .*rebalance it first"):
        data.rebalance(mapped, [0.5, 0.5])


def test_rebalance_needs_labels_and_reports_pickle(rare_fraud):
    dataset = data.from_directory(rare_fraud, image_size=(4, 4), labels=None)
    with pytest.raises(ValueError, match=r"`dataset` has no labels to rebalance by"):
        data.rebalance(dataset, [0.5, 0.5])
    assert pickle.loads(pickle.dumps(dataset.report)) == dataset.report
