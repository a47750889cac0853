"""Finding and reading the MRZ on whole document pages: finvision, PassportEye and RapidOCR.

Pages come from ``benchmarks/_independent_pages.py``, a renderer that shares no code
with finvision's training generators: TD3 passport data pages, TD2 cards and the backs
of TD1 cards (the formats in turn) on a table or a flat or graded background, captured
under each condition of ``--conditions``: "scan" (upright, turned up to 2 degrees),
"rotated" (any quarter turn and up to 15 degrees more) and "phone" (the same, with
perspective, uneven light, blur, noise and JPEG 50-90). Page ``i`` is the same
document under every condition, and every engine reads the same pages in one run:

- finvision: ``models.read_mrz`` on the page array;
- PassportEye (``passporteye.read_mrz``, Tesseract underneath) on the page as PNG
  bytes, its input (encoded outside the timing);
- RapidOCR (``rapidocr_onnxruntime``) on the whole page: the rows of text boxes that
  look like MRZ lines (:func:`mrz_from_text_boxes`), read either way up.

Every engine's lines (spaces removed, upper case) are judged by the same code,
``finvision.documents.parse_mrz``. Reported per condition and engine: the share of
pages where it found an MRZ, where all check digits and field forms hold (``valid``),
where they hold on a wrong reading (``valid_but_wrong``), read exactly, the share of
the fields of :data:`FIELDS` read exactly, the character error rate over the zone's
characters (a page without an MRZ read counts as all deleted) and pages/s (wall clock
of the engine's call only, the engines taking turns in going first).

Run with ``make bench``; writes ``benchmarks/results/documents.json``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from _independent_pages import CONDITIONS, DocumentPage, document_pages, render_page
from _results import environment, write_results
from PIL import Image

from finvision.documents import MRZ_ALPHABET, MRZ_FORMATS, ParsedMRZ, parse_mrz
from finvision.metrics import functional

SEED = 20_261_210
FIELDS = (
    "document_type",
    "issuing_state",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
)
DISTRIBUTIONS = {"passporteye": "passporteye", "rapidocr": "rapidocr_onnxruntime"}
Lines = tuple[str, ...]


class Engine(NamedTuple):
    """An MRZ reader: the page as it takes it (not timed), and the reading (timed)."""

    prepare: Callable[[np.ndarray], Any]
    read: Callable[[Any], Sequence[str] | None]


def finvision_engine() -> Engine:
    from finvision import models

    read_mrz = getattr(models, "read_mrz", None)
    if read_mrz is None:
        raise RuntimeError("finvision.models.read_mrz does not exist in this checkout")

    def read(image: np.ndarray) -> Lines | None:
        result = read_mrz(image)
        return None if result is None else tuple(result.lines)

    return Engine(prepare=lambda image: image, read=read)


def passporteye_engine() -> Engine:
    import passporteye

    if shutil.which("tesseract") is None:
        raise RuntimeError("PassportEye needs Tesseract on the PATH (`make tesseract`)")
    warnings.filterwarnings("ignore", module="passporteye")  # scikit-image deprecations

    def png(image: np.ndarray) -> bytes:
        encoded = io.BytesIO()
        Image.fromarray(image).save(encoded, "PNG")
        return encoded.getvalue()

    def read(data: bytes) -> Lines | None:
        mrz = passporteye.read_mrz(io.BytesIO(data))
        text = "" if mrz is None else mrz.to_dict().get("raw_text", "")
        return tuple(text.splitlines()) or None

    return Engine(prepare=png, read=read)


def rapidocr_engine() -> Engine:
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR()

    def read(bgr: np.ndarray) -> Lines | None:
        found, _ = ocr(bgr)
        return mrz_from_text_boxes(found or [])

    return Engine(prepare=lambda image: np.ascontiguousarray(image[..., ::-1]), read=read)


ENGINES = {
    "finvision": finvision_engine,
    "passporteye": passporteye_engine,
    "rapidocr": rapidocr_engine,
}


def _mrz_share(text: str) -> float:
    return sum(character in MRZ_ALPHABET for character in text) / len(text)


class _Row(NamedTuple):
    offset: float  # across the lines' direction
    height: float
    fragments: list[str]  # along the lines' direction


def _rows(fragments: list[tuple[np.ndarray, str]], along: np.ndarray) -> list[_Row]:
    """The fragments grouped into rows across ``along`` (a unit vector), in order."""
    across = np.array([-along[1], along[0]])
    placed = sorted(
        (box.mean(0) @ across, np.ptp(box @ across), box.mean(0) @ along, text)
        for box, text in fragments
    )
    rows: list[tuple[float, float, list[tuple[float, str]]]] = []
    for offset, height, position, text in placed:
        if rows and offset - rows[-1][0] < 0.5 * height:
            rows[-1][2].append((position, text))
        else:
            rows.append((offset, height, [(position, text)]))
    return [_Row(offset, height, [text for _, text in sorted(row)]) for offset, height, row in rows]


def _mrz_rows(rows: list[_Row]) -> tuple[list[int], int]:
    """Which rows are MRZ lines, and the MRZ line length their fillers are padded to.

    The rows of 20 characters or more that hold a ``<``, and the rows a full line long
    without one within two row heights of such a row (a second line with no filler).
    """
    texts = ["".join(row.fragments) for row in rows]
    marked = [index for index, text in enumerate(texts) if len(text) >= 20 and "<" in text]
    near = [
        index
        for index, row in enumerate(rows)
        if any(abs(row.offset - rows[other].offset) <= 2 * row.height for other in marked)
    ]
    longest = max((len(texts[index]) for index in near), default=0)
    lengths = [length for _, length in MRZ_FORMATS.values() if length >= longest]
    width = min(lengths, default=longest)
    return [index for index in near if index in marked or len(texts[index]) == width], width


def mrz_from_text_boxes(boxes: Sequence[Sequence[Any]]) -> Lines | None:
    """The MRZ in an OCR engine's ``[box, text, score]`` results, or None.

    The boxes whose text (spaces removed) is nine tenths or more MRZ characters are
    grouped into rows along the lines' direction (the long side of the longest text's
    box), the fragments of a row joined. MRZ lines are the rows of 20 characters or
    more that hold a ``<``, and full-length rows close to them (a second line with no
    filler left); the visual zone's rows hold none. Lines that end in fillers get
    back the fillers the engine dropped, up to the MRZ line length (30, 36 or 44)
    next above the longest line. Whichever way up the page lies, the lines are read
    in the order, of the two along that direction, whose check digits hold if one
    does, else the first.

    Args:
        boxes: ``[box, text, score]`` per text box, ``box`` its 4 corners (x, y).

    Returns:
        The lines, or None when fewer than 2 look like MRZ lines.
    """
    fragments = [(np.asarray(box, float), "".join(text.split())) for box, text, *_ in boxes]
    fragments = [(box, text.upper()) for box, text in fragments if text and _mrz_share(text) >= 0.9]
    if not fragments:
        return None
    longest = max(fragments, key=lambda fragment: len(fragment[1]))[0]
    along = max((longest[1] - longest[0], longest[3] - longest[0]), key=np.linalg.norm)
    rows = _rows(fragments, along / np.linalg.norm(along))
    kept, width = _mrz_rows(rows)
    if len(kept) < 2:
        return None

    def line(fragments: list[str]) -> str:
        text = "".join(fragments)
        return text.ljust(width, "<") if text.endswith("<") else text

    forward = tuple(line(rows[index].fragments) for index in kept)
    backward = tuple(line(rows[index].fragments[::-1]) for index in reversed(kept))
    return backward if _valid(backward) and not _valid(forward) else forward


def _clean(text: str) -> str:
    return "".join(text.split()).upper()


def _parsed(lines: Sequence[str] | None) -> ParsedMRZ | None:
    """The engine's lines parsed, or None when they form no MRZ."""
    try:
        return parse_mrz(list(lines)) if lines else None
    except ValueError:
        return None


def _valid(lines: Sequence[str]) -> bool:
    parsed = _parsed(lines)
    return parsed is not None and parsed.valid


class Reading(NamedTuple):
    """What one engine read on one page, and how long it took."""

    truth: Lines
    read: Lines | None
    seconds: float


def summarise(readings: Sequence[Reading]) -> dict[str, float]:
    """The figures of one engine on one condition's pages (see the module docstring)."""
    found, valid, wrong_valid, exact, fields = [], [], [], [], []
    for reading in readings:
        truth, parsed = parse_mrz(list(reading.truth)), _parsed(reading.read)
        right = reading.read == reading.truth
        found.append(reading.read is not None)
        valid.append(parsed is not None and parsed.valid)
        wrong_valid.append(valid[-1] and not right)
        exact.append(right)
        fields += [parsed is not None and getattr(parsed, f) == getattr(truth, f) for f in FIELDS]
    return {
        "found": float(np.mean(found)),
        "valid": float(np.mean(valid)),
        "valid_but_wrong": float(np.mean(wrong_valid)),
        "exact": float(np.mean(exact)),
        "field_accuracy": float(np.mean(fields)),
        "cer": functional.character_error_rate(
            ["".join(reading.truth) for reading in readings],
            ["".join(reading.read or ()) for reading in readings],
        ),
        "pages_per_second": len(readings) / sum(reading.seconds for reading in readings),
    }


def read_page(engine: Engine, page: DocumentPage) -> Reading:
    data = engine.prepare(page.image)
    start = time.perf_counter()
    lines = engine.read(data)
    seconds = time.perf_counter() - start
    return Reading(page.lines, None if lines is None else tuple(map(_clean, lines)), seconds)


def load_engines(names: Sequence[str], seed: int) -> tuple[dict[str, Engine], dict[str, dict]]:
    """The engines that can run here, warmed up on a page outside the set, and what each is."""
    engines, about = {}, {}
    warm_up = render_page(seed + 1, 0, condition="scan", format="TD3")
    for name in names:
        try:
            engine = ENGINES[name]()
            read_page(engine, warm_up)  # model loading, first-call set-up
        except Exception as error:  # an engine that cannot start here is left out, with why
            about[name] = {"available": False, "reason": f"{type(error).__name__}: {error}"}
            print(f"{name}: not available ({about[name]['reason']})", flush=True)
            continue
        engines[name] = engine
        about[name] = {"available": True, **_versions(name)}
    return engines, about


def _versions(name: str) -> dict[str, str]:
    """The peers' package versions (finvision's heads the report), and Tesseract's."""
    versions = {}
    if name in DISTRIBUTIONS:
        versions[name] = importlib.metadata.version(DISTRIBUTIONS[name])
    if name == "passporteye":
        banner = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        versions["tesseract"] = (banner.stdout or banner.stderr).split()[1]
    return versions


def run_condition(engines: dict[str, Engine], pages: int, seed: int, condition: str) -> dict:
    """Every engine on the condition's pages, taking turns in going first."""
    names = list(engines)
    readings: dict[str, list[Reading]] = {name: [] for name in names}
    for index, page in enumerate(document_pages(pages, seed, condition=condition)):
        turn = index % len(names)
        for name in names[turn:] + names[:turn]:
            readings[name].append(read_page(engines[name], page))
    return {name: summarise(readings[name]) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60, help="pages per condition")
    parser.add_argument(
        "--conditions", nargs="*", choices=list(CONDITIONS), default=list(CONDITIONS)
    )
    parser.add_argument("--engines", nargs="*", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", help="results file (default: benchmarks/results/documents.json)")
    arguments = parser.parse_args()
    if arguments.pages < 1:
        parser.error("--pages must be at least 1")
    report = environment("documents")
    engines, about = load_engines(arguments.engines, arguments.seed)
    if not engines:
        parser.error(f"none of the engines {arguments.engines} can run here")
    report.update(
        pages=arguments.pages,
        seed=arguments.seed,
        renderer="benchmarks/_independent_pages.py",
        engines=about,
        by_condition={},
    )
    for condition in arguments.conditions:
        report["by_condition"][condition] = run_condition(
            engines, arguments.pages, arguments.seed, condition
        )
        print(condition, report["by_condition"][condition], flush=True)
    write_results(report, arguments.out)


if __name__ == "__main__":
    main()
