"""GraphQL enums: the domain's StrEnums, exposed by member name (LUXURY, PENDING, ...).

`strawberry.enum` registers a GraphQL definition on the class itself and returns it, so the
schema uses the domain enums directly and resolvers never convert values.
"""

from __future__ import annotations

import strawberry

from domain.enums import (
    AdDuration,
    AspectRatio,
    JobStatus,
    MusicChoice,
    StageName,
    StageStatus,
    Style,
    VariantAxis,
)

AdStyle = Style
strawberry.enum(Style, name="AdStyle")
strawberry.enum(
    AspectRatio,
    name="AspectRatio",
    description="PORTRAIT 1080x1920, SQUARE 1080x1080, LANDSCAPE 1920x1080",
)
strawberry.enum(JobStatus, name="JobStatus")
strawberry.enum(StageName, name="StageName")
strawberry.enum(StageStatus, name="StageStatus")
strawberry.enum(
    MusicChoice,
    name="MusicChoice",
    description="AUTO: a bed matched to the style (or your musicTrack); NONE: no music",
)
strawberry.enum(
    AdDuration,
    name="AdDuration",
    description="How long the ad is. AUTO: as long as the brief needs, never padded: 15 s for "
    "a name and a call-to-action, growing in 5 s steps to 30 s with a description and key "
    "benefits. SECONDS_15 and SECONDS_30 force the length.",
)

strawberry.enum(
    VariantAxis,
    name="VariantAxis",
    description="What a variant changes: HOOK (the opening line), CTA (the call-to-action), "
    "STYLE (another style), VOICE (another voice for the language), MUSIC (another bed)",
)

__all__ = [
    "AdDuration",
    "AdStyle",
    "AspectRatio",
    "JobStatus",
    "MusicChoice",
    "StageName",
    "StageStatus",
    "VariantAxis",
]
