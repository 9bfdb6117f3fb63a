"""What every framing of a shot is: a frozen record of how one shot frames the product, that
draws its own still. One module per kind beside this one; the registry is framings/__init__.py."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pipeline.video.plan import ShotKind
from pipeline.video.shots import Canvas, Drawn

__all__ = ["Framing", "ShotKind"]


class Framing(BaseModel):
    """One shot's framing: which photo (None: the look's hero, when there is no photo) and which
    variant of the framing (light, direction, side)."""

    model_config = ConfigDict(frozen=True)

    photo: int | None
    variant: int
    photos_shown: int = 1  # how far the shots' walk through the photos moves on after it

    def draw(self, canvas: Canvas) -> Drawn:
        raise NotImplementedError
