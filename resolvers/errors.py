"""Expected failures, as data for a payload's `errors`, and the one exception clients may see."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError

from domain.text import INVALID_TEXT


@dataclass(frozen=True, slots=True)
class FieldError:
    code: str
    message: str
    field: tuple[str, ...] | None = None


class PublicError(GraphQLError):
    """An error meant for the client, shown as is. Every other exception is masked."""


NOT_FOUND = "NOT_FOUND"
TOO_LONG = "TOO_LONG"
REQUIRED = "REQUIRED"
TOO_LARGE = "TOO_LARGE"
INVALID_IMAGE = "INVALID_IMAGE"
INVALID_AUDIO = "INVALID_AUDIO"
INVALID_STATE = "INVALID_STATE"
CONFLICT = "CONFLICT"  # two inputs that contradict each other
INVALID_URL = "INVALID_URL"
INVALID_LANGUAGE = "INVALID_LANGUAGE"  # not a BCP 47 tag
UNSUPPORTED_LANGUAGE = "UNSUPPORTED_LANGUAGE"  # well formed, but nothing here writes or says it
UNKNOWN_VOICE = "UNKNOWN_VOICE"
NOT_CONFIGURED = "NOT_CONFIGURED"  # the input needs a setting this deployment lacks
UNREACHABLE = "UNREACHABLE"  # a URL to read that did not answer, or answered with an error
INVALID_FONT = "INVALID_FONT"  # not a TTF/OTF font FreeType can draw
MISSING_GLYPHS = "MISSING_GLYPHS"  # a font without letters of the ad's language
INVALID_COLOR = "INVALID_COLOR"  # not #rrggbb
NO_PRODUCT = "NO_PRODUCT"  # a URL to read whose page shows no product (or is no page at all)

__all__ = [
    "CONFLICT",
    "INVALID_AUDIO",
    "INVALID_IMAGE",
    "INVALID_STATE",
    "INVALID_TEXT",
    "NOT_FOUND",
    "REQUIRED",
    "TOO_LARGE",
    "TOO_LONG",
    "FieldError",
    "PublicError",
]
