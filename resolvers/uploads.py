"""Product images: decoded before they are trusted, stored under a name the server chooses.

The filename and content type a client sends are never used: the bytes are decoded with Pillow,
and only PNG, JPEG and WebP whose pixel count is within MAX_IMAGE_PIXELS are kept. The size is
checked from the header before any pixel is decoded, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Protocol

from domain.media import UPLOADS_DIR
from resolvers.errors import INVALID_IMAGE, REQUIRED, TOO_LARGE, FieldError
from storage import MediaStore

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
CHUNK = 1 << 16


class UploadLike(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True, slots=True)
class CheckedImage:
    data: bytes
    extension: str
    width: int
    height: int


async def read_limited(upload: UploadLike, max_bytes: int) -> bytes | None:
    """The upload's bytes, or None once it goes past max_bytes (the rest is not read)."""
    buffer = bytearray()
    while chunk := await upload.read(CHUNK):
        buffer.extend(chunk)
        if len(buffer) > max_bytes:
            return None
    return bytes(buffer)


async def read_upload(
    upload: UploadLike, limit: int, what: str, field: tuple[str, ...]
) -> bytes | FieldError:
    """The upload's bytes, or why not: over `limit` (read no further) or empty."""
    data = await read_limited(upload, limit)
    if data is None:
        return FieldError(TOO_LARGE, f"{what} is larger than {limit} bytes", field)
    if not data:
        return FieldError(REQUIRED, f"{what} file is empty", field)
    return data


def check_image(
    data: bytes,
    max_pixels: int,
    field: tuple[str, ...],
    *,
    what: str = "image",
    formats: dict[str, str] = FORMATS,
    named: str = "PNG, JPEG or WebP",
    still: bool = False,
) -> CheckedImage | FieldError:
    """The image checked whole (its format one of `formats`, at most `max_pixels`, every pixel
    decoded, and with `still` a single frame), or why it is refused; `what` and `named` word
    the errors ("logo", "PNG, WebP or SVG")."""
    # Imported on the first upload rather than at start-up: most API processes of a fleet serve
    # queries and subscriptions, and never need an image decoder in memory.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if still and (
                    getattr(image, "n_frames", 1) > 1 or getattr(image, "is_animated", False)
                ):
                    return FieldError(
                        INVALID_IMAGE, f"{what} is animated; send a still {named}", field
                    )
                if image.format not in formats:
                    return FieldError(
                        INVALID_IMAGE,
                        f"{what} must be {named} (got {image.format or 'unknown'})",
                        field,
                    )
                width, height = image.size
                if width * height > max_pixels:
                    return FieldError(
                        TOO_LARGE,
                        f"{what} is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
                        f"at most {max_pixels / 1e6:.0f} megapixels",
                        field,
                    )
                image.load()  # decode every pixel: a truncated or corrupt file fails here
                extension = formats[image.format]
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return FieldError(INVALID_IMAGE, f"file is not a readable {named} image", field)
    except (OSError, SyntaxError, ValueError):
        return FieldError(INVALID_IMAGE, f"{what} data is corrupt or truncated", field)
    return CheckedImage(data=data, extension=extension, width=width, height=height)


async def store_upload(store: MediaStore, data: bytes, extension: str) -> str:
    """Put an upload in the media store (atomically) under a name the server chooses; returns
    its key."""
    key = f"{UPLOADS_DIR}/{uuid.uuid4().hex}.{extension}"
    await store.put_bytes(key, data)
    return key


async def remove_stored(store: MediaStore, key: str) -> None:
    await store.delete(key)
