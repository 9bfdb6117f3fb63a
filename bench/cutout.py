"""Cut-out benchmark: time and peak memory of `cut_out` against a plain full-resolution GrabCut.

    .venv/bin/python -m bench.cutout [--runs 3] [--skip-baseline-above 3]

The photos are the tests' synthetic scenes (tests/pipeline/video/test_cutout.py) at 1200x1600,
plus one product shot scaled to 24 and 40 megapixels. Each is written to a file first and every
measurement runs in a fresh child process that decodes it, as the worker would, so the peak RSS
(VmHWM) is that run's own: interpreter, OpenCV, the decoded photo and the cut ("after load" is
the part before the cut). Times are the median of --runs calls in the child; nothing is cached.

The baseline is what one would write first: cv2.grabCut on the whole photo at full resolution,
initialised with a rectangle 5 % inside the frame, 3 iterations. Its time grows with the pixel
count and with how ambiguous the photo is, so it is skipped above --skip-baseline-above
megapixels.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Scene = tuple[Image.Image, NDArray[np.bool_]]


def _scenes() -> dict[str, Callable[[], Scene]]:
    from tests.pipeline.video import test_cutout as synth

    return {
        "white studio": synth.white_studio,
        "gradient + cast shadow": synth.gradient_with_cast_shadow,
        "grey + drop shadow": synth.grey_with_drop_shadow,
        "cropped by the bottom": synth.cropped_by_the_bottom,
        "busy table": synth.busy_table,
        "transparent PNG": synth.transparent_png,
    }


def _write(directory: Path, name: str, photo: Image.Image, truth: NDArray[np.bool_]) -> Path:
    stem = "".join(c if c.isalnum() else "_" for c in name)
    path = directory / f"{stem}.{'png' if photo.mode == 'RGBA' else 'jpg'}"  # keep the alpha
    photo.save(path, quality=95)
    Image.fromarray(truth).save(path.with_suffix(".truth.png"))
    return path


def _photos(directory: Path) -> list[tuple[str, Path]]:
    photos = []
    for name, scene in _scenes().items():
        photo, truth = scene()
        size = (1200, 1600)
        photo = photo.resize(size, Image.Resampling.BICUBIC)
        truth = np.asarray(Image.fromarray(truth).resize(size)).astype(bool)
        photos.append((name, _write(directory, name, photo, truth)))
    photo, truth = _scenes()["white studio"]()
    for megapixels, size in ((24, (4000, 6000)), (40, (5200, 7700))):
        big = photo.resize(size, Image.Resampling.BICUBIC)
        big_truth = np.asarray(Image.fromarray(truth).resize(size)).astype(bool)
        name = f"white studio {megapixels} MP"
        photos.append((name, _write(directory, name, big, big_truth)))
    return photos


def _baseline(photo: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    bgr = np.ascontiguousarray(np.asarray(photo.convert("RGB"))[..., ::-1])
    h, w = bgr.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    rect = (int(0.05 * w), int(0.05 * h), int(0.9 * w), int(0.9 * h))
    models = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(bgr, mask, rect, *models, 3, cv2.GC_INIT_WITH_RECT)
    alpha = np.where((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD), 255, 0).astype(np.uint8)
    rgba = Image.fromarray(np.dstack([bgr[..., ::-1], alpha]))
    bbox = rgba.getbbox() or (0, 0, w, h)
    return rgba.crop(bbox), bbox


def _peak_rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries the parent's high-water mark across
    fork and exec, and the parent has just held the 40 MP photos."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run(photo: Image.Image, method: str) -> tuple[Image.Image, tuple[int, int, int, int], str]:
    from pipeline.video.cutout import cut_out

    if method == "cut_out":
        result = cut_out(photo)
        return result.image, result.bbox, f"{result.source} {result.confidence:.2f}"
    return (*_baseline(photo), "-")


def _child(path: Path, method: str, runs: int) -> None:
    with Image.open(path) as opened:
        photo = opened.copy()
    loaded = _peak_rss_mb()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        image, bbox, label = _run(photo, method)
        seconds.append(time.perf_counter() - start)
        alpha = np.asarray(image.getchannel("A")) > 127
        del image  # the previous run's output is not part of the next run's peak
    peak = _peak_rss_mb()
    truth = np.asarray(Image.open(path.with_suffix(".truth.png"))).astype(bool)
    cut = np.zeros(truth.shape, bool)
    cut[bbox[1] : bbox[3], bbox[0] : bbox[2]] = alpha
    iou = float((cut & truth).sum() / max(1, (cut | truth).sum()))
    row = {"seconds": statistics.median(seconds), "loaded_mb": loaded, "peak_mb": peak}
    print(json.dumps(row | {"iou": iou, "result": label}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-baseline-above", type=float, default=3.0, metavar="MP")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), args.child[1], args.runs)
        return
    columns = ("photo", "method", "result", "IoU", "time s", "peak RSS MB", "after load")
    line = "{:28} {:9} {:15} {:>6} {:>7} {:>11} {:>10}"
    print(line.format(*columns))
    with tempfile.TemporaryDirectory() as directory:
        for name, path in _photos(Path(directory)):
            with Image.open(path) as opened:
                megapixels = opened.width * opened.height / 1e6
            for method in ("cut_out", "baseline"):
                if method == "baseline" and megapixels > args.skip_baseline_above:
                    print(line.format(name, method, "(skipped)", "", "", "", ""))
                    continue
                command = [sys.executable, "-m", "bench.cutout", "--runs", str(args.runs)]
                command += ["--child", str(path), method]
                out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
                row = json.loads(out.strip().splitlines()[-1])
                print(
                    line.format(
                        name,
                        method,
                        row["result"],
                        f"{row['iou']:.3f}",
                        f"{row['seconds']:.2f}",
                        f"{row['peak_mb']:.0f}",
                        f"{row['loaded_mb']:.0f}",
                    )
                )


if __name__ == "__main__":
    main()
