"""Rare classes (fraud is rare): balanced class weights and resampling in ``tf.data``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf


def _labels_of(dataset: tf.data.Dataset) -> np.ndarray:
    known = getattr(dataset, "labels", None)
    if known is not None:
        return np.asarray(known)
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        raise ValueError(
            "`dataset` must yield (inputs, labels) pairs to read labels from; "
            f"received elements {spec}."
        )
    labels = dataset.map(lambda *element: element[1])
    batches = [np.reshape(batch, -1) for batch in labels.as_numpy_iterator()]
    return np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)


def _class_indices(labels: Any) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim > 1 and array.shape[-1] > 1:
        raise ValueError(
            "Expected one int class index per element; received labels of shape "
            f"{array.shape} (multi-label or one-hot). Weight multi-label columns separately."
        )
    array = array.reshape(-1)
    if array.size == 0:
        raise ValueError("Expected at least one label; received none.")
    if not np.issubdtype(array.dtype, np.integer) or array.min() < 0:
        raise ValueError(
            f"Labels must be non-negative int class indices; received dtype {array.dtype} "
            f"and minimum {array.min()}."
        )
    return array


def class_weights(
    dataset_or_labels: tf.data.Dataset | Sequence[int] | np.ndarray,
    *,
    num_classes: int | None = None,
) -> dict[int, float]:
    """Balanced class weights for ``model.fit(class_weight=...)``.

    Class ``c`` gets ``n / (num_classes * n_c)``, scikit-learn's "balanced"
    rule: every class then weighs as much in the loss as it would with equal
    counts. A dataset from :func:`from_directory` or :func:`from_csv` gives its
    labels without decoding anything; another dataset of ``(x, y)`` elements
    (batched or not) is iterated once.

    Args:
        dataset_or_labels: int class indices, or a dataset of ``(x, y, ...)``.
        num_classes: the number of classes; default: the largest label + 1.

    Returns:
        ``{class index: weight}`` for every class.

    Raises:
        ValueError: if a label is not a non-negative int, labels are multi-label,
            a label reaches ``num_classes``, or a class has no samples.

    Example:
    >>> class_weights([0, 0, 0, 1])
    {0: 0.6666666666666666, 1: 2.0}
    """
    if isinstance(dataset_or_labels, tf.data.Dataset):
        dataset_or_labels = _labels_of(dataset_or_labels)
    labels = _class_indices(dataset_or_labels)
    count = int(labels.max()) + 1 if num_classes is None else num_classes
    if labels.max() >= count:
        raise ValueError(f"Label {labels.max()} is out of range for num_classes={count}.")
    counts = np.bincount(labels, minlength=count)
    if (counts == 0).any():
        raise ValueError(
            f"Class {int(np.flatnonzero(counts == 0)[0])} has no samples; a balanced weight "
            "needs at least one. Pass `num_classes` that matches the labels."
        )
    return {c: float(labels.size / (count * counts[c])) for c in range(count)}


def _target(values: Any, num_classes: int) -> np.ndarray:
    target = np.asarray(values, dtype=np.float64).reshape(-1)
    if (
        target.size != num_classes
        or not np.isfinite(target).all()
        or (target < 0).any()
        or abs(target.sum() - 1.0) > 1e-6
    ):
        raise ValueError(
            f"`target_distribution` must be {num_classes} non-negative shares (one per class) "
            f"summing to 1; received {values!r}."
        )
    return target


def _check_counts(counts: np.ndarray, target: np.ndarray) -> None:
    for c in np.flatnonzero((counts == 0) & (target > 0)):
        raise ValueError(
            f"Class {c} has no samples, so it cannot make up {target[c]:.0%} of the data."
        )


def rebalance(
    dataset: tf.data.Dataset,
    target_distribution: Sequence[float],
    *,
    seed: int | None = None,
) -> tf.data.Dataset:
    """Resamples a dataset so its classes follow ``target_distribution``.

    Each epoch draws as many elements as the dataset has, each from class ``c``
    with probability ``target_distribution[c]``, and within a class from a
    reshuffled, repeating stream of its elements: rare classes are
    oversampled, common ones undersampled.

    For a dataset from :func:`from_directory` or :func:`from_csv` the draw is
    made on file paths before decoding, so no image is decoded and thrown away;
    the result is batched like the input and keeps ``class_names`` and
    ``report``. Any other dataset must yield unbatched ``(x, y)`` pairs with a
    scalar int label; its labels are read once, then each class is filtered
    from its own pass over the data, so each epoch produces every element
    once per class: meant for cheap elements (features, cached tensors).

    Args:
        dataset: the dataset to resample.
        target_distribution: one non-negative share per class, summing to 1.
        seed: seed of the draws and of the per-class shuffles.

    Returns:
        The resampled dataset.

    Raises:
        TypeError: if ``dataset`` is not a ``tf.data.Dataset``.
        ValueError: for a bad distribution, an empty dataset, labels that are not
            single class indices, or a class with a positive share and no elements.

    Example:
    >>> labels = [0] * 9 + [1]
    >>> dataset = tf.data.Dataset.from_tensor_slices((tf.range(10), labels))
    >>> balanced = rebalance(dataset, [0.5, 0.5], seed=0)
    >>> drawn = [int(y) for _, y in balanced.repeat(100)]  # 100 epochs of 10
    >>> len(drawn), 0.4 < sum(drawn) / len(drawn) < 0.6
    (1000, True)
    """
    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(
            f"`dataset` must be a tf.data.Dataset; received {type(dataset).__name__}. "
            "For arrays of labels, use class_weights() and model.fit(class_weight=...)."
        )
    source = getattr(dataset, "source", None)
    if source is not None:
        pipeline, rows = source.pipeline, source.rows
        if "label" not in pipeline.table:
            raise ValueError("`dataset` has no labels to rebalance by (it was loaded without).")
        labels = _class_indices(pipeline.table["label"][rows])
    else:
        spec = dataset.element_spec
        if not (
            isinstance(spec, tuple)
            and len(spec) == 2
            and spec[1].shape.rank == 0
            and spec[1].dtype.is_integer
        ):
            raise ValueError(
                "`dataset` must come from finvision.data loaders, or yield unbatched (x, y) "
                f"pairs with a scalar int label; received elements {spec}. A loader's "
                "dataset loses its `source` in .map() and other transformations: "
                "rebalance it first, then map."
            )
        labels = _class_indices(_labels_of(dataset))
    target = _target(target_distribution, max(int(labels.max()) + 1, len(target_distribution)))
    counts = np.bincount(labels, minlength=target.size)
    _check_counts(counts, target)
    classes = [int(c) for c in np.flatnonzero(target > 0)]
    if source is not None:
        streams = [
            pipeline.records(rows[labels == c], shuffle=True, seed=seed).repeat() for c in classes
        ]
    else:
        streams = [
            dataset.filter(lambda x, y, c=c: tf.equal(tf.cast(y, tf.int64), c)).repeat()
            for c in classes
        ]
    drawn = tf.data.Dataset.sample_from_datasets(
        streams, weights=target[classes].tolist(), seed=seed, rerandomize_each_iteration=True
    ).take(labels.size)
    if source is None:
        return drawn
    balanced = pipeline.finish(drawn)
    balanced.class_names = getattr(dataset, "class_names", None)
    balanced.report = getattr(dataset, "report", None)
    return balanced
