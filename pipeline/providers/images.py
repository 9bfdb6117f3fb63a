"""The product photo as hosted models take it: re-encoded, bounded in size, base64.

Claude bills an image by its pixels (about w*h/750 tokens) and scales anything over ~1.15 MP
down anyway, and Replicate inputs travel inside the JSON request as a data URI, so the photo is
shrunk to at most `MAX_SIDE` pixels on its long edge before it is sent. PNG keeps transparency
(product cut-outs); everything else goes as JPEG.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from domain.pricing import CLAUDE_IMAGE_SIDE
from pipeline.errors import StageError

MAX_SIDE = CLAUDE_IMAGE_SIDE


@dataclass(frozen=True)
class EncodedImage:
    media_type: str
    data: bytes
    width: int
    height: int

    @property
    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{self.base64}"


def encode_image(path: Path) -> EncodedImage:
    """Blocking (Pillow): call it in a thread."""
    try:
        with Image.open(path) as opened:
            image = opened.copy()
    except (OSError, ValueError) as exc:
        raise StageError(f"the product image could not be read: {exc}") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image.convert("RGBA").save(buffer, format="PNG", optimize=True)
        media_type = "image/png"
    else:
        image.convert("RGB").save(buffer, format="JPEG", quality=90)
        media_type = "image/jpeg"
    return EncodedImage(media_type, buffer.getvalue(), image.width, image.height)
