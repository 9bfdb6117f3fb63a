"""A preflight's verdict, as stored with the compositing stage's output and shown on the job.

Each check is one measurement of the delivered file (or of what it shows and says) against one
limit of one placement; `message` says what is wrong and how to fix it, or what was found. A
failed check never hides the video: the job completes with its ad and its preflight.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.placements import Placement


class PreflightCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # "duration", "frame_size", "loudness", "safe_zone", "numbers_on_screen", ...
    # None: the same for every placement (the brief's numbers); a default, because stage data
    # is stored without its None fields (StageOutput.to_data).
    placement: Placement | None = None
    passed: bool
    measured: str  # what the file has, with units: "30.00 s", "-14.1 LUFS"
    limit: str  # what the placement accepts: "5-60 s", "-14 LUFS +-2 LU"
    message: str


class Preflight(BaseModel):
    model_config = ConfigDict(frozen=True)

    placements: list[Placement]
    checks: list[PreflightCheck]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[PreflightCheck]:
        return [check for check in self.checks if not check.passed]
