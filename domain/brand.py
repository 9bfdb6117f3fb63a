"""Brand kits: what a kit holds, the snapshot a job keeps of it, and the text colour decided once.

A kit (createBrandKit) is a name, a logo, three colours (primary, accent, text) and two fonts
(heading, body), each either a family we ship or a file the owner uploaded. A job made with a kit
keeps a *snapshot* (`BrandSnapshot`, JSON on the job row): the kit's values and the media keys of
copies of its files, so editing or deleting the kit never changes an ad already made.

The text colour is decided here, when the job is made, and stored with the snapshot: moved
toward white or black until it reaches READABLE (WCAG's 4.5:1, with a margin for the video's
chroma subsampling) against the primary colour and the shades the backdrop draws from it. The
job says what it used and whether it had to change the kit's colour; the renderer only reads it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from domain.colour import contrast, luminance

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WCAG_AA = 4.5  # what the job promises
READABLE = 5.0  # what the adjustment aims for: compression softens small type's edges
# The backdrop is a gradient from the primary colour toward black and white (pipeline.video.
# artwork.background): text is checked against both of its ends, as these shares of the way.
BACKDROP_DARKER = (0.35, 0.08)  # toward black: (a dark primary, a light one)
BACKDROP_LIGHTER = (0.10, 0.5)  # toward white

# The families we ship (rendercv-fonts), by name: (heading file, body file) in the package.
BUNDLED_FONTS: dict[str, tuple[str, str]] = {
    name: (f"{folder}/{stem}-Bold.ttf", f"{folder}/{stem}-Regular.ttf")
    for name, folder, stem in (
        ("EB Garamond", "EB Garamond", "EBGaramond"),
        ("Lato", "Lato", "Lato"),
        ("Noto Sans", "Noto Sans", "NotoSans"),
        ("Open Sans", "Open Sans", "OpenSans"),
        ("Poppins", "Poppins", "Poppins"),
        ("Raleway", "Raleway", "Raleway"),
        ("Roboto", "Roboto", "Roboto"),
        ("Source Sans 3", "Source Sans 3", "SourceSans3"),
        ("Ubuntu", "Ubuntu", "Ubuntu"),
    )
}

# The letters each language's ads are written in: an uploaded font must map every one. A
# language not listed is checked for the basic Latin letters only (the fallback faces draw the
# rest: Noto Sans, and Noto CJK).
_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
LETTERS: dict[str, str] = {
    "en": _LATIN,
    "es": _LATIN + "ÁÉÍÑÓÚÜáéíñóúü¡¿",
    "fr": _LATIN + "ÀÂÆÇÈÉÊËÎÏÔŒÙÛÜŸàâæçèéêëîïôœùûüÿ",
    "de": _LATIN + "ÄÖÜäöüß",
    "pt": _LATIN + "ÀÁÂÃÇÉÊÍÓÔÕÚàáâãçéêíóôõú",
    "it": _LATIN + "ÀÈÉÌÒÙàèéìòù",
    "nl": _LATIN + "ËÏéëï",
    "pl": _LATIN + "ĄĆĘŁŃÓŚŹŻąćęłńóśźż",
    "ru": "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}


def letters_of(language: str) -> str:
    return LETTERS.get(language.split("-", 1)[0].lower(), _LATIN)


def normal_hex(colour: str) -> str | None:
    """'#RRGGBB' in lower case, or None when `colour` is not one."""
    colour = colour.strip()
    return colour.lower() if HEX.match(colour) else None


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(v) for v in rgb))


def mix(a: str, b: str, amount: float) -> str:
    ca, cb = _rgb(a), _rgb(b)
    return _hex(tuple(x + (y - x) * amount for x, y in zip(ca, cb, strict=True)))  # type: ignore[arg-type]


def behind_text(primary: str) -> tuple[str, ...]:
    """The colours text stands on: the primary and the two ends of the backdrop's gradient."""
    light = luminance(primary) > 0.4
    return (
        primary,
        mix(primary, "#000000", BACKDROP_DARKER[light]),
        mix(primary, "#ffffff", BACKDROP_LIGHTER[light]),
    )


def worst_contrast(text: str, behind: tuple[str, ...]) -> float:
    return min(contrast(text, colour) for colour in behind)


def readable_text(text: str, primary: str) -> tuple[str, float]:
    """`text` if it reads on everything behind it (READABLE), else `text` moved the fewest
    steps toward white or black that makes it read (its hue kept as far as it can be); when
    neither way gets there, white or black, whichever reads better. With its worst contrast.
    A mid-tone primary whose gradient no colour reads on end to end is judged on the primary
    alone (the backdrop's middle, where the headline mostly stands)."""
    behind = behind_text(primary)
    if not any(worst_contrast(c, behind) >= READABLE for c in ("#ffffff", "#000000")):
        behind = (primary,)
    if worst_contrast(text, behind) >= READABLE:
        return text, worst_contrast(text, behind)
    found: list[tuple[int, str]] = []
    for target in ("#ffffff", "#000000"):
        for step in range(1, 21):
            moved = mix(text, target, step / 20)
            if worst_contrast(moved, behind) >= READABLE:
                found.append((step, moved))
                break
    if found:
        best = min(found)[1]
    else:
        best = max(("#ffffff", "#000000"), key=lambda c: worst_contrast(c, behind))
    return best, worst_contrast(best, behind)


@dataclass(frozen=True, slots=True)
class BrandFont:
    """A bundled family (`key` None) or an uploaded file (its media key and its family name)."""

    family: str
    key: str | None = None


@dataclass(frozen=True, slots=True)
class BrandSnapshot:
    """A kit as a job keeps it. `text` is the kit's text colour; `text_used` what the ad sets
    its text in (`readable_text`), `text_contrast` the worst contrast that reaches."""

    kit_id: str
    name: str
    primary: str
    accent: str
    text: str
    text_used: str
    text_contrast: float
    logo: str | None = None
    heading: BrandFont | None = None
    body: BrandFont | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text_adjusted(self) -> bool:
        return self.text_used != self.text

    @property
    def keys(self) -> list[str]:
        """The media keys of its files (the worker brings them in)."""
        fonts = (self.heading, self.body)
        return [k for k in (self.logo, *(f.key for f in fonts if f)) if k]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BrandSnapshot:
        def font(name: str) -> BrandFont | None:
            return BrandFont(**data[name]) if data.get(name) else None

        plain = {k: v for k, v in data.items() if k not in ("heading", "body")}
        return cls(**plain, heading=font("heading"), body=font("body"))
