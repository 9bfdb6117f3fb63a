"""Brand kits' types and input (issue #33): the kit, the snapshot a job keeps, the payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from db.models import BrandKit as BrandKitRow
from domain.brand import BUNDLED_FONTS, WCAG_AA, BrandSnapshot
from resolvers.context import Context

_Info = Info[Context, None]
_FAMILIES = ", ".join(BUNDLED_FONTS)


@strawberry.type(description="A brand kit: its ads take its colours, fonts and logo.")
class BrandKit:
    row: strawberry.Private[BrandKitRow]
    id: strawberry.ID
    name: str
    primary_color: str = strawberry.field(description='"#rrggbb": the backdrop\'s colour.')
    accent_color: str = strawberry.field(description="Graphics, the button's ring, the price.")
    text_color: str = strawberry.field(description="The headline's (made readable per ad).")
    heading_font: str | None = strawberry.field(
        description="The headline's and the end card's name's family; null: the style's."
    )
    body_font: str | None = strawberry.field(
        description="The captions' and the call-to-action's family; null: the style's."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: BrandKitRow) -> BrandKit:
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            name=row.name,
            primary_color=row.primary_colour,
            accent_color=row.accent_colour,
            text_color=row.text_colour,
            heading_font=row.heading_family,
            body_font=row.body_family,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="The logo (an SVG as its PNG rendering): a signed URL.")
    def logo_url(self, info: _Info) -> str | None:
        return info.context.media.url(self.row.logo_path)


@strawberry.type(description="The brand kit a job was made with, as it was then.")
class JobBrand:
    data: strawberry.Private[BrandSnapshot]
    kit_id: strawberry.ID = strawberry.field(description="The kit (it may since have changed).")
    name: str
    primary_color: str
    accent_color: str
    text_color: str = strawberry.field(description="The kit's text colour.")
    text_color_used: str = strawberry.field(
        description=f"What the ad sets its text in: the kit's, moved toward white or black "
        f"until it has at least {WCAG_AA}:1 contrast with what is behind it."
    )
    text_color_adjusted: bool = strawberry.field(
        description="Whether textColorUsed differs from the kit's textColor."
    )
    text_contrast: float = strawberry.field(
        description="textColorUsed's contrast ratio with what is behind it (its worst)."
    )
    heading_font: str | None
    body_font: str | None

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> JobBrand:
        data = BrandSnapshot.from_json(value)
        return cls(
            data=data,
            kit_id=strawberry.ID(data.kit_id),
            name=data.name,
            primary_color=data.primary,
            accent_color=data.accent,
            text_color=data.text,
            text_color_used=data.text_used,
            text_color_adjusted=data.text_adjusted,
            text_contrast=data.text_contrast,
            heading_font=data.heading.family if data.heading else None,
            body_font=data.body.family if data.body else None,
        )

    @strawberry.field(description="The job's own copy of the logo: a signed URL.")
    def logo_url(self, info: _Info) -> str | None:
        return info.context.media.url(self.data.logo)


@strawberry.input(
    description="createBrandKit's (name and colours required) and updateBrandKit's (anything "
    "left out stays as it is) input. Files per the multipart spec."
)
class BrandKitInput:
    name: str | None = strawberry.field(default=None, description="1-80 characters.")
    primary_color: str | None = strawberry.field(default=None, description='"#rrggbb".')
    accent_color: str | None = strawberry.field(default=None, description='"#rrggbb".')
    text_color: str | None = strawberry.field(default=None, description='"#rrggbb".')
    logo: Upload | None = strawberry.field(
        default=None,
        description="PNG, WebP or SVG (rasterised here), transparency kept; one frame, at most "
        "2 MB and 2048x2048 pixels.",
    )
    heading_font: str | None = strawberry.field(
        default=None, description=f"A bundled family: {_FAMILIES}."
    )
    heading_font_file: Upload | None = strawberry.field(
        default=None, description="Your own TTF or OTF (at most 8 MB) instead."
    )
    body_font: str | None = strawberry.field(
        default=None, description=f"A bundled family: {_FAMILIES}."
    )
    body_font_file: Upload | None = strawberry.field(
        default=None, description="Your own TTF or OTF (at most 8 MB) instead."
    )
    languages: list[str] = strawberry.field(
        default_factory=lambda: ["en"],
        description="The languages its ads are in: an uploaded font must have all their letters.",
    )
