"""The preflight of a job's ad as GraphQL types, wrapping the stored verdict (domain.preflight).

`Job.preflight` reads it from the compositing stage's output through the per-request stages
loader, like `Job.script` does: no SQL of its own.
"""

from __future__ import annotations

import strawberry

from domain.placements import PLACEMENTS
from domain.placements import Placement as PlacementValue
from domain.preflight import Preflight as PreflightData
from domain.preflight import PreflightCheck as PreflightCheckData

Placement = PlacementValue
strawberry.enum(
    PlacementValue,
    name="Placement",
    description="Where an ad is posted: TIKTOK, REELS (Instagram/Facebook), SHORTS (YouTube), "
    "STORIES (Instagram/Facebook), FEED_4_5 (1080x1350), FEED_SQUARE (1080x1080), YOUTUBE "
    "(in-stream, 16:9). A job's ad is checked for its aspect ratio's: PORTRAIT for TIKTOK, REELS "
    "and SHORTS; SQUARE for FEED_SQUARE; LANDSCAPE for YOUTUBE.",
)


@strawberry.type(description="One limit of one placement, against what the file measures.")
class PreflightCheck:
    data: strawberry.Private[PreflightCheckData]

    @strawberry.field(
        description="duration, frame_size, frame_rate, codecs, bitrate, file_size, loudness, "
        "true_peak, safe_zone (per placement); numbers_on_screen, numbers_said (the brief's)."
    )
    def name(self) -> str:
        return self.data.name

    @strawberry.field(description="Whose limit this is; null for the brief's checks.")
    def placement(self) -> Placement | None:
        return self.data.placement

    @strawberry.field
    def passed(self) -> bool:
        return self.data.passed

    @strawberry.field(description='What the file has, with units: "30.00 s", "-14.1 LUFS".')
    def measured(self) -> str:
        return self.data.measured

    @strawberry.field(description='What the placement accepts: "5 s to 60 s".')
    def limit(self) -> str:
        return self.data.limit

    @strawberry.field(description="What is wrong and how to fix it, or what was found.")
    def message(self) -> str:
        return self.data.message


@strawberry.type(
    description="The finished file measured against its placements' limits, its text against "
    "their safe zones, and every number it shows or says traced to the brief. A failed check "
    "never hides the video."
)
class Preflight:
    data: strawberry.Private[PreflightData]

    @classmethod
    def from_data(cls, data: PreflightData) -> Preflight:
        return cls(data=data)

    @strawberry.field(description="Every check passed.")
    def passed(self) -> bool:
        return self.data.passed

    @strawberry.field(description="The placements the ad was checked for.")
    def placements(self) -> list[Placement]:
        return list(self.data.placements)

    @strawberry.field(description="The placements' names as people know them, in order.")
    def placement_labels(self) -> list[str]:
        return [PLACEMENTS[p].label for p in self.data.placements]

    @strawberry.field(description="Per placement, then the brief's; failed or not.")
    def checks(self, failed_only: bool = False) -> list[PreflightCheck]:
        chosen = self.data.failed if failed_only else self.data.checks
        return [PreflightCheck(data=check) for check in chosen]
