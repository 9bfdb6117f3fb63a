"""Money: prices per unit of hosted work, and USD kept exact with Decimal.

A call's cost is exact; a stage's cost is the sum of its calls rounded once to the micro-dollar
(the database keeps six decimals), and a job's cost is the exact sum of its stages' costs.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

MICRO = Decimal("0.000001")
MILLION = Decimal(1_000_000)


def to_micro(amount: Decimal) -> Decimal:
    """USD rounded to the database's six decimals."""
    return amount.quantize(MICRO, rounding=ROUND_HALF_UP)


class Prices(BaseModel):
    """Prices in USD, used for every recorded cost and for estimateCost (settings PRICE_*)."""

    model_config = ConfigDict(frozen=True)

    claude_input_per_mtok: Decimal = Field(default=Decimal("3.00"), ge=0)
    claude_output_per_mtok: Decimal = Field(default=Decimal("15.00"), ge=0)
    tts_per_mchar: Decimal = Field(default=Decimal("15.00"), ge=0)
    video_per_second: Decimal = Field(default=Decimal("0.0014"), ge=0)

    def claude(self, input_tokens: int, output_tokens: int) -> Decimal:
        return (
            Decimal(input_tokens) * self.claude_input_per_mtok
            + Decimal(output_tokens) * self.claude_output_per_mtok
        ) / MILLION

    def tts(self, characters: int) -> Decimal:
        return Decimal(characters) * self.tts_per_mchar / MILLION

    def video(self, predict_seconds: Decimal) -> Decimal:
        return predict_seconds * self.video_per_second


CLAUDE_IMAGE_SIDE = 1092  # Claude's documented size for a 1:1 image at ~1,600 tokens
CLAUDE_MAX_IMAGE_TOKENS = 1600


def image_tokens(width: int, height: int) -> int:
    """Claude's documented estimate of an image's input tokens."""
    return min(CLAUDE_MAX_IMAGE_TOKENS, math.ceil(width * height / 750))
