"""Brand kits' payloads: the kit or the id, and the field errors."""

from __future__ import annotations

import strawberry

from schema.brand import BrandKit
from schema.types import UserError


@strawberry.type
class BrandKitPayload:
    brand_kit: BrandKit | None
    errors: list[UserError]


@strawberry.type
class DeleteBrandKitPayload:
    id: strawberry.ID | None = strawberry.field(description="The deleted kit's id.")
    errors: list[UserError]
