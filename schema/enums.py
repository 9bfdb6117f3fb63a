"""GraphQL enums, the domain's StrEnums exposed by member name (LUXURY, PENDING, ...)."""

from __future__ import annotations

import strawberry

from db.models import JobStatus as _JobStatus
from db.models import StageStatus as _StageStatus
from pipeline.templates import AspectRatio as _AspectRatio
from pipeline.templates import StageName as _StageName
from pipeline.templates import Style as _Style

AdStyle = strawberry.enum(_Style, name="AdStyle")
AspectRatio = strawberry.enum(
    _AspectRatio, name="AspectRatio", description="PORTRAIT 1080x1920, SQUARE 1080x1080, "
    "LANDSCAPE 1920x1080"
)
JobStatus = strawberry.enum(_JobStatus, name="JobStatus")
StageName = strawberry.enum(_StageName, name="StageName")
StageStatus = strawberry.enum(_StageStatus, name="StageStatus")
