"""Reading a decoded frame back as a viewer would: PP-OCR (rapidocr 3.10), whose ONNX models ship
inside rapidocr's own wheel. The models are named by path, so rapidocr never looks for them
elsewhere; and its downloader is replaced by one that fails, so that a rapidocr which would fetch
a model at run time (an upgrade that drops them from the wheel) fails here, clearly, instead of
reaching for the network."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


class ModelDownloadAttempted(RuntimeError):
    pass


@cache
def _engine() -> Any:
    import rapidocr
    from rapidocr import RapidOCR
    from rapidocr.utils import download_file

    def refuse(*_: object, **__: object) -> None:
        raise ModelDownloadAttempted(
            "rapidocr tried to download a model: the tests use only those its wheel ships"
        )

    download_file.DownloadFile.run = refuse  # type: ignore[method-assign]  # the one door to the network
    folder = Path(rapidocr.__file__).parent / "models"
    missing = [name for name in MODELS.values() if not (folder / name).is_file()]
    if missing:
        raise ModelDownloadAttempted(f"rapidocr's wheel no longer ships {missing} in {folder}")
    params: dict[str, object] = {"Global.log_level": "error", "Global.use_cls": False}
    params |= {key: str(folder / name) for key, name in MODELS.items()}
    return RapidOCR(params=params)


def read(frame: np.ndarray) -> list[str]:
    """The lines of text PP-OCR finds in an RGB frame, top to bottom."""
    result = _engine()(np.ascontiguousarray(frame[..., ::-1]))
    if result.txts is None:
        return []
    boxes = result.boxes
    order = sorted(range(len(result.txts)), key=lambda k: float(boxes[k][:, 1].min()))
    return [str(result.txts[k]) for k in order]


def boxes(frame: np.ndarray) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each line PP-OCR finds with its box (left, top, right, bottom) in the frame."""
    result = _engine()(np.ascontiguousarray(frame[..., ::-1]))
    if result.txts is None:
        return []
    out = []
    for text, quad in zip(result.txts, result.boxes, strict=True):
        xs, ys = quad[:, 0], quad[:, 1]
        out.append((str(text), (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))))
    return out


def words(text: str) -> list[str]:
    """Casefolded words, punctuation and currency signs dropped ("$24.00" -> "24", "00")."""
    return re.findall(r"[^\W_]+", text.casefold())
