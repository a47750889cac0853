"""TFDS builders of the synthetic sets: the generators' exact output, split by seed and writer."""

import contextlib
import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")

from finvision.data import synthetic  # noqa: E402
from finvision.data import tfds as builders  # noqa: E402
from finvision.data.tfds import split_seed  # noqa: E402
from tests.docs_blocks import DOCS  # noqa: E402

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
COUNTS = {"train": 4, "validation": 3, "test": 3}
SEED = 2  # split seeds 6, 7, 8
PAGE = (96, 192)

# Each builder and the config fields it is prepared with.
CASES = {
    "finvision_mrz_lines": (
        builders.FinvisionMrzLines,
        {"font_path": str(DEJAVU), "options": {"height": 24, "formats": ("TD1",)}},
    ),
    "finvision_micr_lines": (builders.FinvisionMicrLines, {}),
    "finvision_cheques": (
        builders.FinvisionCheques,
        {"font_path": str(DEJAVU), "options": {"size": PAGE}},
    ),
    "finvision_signatures": (builders.FinvisionSignatures, {"options": {"size": (32, 64)}}),
    "finvision_tampering": (
        builders.FinvisionTampering,
        {"font_path": str(DEJAVU), "options": {"size": PAGE}},
    ),
}


def _expected(name, split, count=COUNTS, seed=SEED):
    """The generator's own output for a split: the oracle, called with explicit arguments."""
    seed = 3 * seed + ("train", "validation", "test").index(split)
    count = count[split]
    if name == "finvision_mrz_lines":
        return synthetic.mrz_lines(count, seed=seed, formats=["TD1"], height=24, font_path=DEJAVU)
    if name == "finvision_micr_lines":
        return synthetic.micr_lines(count, seed=seed)
    if name == "finvision_cheques":
        return synthetic.cheques(count, seed=seed, size=PAGE, font_path=DEJAVU)
    if name == "finvision_signatures":
        writers = {"train": range(700), "validation": range(700, 800), "test": range(800, 1000)}
        return synthetic.signature_pairs(count, seed=seed, writers=writers[split], size=(32, 64))
    return synthetic.tampered_documents(count, seed=seed, size=PAGE, font_path=DEJAVU)


def _config(**fields):
    return builders.SyntheticConfig(name="tiny", examples_per_split=COUNTS, seed=SEED, **fields)


def _quiet(function, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):  # TFDS prints where it writes
        return function(*args, **kwargs)


def _examples(builder, split):
    examples = list(builder.as_dataset(split=split, shuffle_files=False).as_numpy_iterator())
    return sorted(examples, key=lambda example: example["index"])


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Each builder prepared once at 4/3/3 examples, with DejaVu where a font is drawn."""
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is not installed (Debian package fonts-dejavu-core)")
    data_dir = str(tmp_path_factory.mktemp("tfds"))
    built = {}
    for name, (builder_class, fields) in CASES.items():
        builder = builder_class(config=_config(**fields), data_dir=data_dir)
        _quiet(builder.download_and_prepare)
        built[name] = builder
    return built


@pytest.mark.parametrize("name", list(CASES))
def test_examples_are_the_generator_output(prepared, name):
    builder = prepared[name]
    features = builder.info.features
    for split, count in COUNTS.items():
        examples = _examples(builder, split)
        assert [int(example["index"]) for example in examples] == list(range(count))
        for example, sample in zip(examples, _expected(name, split), strict=True):
            for key in features:
                if key == "index":
                    continue
                stored, field = example[key], getattr(sample, key)
                if isinstance(features[key], tfds.features.ClassLabel) and isinstance(field, str):
                    stored = features[key].int2str(stored)
                if isinstance(field, np.ndarray):  # images (H, W) or (H, W, 3), bool masks
                    assert stored.dtype == np.uint8 and stored.shape[:2] == field.shape[:2]
                    np.testing.assert_array_equal(stored, field.reshape(stored.shape))
                elif isinstance(field, dict):
                    assert {k: tuple(v) for k, v in stored.items()} == field
                elif isinstance(field, str):
                    assert (stored if isinstance(stored, str) else stored.decode()) == field
                else:
                    assert stored == field


def test_masks_are_exact_and_zero_one(prepared):
    examples = _examples(prepared["finvision_tampering"], "test")
    for example, document in zip(examples, _expected("finvision_tampering", "test"), strict=True):
        assert set(np.unique(example["mask"])) == {0, 1}
        np.testing.assert_array_equal(example["mask"][..., 0] == 1, document.mask)
        untouched = ~document.mask
        np.testing.assert_array_equal(example["image"][untouched], document.original[untouched])


def test_line_splits_share_no_text(prepared):
    for name in ("finvision_mrz_lines", "finvision_micr_lines"):
        texts = {
            split: {example["text"] for example in _examples(prepared[name], split)}
            for split in COUNTS
        }
        assert [len(texts[split]) for split in COUNTS] == list(COUNTS.values())
        assert not texts["train"] & texts["validation"]
        assert not (texts["train"] | texts["validation"]) & texts["test"]


def test_signature_splits_have_disjoint_writers(prepared):
    ranges = {"train": range(700), "validation": range(700, 800), "test": range(800, 1000)}
    for split, allowed in ranges.items():
        for example in _examples(prepared["finvision_signatures"], split):
            assert example["writer"] in allowed and example["writer_b"] in allowed
            kind = ("genuine", "skilled", "random")[example["kind"]]
            assert example["label"] == int(kind == "genuine")
            assert (example["writer_b"] == example["writer"]) == (kind != "random")


def test_as_supervised_pairs(prepared):
    image, text = next(
        iter(prepared["finvision_mrz_lines"].as_dataset("train", as_supervised=True))
    )
    assert image.shape[0] == 24 and image.shape[2] == 1 and len(text.numpy()) == 30
    (a, b), label = next(
        iter(prepared["finvision_signatures"].as_dataset("test", as_supervised=True))
    )
    assert a.shape == b.shape == (32, 64, 1) and label.numpy() in (0, 1)
    image, mask = next(
        iter(prepared["finvision_tampering"].as_dataset("train", as_supervised=True))
    )
    assert image.shape == (*PAGE, 3) and mask.shape == (*PAGE, 1)
    assert prepared["finvision_cheques"].info.supervised_keys is None


def test_load_by_name_and_default_configs(prepared, tmp_path):
    data_dir = prepared["finvision_micr_lines"].data_dir_root
    lines = _quiet(
        tfds.load,
        "finvision_micr_lines",
        split="validation",
        data_dir=data_dir,
        builder_kwargs={"config": _config()},
        as_supervised=True,
    )
    expected = {line.text for line in _expected("finvision_micr_lines", "validation")}
    assert {text.numpy().decode() for _, text in lines} == expected
    builder = tfds.builder("finvision_signatures", data_dir=str(tmp_path))
    assert builder.builder_config.name == "small"
    assert builder.builder_config.examples_per_split == {
        "train": 1000,
        "validation": 200,
        "test": 200,
    }
    large = tfds.builder("finvision_mrz_lines/large", data_dir=str(tmp_path))
    assert large.builder_config.examples_per_split["train"] == 20_000
    assert not list(tmp_path.iterdir())  # nothing prepared, nothing written


def test_nuisance_reaches_the_generator(tmp_path):
    config = builders.SyntheticConfig(
        name="noisy", examples_per_split={"train": 2}, seed=5, nuisance=0.5
    )
    builder = builders.FinvisionMicrLines(config=config, data_dir=str(tmp_path))
    _quiet(builder.download_and_prepare)
    expected = synthetic.micr_lines(2, seed=split_seed(5, "train"), nuisance=0.5)
    clean = synthetic.micr_lines(2, seed=split_seed(5, "train"))
    for example, line, plain in zip(_examples(builder, "train"), expected, clean, strict=True):
        np.testing.assert_array_equal(example["image"][..., 0], line.image)
        assert not np.array_equal(line.image, plain.image)


def test_split_seeds_are_disjoint_across_splits_and_seeds():
    seeds = [
        split_seed(seed, split) for seed in range(4) for split in ("train", "validation", "test")
    ]
    assert seeds == list(range(12))
    with pytest.raises(
        ValueError,
        match=r"`split` must be one of \('train', 'validation', 'test'\); received 'dev'\.",
    ):
        split_seed(0, "dev")


@pytest.mark.parametrize(
    ("builder_class", "fields", "message"),
    [
        (
            builders.FinvisionTampering,
            {"nuisance": 0.2},
            r"`nuisance` does not apply to finvision_tampering: tampered_documents takes no "
            r"`nuisance`; received 0\.2\.",
        ),
        (
            builders.FinvisionMicrLines,
            {"font_path": "/fonts/ocrb.ttf"},
            r"`font_path` does not apply to finvision_micr_lines: micr_lines takes no "
            r"`font_path`; received '/fonts/ocrb\.ttf'\.",
        ),
        (
            builders.FinvisionSignatures,
            {"options": {"writers": 10, "size": (32, 64)}},
            r"`options` of finvision_signatures may set \['proportions', 'size'\]; "
            r"received \['writers'\]\.",
        ),
        (
            builders.FinvisionMrzLines,
            {"options": {"size": (32, 64)}},
            r"`options` of finvision_mrz_lines may set \['formats', 'height', 'layout'\]; "
            r"received \['size'\]\.",
        ),
    ],
)
def test_arguments_the_generator_does_not_take(builder_class, fields, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        builder_class(config=_config(**fields), data_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"examples_per_split": {"train": 4, "dev": 2}},
            r"`examples_per_split` must map some of \('train', 'validation', 'test'\) to "
            r"positive ints; received \{'train': 4, 'dev': 2\}\.",
        ),
        ({"examples_per_split": {"train": 0}}, r"received \{'train': 0\}\."),
        ({"seed": -1}, r"`seed` must be a non-negative int; received -1\."),
        ({"nuisance": 2}, r"`nuisance` must be a number in \[0, 1\]; received 2\."),
        ({"font_path": 3}, r"`font_path` must be a path to a font file or None; received 3\."),
        (
            {"options": [("size", (96, 192))]},
            r"`options` must map generator argument names to values; "
            r"received \[\('size', \(96, 192\)\)\]\.",
        ),
    ],
)
def test_bad_configs(fields, message):
    with pytest.raises(ValueError, match=message):
        builders.SyntheticConfig(name="bad", **fields)


def test_config_of_another_type(tmp_path):
    config = builders.InHouseConfig(name="scans", source=str(tmp_path))
    with pytest.raises(ValueError, match=r"`config` must be a SyntheticConfig or the name of a"):
        builders.FinvisionCheques(config=config, data_dir=str(tmp_path))


def test_the_old_module_name_still_imports_with_a_deprecation_warning():
    # `finvision.data.tfds_synthetic` became `finvision.data.tfds.synthetic`; a fresh
    # process that imports the old name first gets the same registered builders.
    probe = textwrap.dedent(
        """
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import finvision.data.tfds_synthetic as old
        import tensorflow_datasets as tfds
        from finvision.data.tfds import FinvisionMrzLines, SyntheticConfig
        print(old.FinvisionMrzLines is FinvisionMrzLines, SyntheticConfig.__module__)
        print([str(w.message).split(" (")[0] for w in caught if w.category is DeprecationWarning])
        print(sorted(n for n in tfds.list_builders() if n.startswith("finvision_")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [
        "True finvision.data.tfds.synthetic",
        "['finvision.data.tfds_synthetic moved to finvision.data.tfds.synthetic']",
        "['finvision_cheques', 'finvision_in_house', 'finvision_micr_lines', "
        "'finvision_mrz_lines', 'finvision_signatures', 'finvision_tampering']",
    ]


def test_data_page_example_runs(capsys):
    page = (DOCS / "data.md").read_text()
    (code,) = re.findall(r"```py\n(.*?)```", page, re.DOTALL)
    namespace: dict = {}
    exec(code, namespace)
    assert capsys.readouterr().out == "32 1 16\n"
    assert all(
        set(text.numpy().decode()) <= set("0123456789TAUD") for _, text in namespace["train"]
    )
