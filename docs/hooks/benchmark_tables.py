"""MkDocs hook: benchmark tables rendered from ``benchmarks/results/*.json``.

A page asks for a table with a marker on a line of its own::

    <!-- benchmark-table: ocr-mrz -->

and the built page has the Markdown table of that name (a key of ``TABLES``) in
its place, filled from the results file the table reads, so the figures on the
site are always the ones ``make bench`` wrote. A table is a spec: the headers of
its label columns, its value columns (header, JSON path in the row's record,
format) and a small function giving the rows (label cells and the record each
row reads). Numbers are rounded half up from their decimal text in the JSON.

A marker naming no table, a missing results file or a missing figure stops the
build with an error naming the page, the marker and the file.
"""

from __future__ import annotations

import decimal
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mkdocs.exceptions import PluginError

RESULTS = Path("benchmarks") / "results"
MARKER = re.compile(r"^<!-- benchmark-table: (?P<name>\S+) -->$", re.MULTILINE)

Row = tuple[Sequence[str], Mapping[str, Any]]


class Column(NamedTuple):
    """A value column: its header, the dotted JSON path in a row's record, a format."""

    header: str
    path: str
    format: str


class Table(NamedTuple):
    """A table: the results file it reads, its label headers, its columns and rows."""

    results: str
    labels: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: Callable[[Mapping[str, Any]], list[Row]]


def _backbone_overhead(results: Mapping[str, Any]) -> list[Row]:
    steps = {"inference": "inference", "train_step": "training step"}
    return [
        ((backbone, steps.get(step, step)), record)
        for backbone, by_step in results["results"].items()
        for step, record in by_step.items()
    ]


def _transfer(results: Mapping[str, Any]) -> list[Row]:
    transfer = results["transfer"]
    return [
        (("fine-tuned from the MRZ-character preset",), transfer["finetuned"]),
        (("from scratch",), transfer["from_scratch"]),
    ]


def _augmentation(results: Mapping[str, Any]) -> list[Row]:
    cpu = results["cpu_tf_data"]
    pipelines = {
        "finvision": "finvision layers in `tf.data`",
        "albumentations": "albumentations through the bridge",
    }
    return [
        ((label,), {"median": cpu["images_per_second"][key], "rounds": cpu["all_rounds"][key]})
        for key, label in pipelines.items()
    ]


def _ocr(reader: str) -> Callable[[Mapping[str, Any]], list[Row]]:
    engines = {
        "finvision": f"finvision `{reader}` preset",
        "tesseract": "Tesseract 5.3",
        "rapidocr": "RapidOCR",
    }

    def rows(results: Mapping[str, Any]) -> list[Row]:
        return [
            ((engines.get(engine, engine),), record)
            for engine, record in results["readers"][reader].items()
        ]

    return rows


def _ocr_levels(reader: str) -> Callable[[Mapping[str, Any]], list[Row]]:
    def rows(results: Mapping[str, Any]) -> list[Row]:
        return [
            ((f"nuisance {level}" if decimal.Decimal(level) else "clean renders",), record)
            for level, record in results["levels"][reader].items()
        ]

    return rows


def _mrz_independent(results: Mapping[str, Any]) -> list[Row]:
    return [
        ((f"turned up to {rotation} degrees" if float(rotation) else "not turned",), record)
        for rotation, record in results["by_rotation"].items()
    ]


def _reader_label(preset: str, record: Mapping[str, Any]) -> str:
    return f"`{Path(preset).name}` ({record['preset_sha256'][:12]})"


def _micr_lines(results: Mapping[str, Any]) -> list[Row]:
    return [
        ((_reader_label(preset, record), line_set), figures)
        for preset, record in results["readers"].items()
        for line_set, figures in record.items()
        if line_set not in ("preset_sha256", "cheque pages")
    ]


def _micr_pages(results: Mapping[str, Any]) -> list[Row]:
    return [
        ((_reader_label(preset, record),), record["cheque pages"])
        for preset, record in results["readers"].items()
    ]


def _documents(results: Mapping[str, Any]) -> list[Row]:
    engines = {
        "finvision": "finvision `read_mrz`",
        "passporteye": "PassportEye (Tesseract 5.3)",
        "rapidocr": "RapidOCR",
    }
    return [
        ((condition, engines.get(engine, engine)), record)
        for condition, by_engine in results["by_condition"].items()
        for engine, record in by_engine.items()
    ]


def _sequence(results: Mapping[str, Any]) -> list[Row]:
    systems = {
        "per_frame": "per-frame `ImageClassifier`, frame scores averaged",
        "lstm": '`SequenceClassifier(temporal="lstm")`',
        "gru": '`SequenceClassifier(temporal="gru")`',
        "attention": '`SequenceClassifier(temporal="attention")`',
    }
    return [((label,), results["systems"][key]) for key, label in systems.items()]


def _gan_augmentation(results: Mapping[str, Any]) -> list[Row]:
    arms = {
        "plain": "plain",
        "class_weights": "class weights",
        "oversampled": "real spliced repeated (control)",
        "gan": "real + GAN-drawn spliced",
    }
    distances = {
        "generated_vs_real_rare": "GAN-drawn vs real spliced",
        "real_vs_real_rare": "real vs real spliced (floor)",
        "real_genuine_vs_real_rare": "real genuine vs real spliced",
    }
    figures = (("recall_at_1pct_fpr", "recall at 1% FPR"), ("roc_auc", "ROC AUC"))
    return [
        *(
            ((figure, label), results["arms"][arm][key])
            for key, figure in figures
            for arm, label in arms.items()
        ),
        *(
            (("Fréchet distance", label), results["frechet"][key])
            for key, label in distances.items()
        ),
    ]


_OCR_COLUMNS = (
    Column("CER", "cer", "{:.2%}"),
    Column("exact lines", "exact_lines", "{:.1%}"),
    Column("lines/s", "lines_per_second", "{:.1f}"),
)

TABLES: dict[str, Table] = {
    "backbone-overhead": Table(
        "backbone_overhead",
        ("backbone", "step"),
        (
            Column("finvision (s/batch)", "finvision_s", "{:.3f}"),
            Column("keras.applications (s/batch)", "keras_s", "{:.3f}"),
            Column("ratio", "ratio", "{:.3f}"),
        ),
        _backbone_overhead,
    ),
    "transfer": Table(
        "transfer",
        ("",),
        (
            Column("test accuracy", "test_accuracy", "{:.3f}"),
            Column("wall time", "seconds", "{:.0f} s"),
        ),
        _transfer,
    ),
    "augmentation": Table(
        "augmentation",
        ("pipeline",),
        (
            Column("images/s (median)", "median", "{:.0f}"),
            Column("rounds", "rounds", "{:.0f}"),
        ),
        _augmentation,
    ),
    "ocr-mrz": Table("ocr", ("engine",), _OCR_COLUMNS, _ocr("mrz")),
    "ocr-micr": Table("ocr", ("engine",), _OCR_COLUMNS, _ocr("micr")),
    "ocr-levels-mrz": Table("ocr", ("held-out set",), _OCR_COLUMNS, _ocr_levels("mrz")),
    "ocr-levels-micr": Table("ocr", ("held-out set",), _OCR_COLUMNS, _ocr_levels("micr")),
    "mrz-independent": Table(
        "mrz_independent",
        ("independent lines",),
        (
            *_OCR_COLUMNS,
            Column("confidence ROC AUC", "confidence_auroc", "{:.3f}"),
            Column("accepted at the threshold", "accepted", "{:.1%}"),
            Column("wrong among accepted", "wrong_among_accepted", "{:.1%}"),
        ),
        _mrz_independent,
    ),
    "micr-reader-lines": Table(
        "micr_reader", ("reader", "held-out lines"), _OCR_COLUMNS, _micr_lines
    ),
    "micr-reader-pages": Table(
        "micr_reader",
        ("reader",),
        (
            Column("line found", "found", "{:.0%}"),
            Column("read exactly", "exact", "{:.0%}"),
            Column("routing check holds", "routing_holds", "{:.0%}"),
            Column("pages/s", "pages_per_second", "{:.2f}"),
        ),
        _micr_pages,
    ),
    "documents": Table(
        "documents",
        ("capture", "engine"),
        (
            Column("MRZ found", "found", "{:.0%}"),
            Column("check digits hold", "valid", "{:.0%}"),
            Column("hold, but misread", "valid_but_wrong", "{:.0%}"),
            Column("exact", "exact", "{:.0%}"),
            Column("fields right", "field_accuracy", "{:.1%}"),
            Column("CER", "cer", "{:.2%}"),
            Column("pages/s", "pages_per_second", "{:.2f}"),
        ),
        _documents,
    ),
    "sequence": Table(
        "sequence",
        ("model",),
        (
            Column("test accuracy", "accuracy", "{:.3f}"),
            Column("95% interval", "accuracy_95ci", "{:.3f}"),
            Column("ROC AUC", "roc_auc", "{:.3f}"),
            Column("training", "training_seconds", "{:.0f} s"),
            Column("clips/s", "clips_per_second", "{:.0f}"),
        ),
        _sequence,
    ),
    "gan-augmentation": Table(
        "gan_augmentation",
        ("figure", "arm or sets"),
        (
            Column("mean", "mean", "{:.3f}"),
            Column("std over seeds", "std", "{:.3f}"),
            Column("per seed", "per_seed", "{:.3f}"),
        ),
        _gan_augmentation,
    ),
}


def _value(record: Mapping[str, Any], path: str) -> Any:
    for key in path.split("."):
        record = record[key]
    return record


def _cell(value: Any, template: str) -> str:
    """Formats a number (rounded half up) or a list of numbers, joined by commas."""
    if isinstance(value, list):
        return ", ".join(_cell(item, template) for item in value)
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return template.format(value)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown pipe table.

    Args:
        headers: the column headers.
        rows: the cells of each row, as many as headers.

    Returns:
        The table's lines joined by newlines, without a final newline.
    """
    lines = [headers, ["---"] * len(headers), *rows]
    return "\n".join(f"| {' | '.join(line)} |" for line in lines)


def render_table(name: str, results_dir: Path) -> str:
    """The Markdown of table ``name``, filled from its file in ``results_dir``.

    Args:
        name: a key of :data:`TABLES`.
        results_dir: the folder of the results files.

    Returns:
        The table, without a final newline.

    Raises:
        PluginError: if ``name`` is not a table, or its results file or one of
            its figures is missing.
    """
    marker = f"<!-- benchmark-table: {name} -->"
    if name not in TABLES:
        raise PluginError(f"{marker} names no benchmark table; known tables: {sorted(TABLES)}.")
    table = TABLES[name]
    path = results_dir / f"{table.results}.json"
    if not path.is_file():
        raise PluginError(f"{marker} reads {path}, which does not exist; `make bench` writes it.")
    results = json.loads(path.read_text(), parse_float=decimal.Decimal)
    try:
        rows = [
            [
                *labels,
                *(_cell(_value(record, column.path), column.format) for column in table.columns),
            ]
            for labels, record in table.rows(results)
        ]
    except (KeyError, TypeError) as error:
        raise PluginError(
            f"{marker}: {path} lacks a figure the table reads ({error!r})."
        ) from error
    headers = [*table.labels, *(column.header for column in table.columns)]
    return markdown_table(headers, rows)


def replace_markers(markdown: str, results_dir: Path, page: str) -> str:
    """Replaces every benchmark-table marker of a page by its table.

    Args:
        markdown: the page's Markdown.
        results_dir: the folder of the results files.
        page: the page's path, named in errors.

    Returns:
        The Markdown with the tables in place of the markers.

    Raises:
        PluginError: as :func:`render_table`, with the page named.
    """

    def table(match: re.Match[str]) -> str:
        try:
            return render_table(match["name"], results_dir)
        except PluginError as error:
            raise PluginError(f"{page}: {error}") from error

    return MARKER.sub(table, markdown)


def on_page_markdown(markdown: str, *, page: Any, config: Any, **kwargs: Any) -> str:
    """MkDocs event: fills the page's benchmark tables from the repository's results."""
    results_dir = Path(config.config_file_path).parent / RESULTS
    return replace_markers(markdown, results_dir, page.file.src_uri)
