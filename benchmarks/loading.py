"""Speed and memory of ``finvision.data.from_directory`` against Keras' own loader.

1. Plain photos: 2,000 JPEG photos (640 x 480, quality 90, two classes),
   written to a temporary folder. ``from_directory`` and
   ``keras.utils.image_dataset_from_directory`` both resize to 224 x 224,
   batch 32, shuffle; whole epochs in the same process, alternating which runs
   first, after one warm-up epoch each. Reports images per second (median of
   the rounds; the median of the per-round ratios; the ratio of the best
   rounds, closest to an idle machine) and process CPU seconds per image, which
   other jobs on a shared machine disturb far less. Target: images/s ratio >= 1.0.
2. Scans in the mix: the same photos with every 4th JPEG stored sideways with
   EXIF orientation 6 (as phones store portraits) and every 10th saved as an
   LZW TIFF instead, loaded by ``from_directory`` against Keras on the plain
   folder (Keras reads no TIFF and ignores EXIF). Target ratio >= 0.9.
3. Peak memory: a child process per case loads and iterates one epoch of
   2,000 and of 20,000 small JPEGs (64 x 48 to 32 x 32, batch 64); its peak
   resident memory (Linux ``VmHWM``) after imports and after the epoch, for
   both loaders. Flat means the 20,000-file peak is within a few MiB of the
   2,000-file one.

Writes ``benchmarks/results/loading.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from _results import environment, write_results
from PIL import Image

from finvision import data

SIZE = (224, 224)
BATCH = 32


def _noise_pool(rng: np.random.Generator, shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    return [rng.normal(0.0, 12.0, shape).astype(np.float32) for _ in range(count)]


def photo(rng: np.random.Generator, pool: list[np.ndarray], width: int, height: int) -> Image.Image:
    """A photo-like image: smooth colour regions with sensor noise."""
    field = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    pixels = np.asarray(field.resize((width, height), Image.BICUBIC), dtype=np.float32)
    noise = pool[int(rng.integers(len(pool)))]
    shift = rng.integers(0, height), rng.integers(0, width)
    pixels = pixels + np.roll(noise, shift, axis=(0, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def write_photos(root: Path, count: int, *, scans: bool, seed: int = 0) -> None:
    """``count`` 640 x 480 photos in two class folders; with ``scans``, EXIF and TIFF mixed in."""
    rng = np.random.default_rng(seed)
    pool = _noise_pool(rng, (480, 640, 3), 16)
    exif = Image.Exif()
    exif[0x0112] = 6
    for label in ("class_0", "class_1"):
        (root / label).mkdir(parents=True, exist_ok=True)
    for index in range(count):
        image = photo(rng, pool, 640, 480)
        stem = root / f"class_{index % 2}" / f"{index:05d}"
        if scans and index % 10 == 0:
            image.save(stem.with_suffix(".tif"), compression="tiff_lzw")
        elif scans and index % 4 == 0:
            image.save(stem.with_suffix(".jpg"), quality=90, exif=exif)
        else:
            image.save(stem.with_suffix(".jpg"), quality=90)


def write_small(root: Path, count: int, seed: int = 1) -> None:
    """``count`` 64 x 48 JPEGs in two class folders."""
    rng = np.random.default_rng(seed)
    pool = _noise_pool(rng, (48, 64, 3), 16)
    for label in ("class_0", "class_1"):
        (root / label).mkdir(parents=True, exist_ok=True)
    for index in range(count):
        photo(rng, pool, 64, 48).save(root / f"class_{index % 2}" / f"{index:05d}.jpg", quality=85)


def _epoch(dataset: tf.data.Dataset) -> tuple[int, float, float]:
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    count = 0
    for images, _ in dataset:
        count += int(images.shape[0])
    return count, time.perf_counter() - start_wall, time.process_time() - start_cpu


def throughput(candidates: dict[str, tf.data.Dataset], rounds: int) -> dict[str, dict]:
    """Median images/s and CPU ms per image of each candidate over alternating epochs."""
    for dataset in candidates.values():
        _epoch(dataset)  # warm-up: tracing, page cache
    runs: dict[str, list[tuple[int, float, float]]] = {name: [] for name in candidates}
    for round_index in range(rounds):
        order = list(candidates) if round_index % 2 == 0 else list(reversed(candidates))
        for name in order:
            runs[name].append(_epoch(candidates[name]))
    results = {}
    for name, epochs in runs.items():
        images = epochs[0][0]
        results[name] = {
            "images": images,
            "images_per_s": round(statistics.median(images / wall for _, wall, _ in epochs), 1),
            "cpu_ms_per_image": round(
                statistics.median(1e3 * cpu / images for _, _, cpu in epochs), 3
            ),
            "images_per_s_rounds": [round(images / wall, 1) for _, wall, _ in epochs],
        }
        print(
            f"{name:28s} {results[name]['images_per_s']:7.1f} images/s   "
            f"{results[name]['cpu_ms_per_image']:.3f} CPU ms/image   "
            f"rounds {results[name]['images_per_s_rounds']}"
        )
    return results


def _timed(build) -> tuple[tf.data.Dataset, float]:
    start = time.perf_counter()
    dataset = build()
    return dataset, round(time.perf_counter() - start, 3)


def speed(work: Path, count: int, rounds: int) -> dict:
    plain, scans = work / "photos", work / "scans"
    start = time.perf_counter()
    write_photos(plain, count, scans=False)
    write_photos(scans, count, scans=True)
    print(f"wrote {2 * count} photos in {time.perf_counter() - start:.0f} s")
    keras_data, keras_build = _timed(
        lambda: keras.utils.image_dataset_from_directory(
            plain, image_size=SIZE, batch_size=BATCH, seed=0, verbose=False
        )
    )
    ours, ours_build = _timed(
        lambda: data.from_directory(plain, image_size=SIZE, batch_size=BATCH, seed=0)
    )
    mixed, mixed_build = _timed(
        lambda: data.from_directory(scans, image_size=SIZE, batch_size=BATCH, seed=0)
    )
    results = throughput(
        {
            "keras (plain JPEG)": keras_data,
            "finvision (plain JPEG)": ours,
            "finvision (EXIF + TIFF mix)": mixed,
        },
        rounds,
    )
    base = results["keras (plain JPEG)"]

    def ratios(name: str) -> dict:
        paired = [
            ours / theirs
            for ours, theirs in zip(
                results[name]["images_per_s_rounds"], base["images_per_s_rounds"], strict=True
            )
        ]
        return {
            "images_per_s_ratio": round(results[name]["images_per_s"] / base["images_per_s"], 3),
            "paired_round_ratio_median": round(statistics.median(paired), 3),
            "best_round_ratio": round(
                max(results[name]["images_per_s_rounds"]) / max(base["images_per_s_rounds"]), 3
            ),
            "cpu_per_image_ratio": round(
                results[name]["cpu_ms_per_image"] / base["cpu_ms_per_image"], 3
            ),
        }

    report = {
        "photos": f"{count} JPEG, 640 x 480, quality 90, 2 classes",
        "output": f"{SIZE[0]} x {SIZE[1]} RGB float32, batch {BATCH}, shuffled",
        "rounds": rounds,
        "build_s": {"keras": keras_build, "finvision": ours_build, "finvision_mix": mixed_build},
        "loaders": results,
        "plain_vs_keras": ratios("finvision (plain JPEG)"),
        "mix_vs_keras": ratios("finvision (EXIF + TIFF mix)"),
        "mix": "every 10th file an LZW TIFF; other multiples of 4: JPEG with EXIF orientation 6",
    }
    for key in ("plain_vs_keras", "mix_vs_keras"):
        print(f"{key}: {report[key]}")
    return report


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's ``VmHWM`` starts afresh at ``exec``; ``ru_maxrss`` would carry over
    the parent's peak, so it is only the fallback elsewhere.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(folder: str, loader: str) -> None:
    """Runs in a child process: prints peak RSS (MiB) after imports and after one epoch."""
    after_import = peak_rss_mib()
    if loader == "keras":
        dataset = keras.utils.image_dataset_from_directory(
            folder, image_size=(32, 32), batch_size=64, seed=0, verbose=False
        )
    else:
        dataset = data.from_directory(folder, image_size=(32, 32), batch_size=64, seed=0)
    count, _, _ = _epoch(dataset)
    peak = peak_rss_mib()
    print(json.dumps({"images": count, "after_import_mib": after_import, "peak_mib": peak}))


def memory(work: Path, counts: tuple[int, ...]) -> dict:
    results: dict[str, dict] = {"finvision": {}, "keras": {}}
    for count in counts:
        folder = work / f"small_{count}"
        write_small(folder, count)
        for loader in results:
            child = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(folder), loader],
                capture_output=True,
                text=True,
                check=True,
            )
            measured = json.loads(child.stdout.strip().splitlines()[-1])
            results[loader][str(count)] = {k: round(v, 1) for k, v in measured.items()}
            print(f"memory {loader:10s} {count:6d} files: {results[loader][str(count)]}")
    return {"files": "64 x 48 JPEG to 32 x 32, batch 64, one epoch", "peak_rss": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--memory-counts", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--memory-child", nargs=2, metavar=("FOLDER", "LOADER"))
    arguments = parser.parse_args()
    if arguments.memory_child:
        memory_child(*arguments.memory_child)
        return
    with tempfile.TemporaryDirectory(prefix="finvision_loading_") as work:
        report = {
            **environment("loading"),
            "pillow": Image.__version__,
            "speed": speed(Path(work), arguments.photos, arguments.rounds),
            "memory": memory(Path(work), tuple(arguments.memory_counts)),
        }
    write_results(report)


if __name__ == "__main__":
    main()
