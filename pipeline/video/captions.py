"""Captions that follow the voice word by word, as an ASS subtitle file libass burns in.

The voice stage reports when each word is said; a caption shows 1-4 words at a time (a phrase,
broken after punctuation) from its first word until the next caption starts, and the word being
said is drawn in the style's accent colour. Captions sit in the caption box of the layout, clear
of the platforms' UI (the bottom fifth and the right rail on Reels and TikTok).

On the end card the call-to-action is the big text on screen, and the product's name stands
above it: instead of a caption repeating them, each of their words turns to the accent colour
as it is said (and stays), so the CTA is shown once and still follows the voice. Words said
before the CTA that are not the name ("Don't wait!") are captioned.

Voices that report no timings (espeak-ng, hosted speech) get each word's share of the line by
its length in characters, a fair proxy at a steady pace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.outputs import SpokenWord, VoiceScene

MAX_WORDS = 4
MAX_CHARS = 22
PAUSE = 0.6  # a silence longer than this ends a caption early
HOLD = 0.25  # how long the last caption of a phrase stays after its last word
END_FADE_MS = 300  # the end card's name and call-to-action fade in


@dataclass(frozen=True)
class Timed:
    text: str
    start: float  # on the ad's timeline, seconds
    end: float


@dataclass(frozen=True)
class CaptionStyle:
    font: str  # family name
    size: int
    cta_font: str
    cta_size: int
    name_font: str
    name_size: int
    accent: str  # "#rrggbb"
    text: str  # "#rrggbb"
    # The name's own inks (it stands over the end card's backdrop, not over the shots), the
    # captions' halo (their outline and shadow) and whether they stand on a plate (libass's
    # opaque box) where no ink reads over the shots (pipeline.video.legibility).
    name_text: str = "#ffffff"
    name_accent: str = "#ffd84a"
    name_halo: str = "#000000"
    halo: str = "#000000"
    plate: bool = False
    name_plate: bool = False


@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    caption_left: int  # margins of the caption box, pixels from each edge
    caption_right: int
    caption_bottom: int
    cta_centre: tuple[int, int]  # where the end card's call-to-action is centred
    # Where the product's name's first line box is hung from by its top's middle (None: the
    # hero shows the name).
    name_top: tuple[int, int] | None


def timed_words(voice: VoiceScene, scene_start: float) -> list[Timed]:
    """The scene's words on the ad's timeline; estimated from lengths when not reported."""
    begin = scene_start + voice.offset_seconds
    words: Sequence[SpokenWord] = voice.words
    if not words:
        return []
    return [Timed(w.text, begin + w.start, begin + w.end) for w in words]


def estimated_words(text: str, voice: VoiceScene, scene_start: float) -> list[Timed]:
    """Word timings for a voice that reports none: shares of its length by characters."""
    tokens = text.split()
    weights = [len(t) + 1 for t in tokens]
    total = sum(weights) or 1
    begin = scene_start + voice.offset_seconds
    out, elapsed = [], 0.0
    for token, weight in zip(tokens, weights, strict=True):
        length = voice.duration_seconds * weight / total
        out.append(Timed(token, begin + elapsed, begin + elapsed + length))
        elapsed += length
    return out


def _phrases(words: list[Timed]) -> list[list[Timed]]:
    """Runs of words between sentence ends, commas and pauses."""
    out: list[list[Timed]] = []
    current: list[Timed] = []
    for word in words:
        if current and word.start - current[-1].end > PAUSE:
            out.append(current)
            current = []
        current.append(word)
        if word.text[-1:] in ".!?;:,":
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _fits(words: list[Timed]) -> bool:
    return len(words) <= MAX_WORDS and len(" ".join(w.text for w in words)) <= MAX_CHARS


def chunks(words: list[Timed]) -> list[list[Timed]]:
    """Captions of at most MAX_WORDS words (and MAX_CHARS characters): each phrase split into
    as few, as even pieces as fit, so no caption is a lone word left over from a long one."""
    out: list[list[Timed]] = []
    for phrase in _phrases(words):
        pieces = 1
        while True:
            size, extra = divmod(len(phrase), pieces)
            bounds, at = [], 0
            for k in range(pieces):
                step = size + (1 if k < extra else 0)
                bounds.append(phrase[at : at + step])
                at += step
            if all(_fits(b) for b in bounds if len(b) > 1) or pieces >= len(phrase):
                out += [b for b in bounds if b]
                break
            pieces += 1
    return out


def _colour(hex_colour: str) -> str:
    """#rrggbb as ASS's &HBBGGRR&."""
    value = hex_colour.lstrip("#")
    return f"&H{value[4:6]}{value[2:4]}{value[0:2]}&".upper()


def _dark(hex_colour: str) -> bool:
    value = hex_colour.lstrip("#")
    return sum(int(value[k : k + 2], 16) for k in (0, 2, 4)) < 3 * 100


def _escape(text: str) -> str:
    """Braces would start an override block; a backslash is only kept for our hard breaks."""
    parts = text.split("\\N")
    cleaned = [p.replace("\\", "\u29f5").replace("{", "(").replace("}", ")") for p in parts]
    return "\\N".join(cleaned)


def _clock(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, centis = divmod(rest, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def _line(words: Sequence[str], lit: set[int], style: CaptionStyle, name: bool = False) -> str:
    """The words with those in `lit` drawn in the accent colour (the name's own, for it)."""
    accent = _colour(style.name_accent if name else style.accent)
    plain = _colour(style.name_text if name else style.text)
    parts = [
        f"{{\\c{accent}}}{_escape(w)}{{\\c{plain}}}" if i in lit else _escape(w)
        for i, w in enumerate(words)
    ]
    return " ".join(parts)


def caption_events(words: list[Timed], style: CaptionStyle, scene_end: float) -> list[str]:
    """Dialogue lines: each caption split at its words, the word being said lit."""
    events = []
    phrases = chunks(words)
    for n, phrase in enumerate(phrases):
        following = phrases[n + 1][0].start if n + 1 < len(phrases) else None
        last = phrase[-1].end + HOLD
        until = min(following, last + PAUSE) if following is not None else last
        until = min(max(until, phrase[-1].end), scene_end)
        texts = [w.text for w in phrase]
        for i, word in enumerate(phrase):
            start = word.start if i else phrase[0].start
            end = phrase[i + 1].start if i + 1 < len(phrase) else until
            if end > start:
                events.append(
                    f"Dialogue: 0,{_clock(start)},{_clock(end)},Caption,,0,0,0,,"
                    + _line(texts, {i}, style)
                )
    return events


def lit_events(
    tokens: list[str],
    said: list[Timed],
    style: CaptionStyle,
    centre: tuple[int, int],
    look: str,
    start: float,
    end: float,
    anchor: int = 5,
) -> list[str]:
    """Text shown from `start` to `end` whose words light up as they are said (and stay lit):
    the end card's name and call-to-action. `said` are its words as spoken, or [] when it is
    not said. `tokens` are its words as laid out (textcards.ass_tokens). `centre` is where
    the text's `anchor` point goes (ASS's numpad: 5 its centre, 8 its top's middle)."""
    words = tokens
    x, y = centre
    position = f"{{\\an{anchor}\\pos({x},{y})}}"
    moments = [start] + [w.start for w in said[: len(words)]] + [end]
    events: list[str] = []
    for k in range(len(moments) - 1):
        if moments[k + 1] > moments[k]:
            # The first shows it fading in (while the hero settles above it).
            fade = f"{{\\fad({END_FADE_MS},0)}}" if not events else ""
            events.append(
                f"Dialogue: 1,{_clock(moments[k])},{_clock(moments[k + 1])},{look},,0,0,0,,"
                + position
                + fade
                + _line(words, set(range(k)), style, name=look == "Name")
            )
    return events


def ass_document(frame: Frame, style: CaptionStyle, events: list[str]) -> str:
    plain = _colour(style.text)
    outline = "&H00000000"
    shadow = "&H80000000"
    halo = _colour(style.halo).replace("&H", "&H00")
    plate = "&H28101010"  # near-black, 84% opaque (legibility.PLATE, PLATE_ALPHA)
    # On a plate, libass's BorderStyle 3 draws the outline as an opaque box round each line.
    border, pad = (3, max(4, style.size // 5)) if style.plate else (1, max(2, style.size // 14))
    caption_outline = plate if style.plate else halo
    name_halo = _colour(style.name_halo).replace("&H", "&H00")
    name_outline = plate if style.name_plate else name_halo
    # A drop shadow only under light ink: under dark ink it would darken what it reads on.
    name_shadow = 0 if _dark(style.name_text) else max(1, style.name_size // 30)
    name_border, name_pad, name_drop = (
        (3, max(4, style.name_size // 5), 0)
        if style.name_plate
        else (
            1,
            max(1, style.name_size // 24),
            name_shadow,
        )
    )
    caption = (
        f"Style: Caption,{style.font},{style.size},{plain},{plain},{caption_outline},{shadow},"
        f"-1,0,0,0,100,100,0,0,{border},{pad},{0 if style.plate else max(1, style.size // 30)},2,"
        f"{frame.caption_left},{frame.caption_right},{frame.caption_bottom},1"
    )
    cta = (
        f"Style: CTA,{style.cta_font},{style.cta_size},{plain},{plain},{outline},{shadow},"
        f"-1,0,0,0,100,100,0,0,1,{max(2, style.cta_size // 16)},{max(1, style.cta_size // 30)},5,"
        f"{frame.caption_left},{frame.caption_right},0,1"
    )
    name = (
        f"Style: Name,{style.name_font},{style.name_size},{_colour(style.name_text)},"
        f"{_colour(style.name_text)},{name_outline},{shadow},"
        f"0,0,0,0,100,100,0,0,{name_border},{name_pad},{0 if style.name_plate else name_drop},5,"
        "0,0,0,1"  # no margins: its lines are broken where it was fitted, libass adds none
    )
    return "\n".join(
        [
            "[Script Info]",
            "ScriptType: v4.00+",
            f"PlayResX: {frame.width}",
            f"PlayResY: {frame.height}",
            "WrapStyle: 0",
            "ScaledBorderAndShadow: yes",
            "",
            "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
            "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
            "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
            caption,
            cta,
            name,
            "",
            "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
            *events,
            "",
        ]
    )
