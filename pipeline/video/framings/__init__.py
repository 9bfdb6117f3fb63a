"""The framings a shot can have: one frozen model per kind, each drawing its own still, in a
union discriminated on `kind`. Adding a framing is a module beside these and a line below.

A moving scene cycles through its look's framings, in order, never the same twice in a row;
scene 1 opens on the whole product.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, get_args

from pydantic import Field

from pipeline.video.framings.base import Framing, ShotKind
from pipeline.video.framings.card import Card
from pipeline.video.framings.detail import Detail
from pipeline.video.framings.pair import Pair
from pipeline.video.framings.pan import Pan
from pipeline.video.framings.type_shot import TypeShot
from pipeline.video.framings.whole import Whole
from pipeline.video.plan import LookKind

AnyFraming = Annotated[Whole | Detail | Pan | Card | Pair | TypeShot, Field(discriminator="kind")]
# Each framing by its kind, read from the union above (one line per framing, there).
REGISTRY: dict[ShotKind, type[Framing]] = {
    kind.model_fields["kind"].default: kind for kind in get_args(get_args(AnyFraming)[0])
}

# The order a moving scene's shots take each look's framings in.
ORDER: dict[LookKind, tuple[ShotKind, ...]] = {
    LookKind.CUTOUT: (ShotKind.WHOLE, ShotKind.DETAIL, ShotKind.PAN, ShotKind.CARD,
                      ShotKind.PAIR, ShotKind.TYPE),
    LookKind.PHOTO: (ShotKind.WHOLE, ShotKind.DETAIL, ShotKind.PAN, ShotKind.CARD,
                     ShotKind.PAIR, ShotKind.TYPE),
    # No photo: the name is the product.
    LookKind.TYPE: (ShotKind.WHOLE, ShotKind.TYPE, ShotKind.CARD, ShotKind.PAN),
}  # fmt: skip


def framing(kind: ShotKind, photo: int | None, variant: int) -> Framing:
    """The framing of `kind` for one shot (validated: a close-up or a pair needs a photo)."""
    return REGISTRY[kind].model_validate({"photo": photo, "variant": variant})


def sequence(look: LookKind, counts: Sequence[int]) -> list[list[ShotKind]]:
    """The framing of every shot of the moving scenes (`counts` shots each)."""
    kinds = ORDER[look]
    out: list[list[ShotKind]] = []
    at = 0
    for count in counts:
        out.append([kinds[(at + k) % len(kinds)] for k in range(count)])
        at += count
    return out


__all__ = ["AnyFraming", "Framing", "ShotKind", "framing", "sequence"]
