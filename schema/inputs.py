"""Input types."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from domain.enums import AspectRatio as AspectRatioValue
from schema.enums import AdStyle, AspectRatio


@strawberry.input
class CreateJobInput:
    product_name: str = strawberry.field(description="1-120 characters after trimming.")
    style: AdStyle
    cta_text: str = strawberry.field(description="1-60 characters after trimming.")
    product_image: Upload | None = strawberry.field(
        default=None,
        description="PNG, JPEG or WebP, per the GraphQL multipart request spec.",
    )
    aspect_ratio: AspectRatio | None = AspectRatioValue.PORTRAIT
