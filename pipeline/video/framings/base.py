"""What every framing of a shot is: a frozen record of how one shot frames the product, that
draws its own still. One module per kind beside this one; the registry is framings/__init__.py."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from pipeline.video.shots import Canvas, Drawn


class ShotKind(StrEnum):
    WHOLE = "whole"  # the whole product over the backdrop, drifting
    DETAIL = "detail"  # a close-up on one of its most detailed regions
    PAN = "pan"  # the product larger than the frame, the frame panning across it
    CARD = "card"  # the photo as a tilted print, or the cut-out larger, off-centre
    PAIR = "pair"  # two photos, or a photo and its close-up
    TYPE = "type"  # the name set huge in the accent colour, the product in front
    END = "end"  # the end card (pipeline.video.shots.end_card)


class Framing(BaseModel):
    """One shot's framing: which photo (None: the look's hero, when there is no photo) and which
    variant of the framing (light, direction, side)."""

    model_config = ConfigDict(frozen=True)

    photo: int | None
    variant: int
    photos_shown: int = 1  # how far the shots' walk through the photos moves on after it

    def draw(self, canvas: Canvas) -> Drawn:
        raise NotImplementedError
