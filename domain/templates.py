"""The four ad styles, each four scenes and 30 seconds long.

These are data, read by the offline script writer, the renderers and the `styles` query.
Scene 4 of every style is a static end card that carries the call-to-action.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import AspectRatio, Style


@dataclass(frozen=True, slots=True)
class SafeZone:
    """Fractions of the frame kept clear of text (platform UI: captions, buttons, profile)."""

    top: float
    bottom: float
    left: float
    right: float


# Reels/TikTok/Shorts put UI over the top ~14% and bottom ~20% of a vertical frame; feeds crop
# less on square and landscape frames.
SAFE_ZONES = {
    AspectRatio.PORTRAIT: SafeZone(top=0.14, bottom=0.20, left=0.06, right=0.12),
    AspectRatio.SQUARE: SafeZone(top=0.08, bottom=0.10, left=0.06, right=0.06),
    AspectRatio.LANDSCAPE: SafeZone(top=0.08, bottom=0.12, left=0.06, right=0.06),
}


@dataclass(frozen=True, slots=True)
class Palette:
    background: str  # hex colours, "#rrggbb"
    accent: str
    text: str


@dataclass(frozen=True, slots=True)
class SceneTemplate:
    index: int  # 1-based
    duration_seconds: float
    purpose: str  # hook, feature, benefit, cta
    visual_direction: str
    camera_motion: str  # zoom_in, zoom_out, pan_left, pan_right, push_up, static
    palette: Palette
    font_weight: str  # light, regular, bold, black
    transition: str  # into the next scene: an ffmpeg xfade name, or "cut"
    is_static: bool = False


@dataclass(frozen=True, slots=True)
class SpeakingRate:
    """How long the offline narrator takes to say a line in a style, measured by regression on
    Piper's joe voice at the style's delivery (bench: within ~0.5 s on lines up to 9 s): per
    letter or digit, per sentence (its pause and breath), per comma, dash or semicolon."""

    letter: float
    sentence: float
    comma: float


@dataclass(frozen=True, slots=True)
class StyleTemplate:
    style: Style
    name: str
    description: str
    voice: str  # espeak-ng voice name for the offline narrator
    # The narrator's average pace in words (pauses included): the word budget any writer's
    # line must keep (validation, Claude's prompt).
    words_per_second: float
    # The offline narrator's measured timing: what the offline writer sizes each line with, so
    # the voice fills its scene.
    speaking: SpeakingRate
    scenes: tuple[SceneTemplate, ...]

    @property
    def duration_seconds(self) -> float:
        return sum(scene.duration_seconds for scene in self.scenes)


def _scenes(
    palette: Palette,
    weights: tuple[str, str, str, str],
    motions: tuple[str, str, str],
    transitions: tuple[str, str, str],
    directions: tuple[str, str, str, str],
    durations: tuple[float, float, float, float],
) -> tuple[SceneTemplate, ...]:
    purposes = ("hook", "feature", "benefit", "cta")
    return tuple(
        SceneTemplate(
            index=i + 1,
            duration_seconds=durations[i],
            purpose=purposes[i],
            visual_direction=directions[i],
            camera_motion=motions[i] if i < 3 else "static",
            palette=palette,
            font_weight=weights[i],
            transition=transitions[i] if i < 3 else "cut",
            is_static=i == 3,
        )
        for i in range(4)
    )


TEMPLATES: dict[Style, StyleTemplate] = {
    Style.LUXURY: StyleTemplate(
        style=Style.LUXURY,
        name="Luxury",
        description="Soft lighting, slow camera, elegant serif-like type: premium and unhurried.",
        voice="en-gb",
        words_per_second=2.9,
        speaking=SpeakingRate(letter=0.0595, sentence=0.333, comma=0.648),
        scenes=_scenes(
            Palette(background="#14110f", accent="#c9a45c", text="#f5efe6"),
            ("light", "light", "regular", "regular"),
            ("zoom_in", "pan_right", "zoom_out"),
            ("fade", "fade", "fadeblack"),
            (
                "The product emerges from shadow under a warm, soft key light.",
                "A slow glide across the product's finest detail, gold accents.",
                "The product at rest in a refined setting, soft bokeh behind it.",
                "End card: product centred on deep charcoal, gold call-to-action.",
            ),
            (8.0, 8.0, 8.0, 6.0),
        ),
    ),
    Style.ENERGETIC: StyleTemplate(
        style=Style.ENERGETIC,
        name="Energetic",
        description="Vibrant colour, quick punchy motion and bold type: fun and full of pace.",
        voice="en-us",
        words_per_second=3.1,
        speaking=SpeakingRate(letter=0.0541, sentence=0.389, comma=0.529),
        scenes=_scenes(
            Palette(background="#ff3d68", accent="#ffd23f", text="#ffffff"),
            ("black", "bold", "bold", "black"),
            ("zoom_in", "pan_left", "push_up"),
            ("slideleft", "wipeup", "circleopen"),
            (
                "A punchy zoom onto the product against a bright, saturated burst.",
                "Fast lateral move showing the product in action, colour pops.",
                "The product bounces up into frame with energy and confetti colours.",
                "End card: product on hot pink with a big yellow call-to-action.",
            ),
            (7.0, 8.0, 8.0, 7.0),
        ),
    ),
    Style.MINIMAL: StyleTemplate(
        style=Style.MINIMAL,
        name="Minimal",
        description="Clean white space, gentle motion and quiet type: simple and modern.",
        voice="en-us",
        words_per_second=3.0,
        speaking=SpeakingRate(letter=0.0571, sentence=0.418, comma=0.390),
        scenes=_scenes(
            Palette(background="#f4f4f2", accent="#1f6feb", text="#161616"),
            ("regular", "light", "regular", "bold"),
            ("zoom_out", "pan_right", "zoom_in"),
            ("fade", "smoothleft", "fade"),
            (
                "The product alone on a clean off-white field, centred.",
                "A gentle drift revealing one key detail with generous space.",
                "The product in a calm everyday setting, natural light.",
                "End card: product on white with a single blue call-to-action.",
            ),
            (8.0, 8.0, 8.0, 6.0),
        ),
    ),
    Style.BOLD: StyleTemplate(
        style=Style.BOLD,
        name="Bold",
        description="High contrast, hard light and heavy type: strong, dramatic, confident.",
        voice="en-us",
        words_per_second=3.05,
        speaking=SpeakingRate(letter=0.0619, sentence=0.342, comma=0.251),
        scenes=_scenes(
            Palette(background="#0b0b0b", accent="#ff5a1f", text="#ffffff"),
            ("black", "black", "bold", "black"),
            ("push_up", "zoom_in", "pan_left"),
            ("wipeleft", "fadeblack", "coverup"),
            (
                "The product hits the frame in hard light against pure black.",
                "A dramatic push into the product's defining feature.",
                "The product framed by stark shadows and an orange rim light.",
                "End card: product on black with a blazing orange call-to-action.",
            ),
            (7.0, 8.0, 8.0, 7.0),
        ),
    ),
}


def get_template(style: Style | str) -> StyleTemplate:
    return TEMPLATES[Style(style)]


TEMPLATE_SECONDS = 30.0


def scene_durations(style: Style | str, total_seconds: float) -> list[float]:
    """The template's scene durations scaled by total/30 (short renders keep the proportions)."""
    factor = total_seconds / TEMPLATE_SECONDS
    return [round(scene.duration_seconds * factor, 4) for scene in get_template(style).scenes]


def voice_window(duration: float) -> tuple[float, float]:
    """(offset, length) of a scene's voiceover: a short lead-in after the cut and a tail
    before the next scene, so lines never run into each other or a transition."""
    lead = min(0.25, 0.05 * duration)
    tail = min(0.35, 0.08 * duration)
    return lead, duration - lead - tail
