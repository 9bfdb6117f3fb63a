"""The ad drawn: its stills and the plan that moves them, which every video provider starts from.

The offline provider is this drawing alone (pipeline.video.offline); the hosted one animates scenes
of it (pipeline.video.hosted). Neither imports the other. Drawing encodes nothing (bench/render.py
measured why: an intermediate encode costs a full extra pass): it draws pre-sized PNG stills and
writes `video/plan.json` (pipeline.video.plan), and compositing moves and encodes them in one
ffmpeg graph.
What it draws:
- per moving scene, its shots (pipeline.video.shots): two to four framings of the product from
  its photos (the cut-out when it can be cut out confidently, else the photo as it is; the name
  set in type when there is no photo), cut on the music's beats where one falls near;
- per moving scene, its headline as word-by-word steps (pipeline.video.headlines), the opening's
  large enough to stop a thumb;
- the end card: the product large, its price when known, the call-to-action's button;
- the captions, an ASS file timed by the voice's words (pipeline.video.captions), which also
  lights the end card's name and call-to-action word by word as they are said.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from domain.enums import StageName
from domain.media import VIDEO_DIR
from domain.outputs import Completed, VideoOutput, VoiceOutput
from domain.script import AdScript
from domain.templates import Palette, get_template
from pipeline.errors import StageError
from pipeline.music.bed import bed_for
from pipeline.script.lines import PHRASEBOOKS
from pipeline.script.model import completed_script
from pipeline.shared.files import (
    atomic_output,
    relative_to_work,
    remove_temp_files,
    write_text_atomic,
)
from pipeline.shared.fonts import TYPOGRAPHY, fonts_dir
from pipeline.spec import JobSpec, ProgressFn, needs
from pipeline.video import artwork, framings, motion, shots
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
from pipeline.video.framings import ShotKind
from pipeline.video.headlines import word_by_word
from pipeline.video.layout import Layout, layout_for
from pipeline.video.plan import (
    CAPTIONS_FILE,
    PLAN_FILE,
    EndCard,
    Layer,
    LookKind,
    Rect,
    RenderPlan,
    ScenePlan,
    Shot,
    Step,
    cut_frames,
    scene_frames,
    shot_count,
)
from pipeline.video.reuse import source_until_frame
from pipeline.video.textcards import FittedText, ass_tokens, fit_text, hex_rgba, text_width

HOOK_INK = 0.09  # the opening headline's lines stand at least this share of the frame's height
DRAWING_THREADS = 2  # Pillow releases the GIL while it resizes, blurs and encodes PNGs
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


def _save_still(image: Image.Image, path: Path) -> None:
    with atomic_output(path) as tmp:
        artwork.save_jpeg(image, tmp)


@dataclass
class Look:
    """What the ad is built around, decided from the first photo."""

    kind: LookKind
    hero: Image.Image
    palette: Palette
    photos: list[shots.Photo]


def _photos(spec: JobSpec) -> tuple[Path, ...]:
    if spec.product_images:
        return spec.product_images
    return (spec.product_image,) if spec.product_image is not None else ()


_ANALYSED: OrderedDict[bytes, shots.Photo] = OrderedDict()
_ANALYSED_LOCK = threading.Lock()
ANALYSED_KEPT = 8  # photos whose analysis a process keeps (a retry or a variant reuses them)


def _analysed(path: Path, number: int) -> shots.Photo:
    """The photo decoded, cut out and analysed (about 0.6-1 CPU-s, most of it U²-Net), kept by
    its content's digest for the next job with the same photo: a variant, a retry, a shop
    re-running its ad."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StageError(f"product photo {number} could not be read: {exc}") from exc
    digest = hashlib.sha256(data).digest()
    with _ANALYSED_LOCK:
        if digest in _ANALYSED:
            _ANALYSED.move_to_end(digest)
            return _ANALYSED[digest]
    try:
        image = artwork.open_photo(path)
    except (OSError, ValueError) as exc:
        raise StageError(f"product photo {number} could not be read: {exc}") from exc
    cutout = cut_out(image)
    photo = shots.analyse(image, cutout, accent_colour(dominant_colours(image, cutout)))
    with _ANALYSED_LOCK:
        _ANALYSED[digest] = photo
        while len(_ANALYSED) > ANALYSED_KEPT:
            _ANALYSED.popitem(last=False)
    return photo


def decide_look(spec: JobSpec, layout: Layout) -> Look:
    """Cut each product photo out if it can be done confidently; the first photo decides the
    look (its cut-out, or the photo as it is) and the accent colour; no photo: the name."""
    base = get_template(spec.style).scenes[0].palette
    paths = _photos(spec)
    if not paths:
        palette = artwork.palette_for(spec.style, base, None)
        return Look(
            LookKind.TYPE,
            artwork.wordmark_hero(spec.product_name, spec.style, layout, palette),
            palette,
            [],
        )
    photos = [_analysed(path, number) for number, path in enumerate(paths, start=1)]
    first = photos[0]
    palette = artwork.palette_for(spec.style, base, first.accent)
    if first.cutout.confident:
        hero = artwork.cutout_hero(first.cutout.image, layout, palette)
        return Look(LookKind.CUTOUT, hero, palette, photos)
    return Look(LookKind.PHOTO, artwork.photo_hero(first.image, layout), palette, photos)


def cta_fit(cta: str, spec: JobSpec, layout: Layout) -> FittedText:
    """The call-to-action as it is set on its button: up to two lines, the button's padding
    and height inside the CTA box (the captions draw the words, lit as they are said)."""
    face = TYPOGRAPHY[spec.style].caption
    box = layout.end_cta
    return fit_text(cta, face, round(box.w * 0.8), round(box.h / 1.9), layout.cta_size, 2)


def headline_colour(palette: Palette) -> tuple[int, int, int, int]:
    """The style's text colour when it reads as light; else white (headlines sit over photos)."""
    return hex_rgba(palette.text if artwork.is_light(palette.text) else "#ffffff")


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
    cta_fit: FittedText,
) -> str:
    """The ASS document: captions for scenes 1-3, and on the end card the name and the
    call-to-action (on its button, at `cta_fit`'s size) lit word by word as they are said."""
    typography = TYPOGRAPHY[spec.style]
    # The end card's name and call-to-action at the size that fits their boxes (libass wraps
    # them the same way Pillow measures them).
    end_box = layout.end_name
    name_fit = fit_text(
        spec.product_name, typography.headline, end_box.w, end_box.h, layout.name_size, 2
    )
    cta_box = layout.end_cta
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
    show_name = look.kind != LookKind.TYPE  # else the hero, on the end card, is the name
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
        # The lead (the name's introduction, "Discover …") is said, not captioned: the card
        # shows the name (or the wordmark) and the call-to-action, and its button stands where
        # the captions run.
        tokens = ass_tokens(script.cta, typography.caption, cta_fit.size, round(cta_box.w * 0.8))
        events += lit_events(tokens, said_cta, caption_style, frame.cta_centre, "CTA", start, end)
    return ass_document(frame, caption_style, events)


async def draw_video(spec: JobSpec, completed: Completed, progress: ProgressFn) -> VideoOutput:
    """The stills and the plan under work_dir/video/. Re-running overwrites them."""
    script = completed_script(completed, "video_gen")
    voice = needs(completed.voice, "video_gen", StageName.VOICE_GEN)
    layout = layout_for(spec.aspect_ratio, spec.resolution)
    template = get_template(spec.style)
    out_dir = spec.work_dir / VIDEO_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    durations = [scene.duration_seconds for scene in script.scenes]
    starts, total_frames = scene_frames(durations, spec.fps)
    ends = [*starts[1:], total_frames]
    await progress(0)
    try:
        look = await in_thread(decide_look, spec, layout)
        hero_path = out_dir / "hero.png"
        await in_thread(_save, look.hero, hero_path)
        await progress(25)
        bed = bed_for(spec, total_frames / spec.fps)  # decided here, once; stored below
        beats = list(bed.beats)
        canvas = shots.Canvas(
            layout, spec.style, look.palette, look.kind, look.photos, look.hero, spec.product_name
        )
        moving = len(template.scenes) - 1
        counts = [shot_count((ends[i] - starts[i]) / spec.fps) for i in range(len(starts))]
        kinds = framings.sequence(look.kind, counts[:moving])
        cta = cta_fit(script.cta, spec, layout)
        cta_width = max(text_width(line, cta.face, cta.size) for line in cta.lines)
        button = shots.button_rect(layout, cta_width, cta.size)
        scenes = await _draw_scenes(
            spec, canvas, script, kinds, counts, starts, ends, beats, button, out_dir
        )
        tag, tag_box = await in_thread(_price_tag, spec, canvas, scenes[-1], out_dir)
        await progress(85)
        scene_starts = [s / spec.fps for s in starts]
        ass = captions(
            script, voice, scene_starts, total_frames / spec.fps, spec, look, layout, cta
        )
        write_text_atomic(out_dir / CAPTIONS_FILE, ass)
        fonts_dir(out_dir)  # the faces libass draws the captions with
        plan = RenderPlan(
            width=layout.width,
            height=layout.height,
            fps=spec.fps,
            total_frames=total_frames,
            scenes=scenes,
            hero=relative_to_work(hero_path, spec.work_dir),
            captions=relative_to_work(out_dir / CAPTIONS_FILE, spec.work_dir),
            look=look.kind,
            end_card=EndCard(
                button=button,
                accent=look.palette.accent,
                price=spec.price,
                tag=tag,
                tag_box=tag_box,
            ),
        )
        write_text_atomic(out_dir / PLAN_FILE, plan.model_dump_json(indent=1))
    finally:
        remove_temp_files(out_dir)
    reused = await source_until_frame(spec, plan)  # decided here, once; compositing reads it
    await progress(100)
    return VideoOutput(
        plan=relative_to_work(out_dir / PLAN_FILE, spec.work_dir),
        width=layout.width,
        height=layout.height,
        duration_seconds=plan.duration_seconds,
        music=bed,
        source_until_frame=reused,
    )


def _price_tag(
    spec: JobSpec, canvas: shots.Canvas, end: ScenePlan, out_dir: Path
) -> tuple[Layer | None, Rect | None]:
    """The price tag as its own layer, popping in once the end card is in (None: no price)."""
    if not spec.price:
        return None, None
    image, box = shots.price_tag(canvas, spec.price)
    path = out_dir / "price_tag.png"
    _save(image, path)
    after = end.shots[0].enter.frames if end.shots else 0
    layer = motion.tag_layer(
        relative_to_work(path, spec.work_dir), box, canvas.layout.width, spec.fps, after
    )
    return layer, box


@dataclass(frozen=True)
class _Job:
    """One still to draw and where its shot goes."""

    scene: int  # position in the ad
    kind: ShotKind
    photo: int | None
    variant: int
    frame: int
    frames: int
    beat: float | None
    way_in: motion.Entrance


async def _draw_scenes(
    spec: JobSpec,
    canvas: shots.Canvas,
    script: AdScript,
    kinds: list[list[ShotKind]],
    counts: list[int],
    starts: list[int],
    ends: list[int],
    beats: list[float],
    button: Rect,
    out_dir: Path,
) -> list[ScenePlan]:
    """Every scene's shots and headline, the stills drawn on DRAWING_THREADS threads."""
    photos = len(canvas.photos)
    jobs: list[_Job] = []
    walked = 0  # the shots walk through the photos
    for position, scene_kinds in enumerate(kinds):
        cuts = cut_frames(starts[position], ends[position], spec.fps, counts[position], beats)
        bounds = [*(c[0] for c in cuts[1:]), ends[position]]
        ways_in = motion.entrances(
            spec.fps, [beat for _, beat in cuts], end_card=False, after_a_scene=position > 0
        )
        for k, (kind, (frame, beat), stop, way_in) in enumerate(
            zip(scene_kinds, cuts, bounds, ways_in, strict=True)
        ):
            photo = walked % photos if photos else None
            variant = position * 3 + k
            job = _Job(position, kind, photo, variant, frame, stop - frame, beat, way_in)
            walked += framings.framing(kind, photo, variant).photos_shown
            jobs.append(job)
    end_position = len(kinds)
    end_cuts = cut_frames(starts[-1], ends[-1], spec.fps, counts[-1], beats)
    end_bounds = [*(c[0] for c in end_cuts[1:]), ends[-1]]
    ways_in = motion.entrances(
        spec.fps, [beat for _, beat in end_cuts], end_card=True, after_a_scene=end_position > 0
    )
    for k, ((frame, beat), stop, way_in) in enumerate(
        zip(end_cuts, end_bounds, ways_in, strict=True)
    ):
        photo = 0 if photos else None
        jobs.append(
            _Job(end_position, ShotKind.END, photo, k % 2, frame, stop - frame, beat, way_in)
        )

    def draw(job: _Job) -> Shot:
        path = out_dir / f"shot_{job.scene + 1}_{job.frame}.jpg"
        product: Rect | None
        layer: Layer | None = None
        if job.kind == ShotKind.END:
            card = shots.end_card(canvas, job.variant, button, job.photo)
            still, start, end, product = card.image, (0, 0), (0, 0), card.product
            photos = [job.photo] if job.photo is not None else []
        else:
            room = shots.text_free(canvas.layout, hook=job.scene == 0)
            drawn = framings.framing(job.kind, job.photo, job.variant).draw(
                shots.within(canvas, room)
            )
            still, start, end, product = drawn.image, drawn.start, drawn.end, drawn.product
            photos = list(drawn.photos)
            if drawn.layer is not None:
                layer_path = out_dir / f"shot_{job.scene + 1}_{job.frame}_product.png"
                _save(drawn.layer.image, layer_path)
                layer = Layer(
                    path=relative_to_work(layer_path, spec.work_dir),
                    start=drawn.layer.start,
                    end=drawn.layer.end,
                    motion=drawn.layer.motion,
                    frames=job.frames,
                )
        _save_still(still, path)
        return Shot(
            frame=job.frame,
            frames=job.frames,
            kind=job.kind,
            image=relative_to_work(path, spec.work_dir),
            start=start,
            end=end,
            photos=photos,
            product=motion.punched(product, job.way_in.punch, canvas.size),
            beat=job.beat,
            layer=layer,
            enter=job.way_in.enter,
            punch=job.way_in.punch,
        )

    headlines = [_headline(spec, canvas, script, position, ends[position] - starts[position],
                           out_dir) for position in range(len(kinds))]  # fmt: skip
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(DRAWING_THREADS, thread_name_prefix="stills") as pool:
        shot_futures = [loop.run_in_executor(pool, draw, job) for job in jobs]
        head_futures = [loop.run_in_executor(pool, make) for make in headlines]
        everything = asyncio.gather(asyncio.gather(*shot_futures), asyncio.gather(*head_futures))
        try:
            drawn_shots, drawn_heads = await asyncio.shield(everything)
        except asyncio.CancelledError:
            await asyncio.gather(everything, return_exceptions=True)
            raise
    scenes: list[ScenePlan] = []
    for position, scene in enumerate(script.scenes):
        steps = drawn_heads[position] if position < len(kinds) else []
        scenes.append(
            ScenePlan(
                index=scene.index,
                start_frame=starts[position],
                frames=ends[position] - starts[position],
                shots=[s for s, j in zip(drawn_shots, jobs, strict=True) if j.scene == position],
                headline=steps,
            )
        )
    return scenes


def _headline(
    spec: JobSpec,
    canvas: shots.Canvas,
    script: AdScript,
    position: int,
    frames: int,
    out_dir: Path,
) -> Callable[[], list[Step]]:
    """A call that draws one moving scene's headline steps (the opening's is the hook)."""
    scene = script.scenes[position]
    words = scene.on_screen_text
    if canvas.look == LookKind.TYPE and words == spec.product_name:
        # The hero is the name already: the headline says something else.
        words = PHRASEBOOKS[spec.style].headlines["hook"][0]
    layout = canvas.layout
    hook = position == 0
    face = TYPOGRAPHY[spec.style].headline

    def make() -> list[Step]:
        headline = word_by_word(
            words,
            face,
            layout.hook if hook else layout.headline,
            layout.hook_size if hook else layout.headline_size,
            headline_colour(canvas.palette),
            spec.fps,
            frames,
            max_lines=3 if hook else 2,
            min_ink=round(layout.height * HOOK_INK) if hook else 0,
        )
        steps: list[Step] = []
        for k, step in enumerate(headline.steps):
            path = out_dir / f"scene_{scene.index}_headline_{k}.png"
            _save(step.image, path)
            steps.append(
                Step(
                    path=relative_to_work(path, spec.work_dir),
                    x=headline.box.x,
                    y=headline.box.y,
                    frame=step.frame,
                )
            )
        return steps

    return make


__all__ = ["draw_video", "in_thread"]
