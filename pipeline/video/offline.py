"""video_gen, offline provider: the ad's pictures and the plan that animates them.

This stage encodes nothing (bench/render.py measured why: an intermediate encode costs a full
extra pass): it draws pre-sized PNG layers and writes `video/plan.json` (pipeline.video.plan), and
compositing animates and encodes them in one ffmpeg graph. What it draws:
- the hero, ONE layer for the whole ad: the product cut out of its photo (pipeline.video.cutout),
  or the photo full-bleed when the cut-out is not confident, or the name set in type when there
  is no photo; its keyframes move it on the headlines' centre line (zoom in, drift, zoom out) and,
  on the end card, up and smaller, above the name and the call-to-action;
- per scene a backdrop in the style's look (accent taken from the photo) and its headline;
- the captions, an ASS file timed by the voice's words (pipeline.video.captions), which also
  lights the end card's call-to-action word by word as it is said.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from domain.enums import StageName
from domain.media import VIDEO_DIR
from domain.outputs import Completed, VideoOutput, VoiceOutput
from domain.providers import OFFLINE_VIDEO
from domain.script import AdScript
from domain.templates import Palette, get_template
from pipeline.errors import StageError
from pipeline.script.lines import PHRASEBOOKS
from pipeline.script.model import completed_script
from pipeline.shared.files import (
    atomic_output,
    relative_to_work,
    remove_temp_files,
    write_text_atomic,
)
from pipeline.spec import JobSpec, ProgressFn, StageResult, needs
from pipeline.video import artwork
from pipeline.video.captions import (
    CaptionStyle,
    Frame,
    Timed,
    ass_document,
    caption_events,
    estimated_words,
    lit_events,
    timed_words,
)
from pipeline.video.cutout import accent_colour, cut_out, dominant_colours
from pipeline.video.fonts import TYPOGRAPHY, fonts_dir
from pipeline.video.layout import Layout, layout_for
from pipeline.video.plan import (
    Hero,
    Keyframe,
    Placed,
    RenderPlan,
    ScenePlan,
    scene_frames,
    transition_frames,
)
from pipeline.video.textcards import ass_tokens, fit_text, place_in

PROVIDER = OFFLINE_VIDEO
PLAN_FILE = "plan.json"
CAPTIONS_FILE = "captions.ass"
FONTS_DIR = "fonts"
END_CARD_MOVE = 0.6  # seconds the hero takes to settle on the end card
# Scale (1.0 = as large as the layout allows) and vertical offset (share of the hero box) at the
# start and end of a scene, per camera motion; the hero never leaves the centre line.
MOTIONS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "zoom_in": ((0.86, 0.0), (1.0, 0.0)),
    "zoom_out": ((1.0, 0.0), (0.88, 0.0)),
    "push_up": ((0.93, 0.06), (0.95, 0.0)),
    "pan_left": ((0.9, -0.025), (0.95, 0.025)),
    "pan_right": ((0.95, 0.025), (0.9, -0.025)),
    "static": ((1.0, 0.0), (1.0, 0.0)),
}
PHOTO_DAMPING = 0.35  # the full-bleed photo moves less: it already fills the frame
T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking image work off the event loop. On cancellation, wait for the (short) call to
    end before re-raising, so no thread is still writing into work_dir after we clean up."""
    future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.gather(future, return_exceptions=True)
        raise


def _save(image: Image.Image, path: Path) -> None:
    with atomic_output(path) as tmp:
        artwork.save_png(image, tmp)


@dataclass
class Look:
    """What the ad is built around, decided from the photo."""

    kind: str  # "cutout", "photo" or "type"
    hero: Image.Image
    palette: Palette
    photo: Image.Image | None


def decide_look(spec: JobSpec, layout: Layout) -> Look:
    """Cut the product out if it can be done confidently; else show the photo; else the name."""
    base = get_template(spec.style).scenes[0].palette
    if spec.product_image is None:
        palette = artwork.palette_for(spec.style, base, None)
        return Look(
            "type",
            artwork.wordmark_hero(spec.product_name, spec.style, layout, palette),
            palette,
            None,
        )
    try:
        photo = artwork.open_photo(spec.product_image)
    except (OSError, ValueError) as exc:
        raise StageError(f"the product image could not be read: {exc}") from exc
    cutout = cut_out(photo)
    palette = artwork.palette_for(spec.style, base, accent_colour(dominant_colours(photo, cutout)))
    if cutout.confident:
        return Look("cutout", artwork.cutout_hero(cutout.image, layout, palette), palette, photo)
    return Look("photo", artwork.photo_hero(photo, layout), palette, photo)


def keyframes(
    look: Look, layout: Layout, motions: list[str], starts: list[int], overlaps: list[int], fps: int
) -> list[Keyframe]:
    """The hero's path: each scene's motion from its start to the next scene's, eased between
    scenes during their transition, then up and smaller onto the end card."""
    damping = PHOTO_DAMPING if look.kind == "photo" else 1.0
    # A full-bleed photo is centred on the frame; a cut-out on the headlines' centre line.
    cx = layout.width // 2 if look.kind == "photo" else layout.centre_x
    cy = layout.hero.centre[1]

    def at(frame: int, value: tuple[float, float]) -> Keyframe:
        scale = 1.0 - (1.0 - value[0]) * damping
        return Keyframe(
            frame=frame,
            scale=round(scale, 4),
            x=cx,
            y=cy + round(value[1] * damping * layout.hero.h),
        )

    # The move onto the end card straddles its start, so the hero has made room by the time
    # the name and the call-to-action fade in under it.
    lead = round(END_CARD_MOVE * fps / 2)
    frames: list[Keyframe] = []
    for k, motion in enumerate(motions):
        begin, end = MOTIONS.get(motion, MOTIONS["static"])
        start = starts[k] + (overlaps[k - 1] if k else 0)
        finish = starts[k + 1] - (lead if k == len(motions) - 1 else 0)
        frames += [at(start, begin), at(max(start, finish), end)]
    product_w = look.hero.width
    product_h = look.hero.height
    end_scale = min(layout.end_hero.w / product_w, layout.end_hero.h / product_h, 1.0)
    ex, ey = layout.end_hero.centre
    settle = starts[len(motions)] + round(END_CARD_MOVE * fps) - lead
    frames.append(Keyframe(frame=settle, scale=round(end_scale, 4), x=ex, y=ey))
    return frames


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text).casefold().split())


def captions(
    script: AdScript,
    voice: VoiceOutput,
    scene_starts: list[float],
    total: float,
    spec: JobSpec,
    look: Look,
    layout: Layout,
) -> str:
    """The ASS document: captions for scenes 1-3, and on the end card the name and the
    call-to-action lit word by word as they are said."""
    typography = TYPOGRAPHY[spec.style]
    # The end card's name and call-to-action at the size that fits their boxes (libass wraps
    # them the same way Pillow measures them).
    end_box = layout.end_name
    name_fit = fit_text(
        spec.product_name, typography.headline, end_box.w, end_box.h, layout.headline_size, 2
    )
    cta_box = layout.end_cta
    cta_fit = fit_text(script.cta, typography.caption, cta_box.w, cta_box.h, layout.cta_size, 3)
    caption_style = CaptionStyle(
        font=typography.caption.family,
        size=layout.caption_size,
        cta_font=typography.caption.family,
        cta_size=cta_fit.size,
        name_font=typography.headline.family,
        name_size=name_fit.size,
        accent=artwork.lit_for_dark(look.palette.accent),
        text="#ffffff",
    )
    show_name = look.kind != "type"  # else the hero, on the end card, is the name
    inset = layout.caption_size // 6  # the outline stays inside the safe zone too
    room = layout.captions.w - 2 * inset
    frame = Frame(
        width=layout.width,
        height=layout.height,
        caption_left=layout.captions.x + inset,
        caption_right=layout.width - layout.captions.right + inset,
        caption_bottom=layout.height - layout.captions.bottom + inset,
        cta_centre=layout.end_cta.centre,
        name_centre=layout.end_name.centre if show_name else None,
    )
    events: list[str] = []
    last = len(script.scenes) - 1
    for k, scene in enumerate(script.scenes):
        spoken = voice.scene(scene.index)
        start = scene_starts[k]
        end = scene_starts[k + 1] if k < last else total
        words: list[Timed] = [
            Timed(
                ass_tokens(w.text, typography.caption, layout.caption_size, room)[0], w.start, w.end
            )
            for w in timed_words(spoken, start)
            or estimated_words(scene.voiceover_text, spoken, start)
        ]
        if k < last:
            events += caption_events(words, caption_style, end)
            continue
        cta_count = len(script.cta.split())
        said_cta = words[-cta_count:] if len(words) >= cta_count else []
        if _plain(" ".join(w.text for w in said_cta).replace("\\N", "")) != _plain(script.cta):
            said_cta = []  # a short preview says something shorter: caption it instead
        lead = words[: len(words) - len(said_cta)]
        lead_text = " ".join(w.text for w in lead).replace("\\N", "")
        lead_is_name = _plain(lead_text) == _plain(spec.product_name)
        name = spec.product_name.upper() if typography.headline.upper else spec.product_name
        if frame.name_centre is not None:
            said_name = lead if lead_is_name else []
            tokens = ass_tokens(name, typography.headline, name_fit.size, end_box.w)
            events += lit_events(
                tokens, said_name, caption_style, frame.name_centre, "Name", start, end
            )
        if not lead_is_name:
            events += caption_events(lead, caption_style, end)
        tokens = ass_tokens(script.cta, typography.caption, cta_fit.size, cta_box.w)
        events += lit_events(tokens, said_cta, caption_style, frame.cta_centre, "CTA", start, end)
    return ass_document(frame, caption_style, events)


async def generate_video(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """video_gen stage: layers and plan under work_dir/video/. Re-running overwrites them."""
    script = completed_script(completed, "video_gen")
    voice = needs(completed.voice, "video_gen", StageName.VOICE_GEN)
    layout = layout_for(spec.aspect_ratio)
    template = get_template(spec.style)
    out_dir = spec.work_dir / VIDEO_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    durations = [scene.duration_seconds for scene in script.scenes]
    starts, total_frames = scene_frames(durations, spec.fps)
    overlaps = [
        transition_frames(scene, durations[i], spec.fps, i == len(template.scenes) - 1)
        for i, scene in enumerate(template.scenes)
    ]
    await progress(0)
    try:
        look = await in_thread(decide_look, spec, layout)
        hero_path = out_dir / "hero.png"
        await in_thread(_save, look.hero, hero_path)
        await progress(30)
        scenes: list[ScenePlan] = []
        for i, (scene, script_scene) in enumerate(zip(template.scenes, script.scenes, strict=True)):
            last = i == len(template.scenes) - 1
            end = total_frames if last else starts[i + 1]
            bg_path = out_dir / f"scene_{scene.index}_bg.png"
            backdrop = (
                artwork.photo_backdrop(look.photo, layout, scene.index)
                if look.kind == "photo" and look.photo is not None
                else None
            )
            headline: Placed | None = None
            image: Image.Image
            if last:
                image = await in_thread(
                    artwork.end_card, layout, spec.style, look.palette, backdrop
                )
            else:
                image = (
                    backdrop
                    if backdrop is not None
                    else await in_thread(
                        artwork.background, layout, spec.style, look.palette, scene.index
                    )
                )
                words = script_scene.on_screen_text
                if look.kind == "type" and words == spec.product_name:
                    # The hero is the name already: the headline says something else.
                    words = PHRASEBOOKS[spec.style].headlines["hook"][0]
                text = await in_thread(artwork.headline, words, spec.style, layout, look.palette)
                head_path = out_dir / f"scene_{scene.index}_headline.png"
                await in_thread(_save, text, head_path)
                spot = place_in(text, layout.headline)
                headline = Placed(
                    path=relative_to_work(head_path, spec.work_dir), x=spot.x, y=spot.y
                )
            await in_thread(_save, image, bg_path)
            scenes.append(
                ScenePlan(
                    index=scene.index,
                    start_frame=starts[i],
                    frames=end - starts[i] + overlaps[i],
                    transition=scene.transition if overlaps[i] else "cut",
                    transition_frames=overlaps[i],
                    background=relative_to_work(bg_path, spec.work_dir),
                    headline=headline,
                )
            )
            await progress(30 + 50 * (i + 1) // len(template.scenes))
        motions = [scene.camera_motion for scene in template.scenes[:-1]]
        hero = Hero(
            path=relative_to_work(hero_path, spec.work_dir),
            width=look.hero.width,
            height=look.hero.height,
            keyframes=keyframes(look, layout, motions, starts, overlaps, spec.fps),
        )
        scene_starts = [s / spec.fps for s in starts]
        ass = captions(script, voice, scene_starts, total_frames / spec.fps, spec, look, layout)
        write_text_atomic(out_dir / CAPTIONS_FILE, ass)
        fonts_dir(out_dir)  # the faces libass draws the captions with
        plan = RenderPlan(
            width=layout.width,
            height=layout.height,
            fps=spec.fps,
            total_frames=total_frames,
            scenes=scenes,
            hero=hero,
            captions=relative_to_work(out_dir / CAPTIONS_FILE, spec.work_dir),
            look=look.kind,
        )
        write_text_atomic(out_dir / PLAN_FILE, plan.model_dump_json(indent=1))
    finally:
        remove_temp_files(out_dir)
    await progress(100)
    output = VideoOutput(
        plan=relative_to_work(out_dir / PLAN_FILE, spec.work_dir),
        width=layout.width,
        height=layout.height,
        duration_seconds=plan.duration_seconds,
    )
    return StageResult(output=output, provider=PROVIDER)


__all__ = ["PLAN_FILE", "VIDEO_DIR", "generate_video", "in_thread"]
