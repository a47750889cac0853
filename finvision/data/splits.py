"""Splits that keep class proportions and never put one group in two splits."""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence

import numpy as np

from finvision.data import _checks
from finvision.data.manifest import Manifest, read_manifest


def _codes(values: Sequence[Hashable]) -> np.ndarray:
    index: dict[Hashable, int] = {}
    return np.array([index.setdefault(value, len(index)) for value in values], dtype=np.int64)


def split_indices(
    labels: Sequence[Hashable] | None,
    groups: Sequence[Hashable] | None,
    fractions: Sequence[float],
    seed: int,
) -> list[np.ndarray]:
    """Partitions row indices into splits, by whole groups, keeping class proportions.

    Groups are placed one at a time, largest first (ties in a seeded random
    order), each into the split where it brings the class counts closest to
    their targets ``fraction * class total``: the squared shortfall, relative to
    each class's total, summed over classes, so a rare class counts as much as a
    common one. Without groups every row is its own group, and when every
    target is a whole number the class counts meet their targets exactly.

    Args:
        labels: a hashable label per row (a class, or a tuple for several
            columns); None stratifies nothing and only sizes the splits.
        groups: a hashable group per row (customer, writer, document); None puts
            every row in its own group.
        fractions: the share of each split, positive, summing to 1.
        seed: seed of the order in which equal-sized groups are placed.

    Returns:
        One sorted int64 index array per split.

    Raises:
        ValueError: if ``labels`` or ``groups`` do not have one entry per row.

    Example:
    >>> train, test = split_indices(["a"] * 8 + ["b"] * 4, None, (0.75, 0.25), seed=0)
    >>> len(train), len(test), sorted(test.tolist()) == sorted(set(test.tolist()))
    (9, 3, True)
    """
    fractions = _checks.fractions(fractions)
    count = len(labels) if labels is not None else len(groups) if groups is not None else 0
    for name, values in (("labels", labels), ("groups", groups)):
        if values is not None and len(values) != count:
            raise ValueError(
                f"`{name}` must have one entry per row ({count}), received {len(values)}."
            )
    classes = _codes(labels) if labels is not None else np.zeros(count, np.int64)
    group_of = _codes(groups) if groups is not None else np.arange(count)
    num_groups, num_classes = int(group_of.max(initial=-1)) + 1, int(classes.max(initial=-1)) + 1
    group_counts = np.zeros((num_groups, num_classes))
    np.add.at(group_counts, (group_of, classes), 1.0)
    totals = group_counts.sum(axis=0)
    targets = np.outer(fractions, totals)
    weights = 1.0 / np.maximum(totals, 1.0) ** 2
    current = np.zeros_like(targets)
    order = np.random.default_rng(seed).permutation(num_groups)
    order = order[np.argsort(-group_counts[order].sum(axis=1), kind="stable")]
    assignment = np.empty(num_groups, np.int64)
    for group in order:
        added = group_counts[group]
        cost = (weights * added * (2.0 * (current - targets) + added)).sum(axis=1)
        split = int(np.argmin(cost))
        assignment[group] = split
        current[split] += added
    split_of_row = assignment[group_of]
    return [np.flatnonzero(split_of_row == split) for split in range(len(fractions))]


def _column_values(manifest: Manifest, columns: str | Sequence[str], argument: str) -> list:
    if isinstance(columns, str):
        return manifest.column(columns, argument)
    return list(zip(*(manifest.column(name, argument) for name in columns), strict=True))


def stratified_split(
    manifest: Manifest | str | os.PathLike,
    *,
    fractions: Sequence[float] = (0.8, 0.2),
    label_columns: str | Sequence[str] | None = None,
    group_column: str | None = None,
    seed: int = 0,
) -> tuple[Manifest, ...]:
    """Splits a manifest's rows, keeping class proportions and groups whole.

    Every row of one group (a customer, a signature writer, a document) lands in
    the same split, so nothing about a group seen in training leaks into
    validation or test. Within that constraint the class proportions of every
    split follow the whole manifest's (see :func:`split_indices` for the rule).
    Pass the results to :func:`finvision.data.from_csv`.

    Args:
        manifest: a :class:`Manifest` or the path of a CSV file.
        fractions: the share of each split; two or more, summing to 1.
        label_columns: the column to stratify by, or several (stratified by their
            combination); None sizes the splits only.
        group_column: the column whose equal values must stay together; None
            lets every row go its own way.
        seed: seed of the placement order of equal-sized groups.

    Returns:
        One :class:`Manifest` per fraction, rows in manifest order.

    Raises:
        ValueError: for a missing column or invalid fractions.

    Example:
    >>> from pathlib import Path
    >>> rows = tuple({"writer": str(i // 2), "label": "forged" if i % 4 == 0 else "genuine"}
    ...              for i in range(20))
    >>> manifest = Manifest(rows, ("writer", "label"), Path("."))
    >>> train, val = stratified_split(manifest, label_columns="label", group_column="writer")
    >>> len(train), len(val)
    (16, 4)
    >>> {r["writer"] for r in train.rows} & {r["writer"] for r in val.rows}
    set()
    """
    if not isinstance(manifest, Manifest):
        manifest = read_manifest(manifest)
    labels = (
        None if label_columns is None else _column_values(manifest, label_columns, "label_columns")
    )
    groups = None if group_column is None else manifest.column(group_column, "group_column")
    if labels is None and groups is None:
        labels = [""] * len(manifest)
    parts = split_indices(labels, groups, fractions, seed)
    empty = [index for index, part in enumerate(parts) if not len(part)]
    if empty:
        raise ValueError(
            f"`fractions` {list(fractions)} leave split {empty[0]} of {manifest.name} empty: "
            f"its {len(manifest)} rows cannot fill {len(parts)} splits. Add rows or use fewer "
            "splits."
        )
    return tuple(manifest.select(part) for part in parts)
