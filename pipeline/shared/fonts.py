"""The ad's typefaces, from the rendercv-fonts package (OFL fonts; no system font is assumed).

Each style has a headline face and a caption face. Text a style's face cannot draw (Chinese,
Japanese, Korean) falls back to Noto Sans CJK, which the same package ships. Pillow draws the
headlines; libass draws the captions, from a flat folder of the same files (`fonts_dir`).
"""

from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont
from rendercv_fonts import package_folder_path

from domain.enums import Style
from domain.text import is_invisible

FONTS = Path(package_folder_path)


@dataclass(frozen=True)
class Face:
    file: str  # relative to the package
    family: str  # the name libass looks up
    upper: bool = False  # set in capitals (bold style)


@dataclass(frozen=True)
class Typography:
    headline: Face
    caption: Face


TYPOGRAPHY: dict[Style, Typography] = {
    Style.LUXURY: Typography(
        Face("EB Garamond/EBGaramond-Regular.ttf", "EB Garamond"),
        Face("Raleway/Raleway-Bold.ttf", "Raleway"),
    ),
    Style.ENERGETIC: Typography(
        Face("Poppins/Poppins-Bold.ttf", "Poppins"),
        Face("Poppins/Poppins-Bold.ttf", "Poppins"),
    ),
    Style.MINIMAL: Typography(
        Face("Raleway/Raleway-Regular.ttf", "Raleway"),
        Face("Raleway/Raleway-Bold.ttf", "Raleway"),
    ),
    Style.BOLD: Typography(
        Face("Open Sans/OpenSans-Bold.ttf", "Open Sans", upper=True),
        Face("Open Sans/OpenSans-Bold.ttf", "Open Sans"),
    ),
}
# Noto Sans covers Latin, Greek and Cyrillic; the CJK faces cover their scripts.
FALLBACKS = (
    Face("Noto Sans/NotoSans-Bold.ttf", "Noto Sans"),
    Face("Noto Sans/NotoSansSC-Bold.ttf", "Noto Sans SC"),
    Face("Noto Sans/NotoSansJP-Bold.ttf", "Noto Sans JP"),
    Face("Noto Sans/NotoSansKR-Bold.ttf", "Noto Sans KR"),
)
# A code point no font maps: what it draws is the font's "missing glyph" box.
NOT_A_CHARACTER = "\U0010fffd"


@functools.lru_cache(maxsize=128)
def load(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / face.file), size)


@functools.lru_cache(maxsize=8192)
def _has_glyph(face: Face, char: str) -> bool:
    font = load(face, 48)
    missing = font.getmask(NOT_A_CHARACTER)
    drawn = font.getmask(char)
    return drawn.size != missing.size or bytes(drawn) != bytes(missing)


def covers(face: Face, text: str) -> bool:
    """Whether `face` has a glyph for every visible character of `text`."""
    return all(c.isspace() or is_invisible(c) or _has_glyph(face, c) for c in set(text))


def face_for(preferred: Face, text: str) -> Face | None:
    """The preferred face if it can draw `text`, else the first fallback that can; None when
    none can (the caller shows something else)."""
    for face in (preferred, *FALLBACKS):
        if covers(face, text):
            return face
    return None


def fonts_dir(cache_dir: Path, extra: tuple[Face, ...] = ()) -> Path:
    """One flat folder with every face (symlinks), for libass's `fontsdir`; `extra`: a brand
    kit's faces (an uploaded file's `file` is absolute, and joining keeps it so)."""
    folder = cache_dir / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    faces = {face for t in TYPOGRAPHY.values() for face in (t.headline, t.caption)}
    for face in (*faces, *FALLBACKS, *extra):
        link = folder / Path(face.file).name
        if not link.exists():
            with contextlib.suppress(FileExistsError):  # another job made it a moment ago
                os.symlink(FONTS / face.file, link)
    return folder


def can_draw(text: str) -> bool:
    """Whether some face we ship can draw every visible character of `text`."""
    return face_for(FALLBACKS[0], text) is not None
