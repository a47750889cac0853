"""Stratified group splits: exact counts, no group in two splits, class shares kept."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finvision import data
from finvision.data.splits import split_indices


@pytest.mark.parametrize(
    ("counts", "fractions", "expected"),
    [
        ({"a": 10, "b": 5}, (0.8, 0.2), [{"a": 8, "b": 4}, {"a": 2, "b": 1}]),
        (
            {"a": 20, "b": 40},
            (0.5, 0.25, 0.25),
            [{"a": 10, "b": 20}, {"a": 5, "b": 10}, {"a": 5, "b": 10}],
        ),
        # 9.9 genuine and 0.1 fraud held out: round to 10 and 0
        ({"genuine": 99, "fraud": 1}, (0.9, 0.1), [{"genuine": 89, "fraud": 1}, {"genuine": 10}]),
    ],
)
def test_class_counts_meet_their_targets(counts, fractions, expected):
    labels = np.array([label for label, count in counts.items() for _ in range(count)])
    parts = split_indices(labels.tolist(), None, fractions, seed=0)
    got = [dict(zip(*np.unique(labels[part], return_counts=True), strict=True)) for part in parts]
    assert [{k: int(v) for k, v in part.items()} for part in got] == expected
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(labels)))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12)), min_size=1, max_size=80),
    seed=st.integers(0, 5),
)
def test_groups_never_straddle_splits_and_rows_are_partitioned(rows, seed):
    labels = [label for label, _ in rows]
    groups = [f"customer{group}" for _, group in rows]
    parts = split_indices(labels, groups, (0.6, 0.2, 0.2), seed)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(rows)))
    owners = [{groups[i] for i in part} for part in parts]
    assert not (owners[0] & owners[1] or owners[0] & owners[2] or owners[1] & owners[2])


def test_class_shares_survive_grouping_on_a_realistic_signature_set():
    rng = np.random.default_rng(0)
    labels, groups = [], []
    for writer in range(150):
        for _ in range(rng.integers(1, 7)):
            labels.append("forged" if rng.uniform() < 0.15 else "genuine")
            groups.append(writer)
    labels = np.array(labels)
    overall = np.mean(labels == "forged")
    parts = split_indices(labels.tolist(), groups, (0.7, 0.15, 0.15), seed=1)
    for part, fraction in zip(parts, (0.7, 0.15, 0.15), strict=True):
        assert abs(len(part) / len(labels) - fraction) < 0.02
        assert abs(np.mean(labels[part] == "forged") - overall) < 0.02


def test_seed_decides_and_repeats():
    labels = ["a"] * 30
    first = split_indices(labels, None, (0.5, 0.5), seed=0)[1].tolist()
    assert split_indices(labels, None, (0.5, 0.5), seed=0)[1].tolist() == first
    assert split_indices(labels, None, (0.5, 0.5), seed=1)[1].tolist() != first


def test_stratified_split_of_a_csv_manifest(tmp_path):
    lines = ["path,label,customer"] + [
        f"{i}.png,{'fraud' if i % 5 == 0 else 'ok'},c{i // 4}" for i in range(40)
    ]
    (tmp_path / "all.csv").write_text("\n".join(lines) + "\n")
    train, val, test = data.stratified_split(
        tmp_path / "all.csv",
        fractions=(0.5, 0.25, 0.25),
        label_columns="label",
        group_column="customer",
        seed=3,
    )
    assert sum(len(part) for part in (train, val, test)) == 40
    assert [sum(r["label"] == "fraud" for r in part.rows) for part in (train, val, test)] == [
        4,
        2,
        2,
    ]
    customers = [{row["customer"] for row in part.rows} for part in (train, val, test)]
    assert not (
        customers[0] & customers[1] or customers[0] & customers[2] or customers[1] & customers[2]
    )
    assert train.root == Path(tmp_path).resolve()
    assert [row["path"] for row in train.rows] == sorted(
        (row["path"] for row in train.rows), key=lambda p: int(p.split(".")[0])
    )


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ((1.0,), "two or more positive numbers"),
        ((0.5, 0.0, 0.5), "two or more positive numbers"),
        ((0.5, 0.4), r"must sum to 1, received \(0.5, 0.4\)"),
        ("ab", "two or more positive numbers"),
    ],
)
def test_fraction_errors(fractions, message):
    manifest = data.Manifest(({"p": "a"}, {"p": "b"}), ("p",), Path("."))
    with pytest.raises(ValueError, match=message):
        data.stratified_split(manifest, fractions=fractions)
    with pytest.raises(ValueError, match="`label_columns` names column 'label'"):
        data.stratified_split(manifest, label_columns="label")
