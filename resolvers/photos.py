"""Product photos: `productImage` (the first API's one photo) or `productImages` (up to eight).

Both come to the same thing, the photos in the caller's order, so the rest of the system knows
only lists. Each photo is read within MAX_UPLOAD_BYTES and decoded like every image
(resolvers.uploads.check_image), off the event loop: eight large photos decoded in line would
stall every live subscription the process serves. An error names the photo by its position
(["input", "productImages", "3"]); every photo is checked, so one answer lists all the bad ones.
Nothing is stored here: createJob stores the photos once every field is valid.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from db.models import MAX_PRODUCT_IMAGES
from resolvers import uploads
from resolvers.errors import CONFLICT, TOO_LONG, FieldError
from settings import Settings

SINGLE = ("input", "productImage")
MANY = ("input", "productImages")


async def _check_photo(
    settings: Settings, upload: uploads.UploadLike, field: tuple[str, ...]
) -> uploads.CheckedImage | FieldError:
    data = await uploads.read_upload(upload, settings.max_upload_bytes, "image", field)
    if isinstance(data, FieldError):
        return data
    return await asyncio.to_thread(uploads.check_image, data, settings.max_image_pixels, field)


def _named(
    single: uploads.UploadLike | None, many: Sequence[uploads.UploadLike]
) -> list[tuple[uploads.UploadLike, tuple[str, ...]]] | FieldError:
    """Each upload with the field an error about it names, or why the photos are refused."""
    if single is not None and many:
        return FieldError(
            CONFLICT,
            "productImage and productImages were both given; send one or the other "
            "(productImage is a list of one)",
            MANY,
        )
    if single is not None:
        return [(single, SINGLE)]
    if len(many) > MAX_PRODUCT_IMAGES:
        return FieldError(
            TOO_LONG,
            f"productImages has {len(many)} photos; at most {MAX_PRODUCT_IMAGES}",
            MANY,
        )
    return [(upload, (*MANY, str(index))) for index, upload in enumerate(many)]


async def check_photos(
    settings: Settings,
    single: uploads.UploadLike | None,
    many: Sequence[uploads.UploadLike] | None,
) -> tuple[list[uploads.CheckedImage], list[FieldError]]:
    """The photos in order, or the field errors of every one that is refused."""
    named = _named(single, many or ())
    if isinstance(named, FieldError):
        return [], [named]
    photos: list[uploads.CheckedImage] = []
    errors: list[FieldError] = []
    for upload, field in named:
        checked = await _check_photo(settings, upload, field)
        if isinstance(checked, FieldError):
            errors.append(checked)
        else:
            photos.append(checked)
    return photos, errors
