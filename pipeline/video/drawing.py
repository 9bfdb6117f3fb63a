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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from domain.colour import luminance
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
from pipeline.shared.fonts import fonts_dir, load
from pipeline.spec import JobSpec, ProgressFn, needs
from pipeline.video import artwork, brand, framings, legibility, motion, shots
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
from pipeline.video.layout import Layout, arranged, layout_for
from pipeline.video.plan import (
    CAPTIONS_FILE,
    PLAN_FILE,
    EndCard,
    Layer,
    LookKind,
    Mark,
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
from pipeline.video.textcards import (
    LINE_SPACING,
    FittedText,
    ass_tokens,
    fit_text,
    hex_rgba,
    libass_size,
    text_width,
    win_metrics,
)

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
        palette = brand.palette(spec, artwork.palette_for(spec.style, base, None))
        face = brand.typography(spec).headline
        return Look(
            LookKind.TYPE,
            artwork.wordmark_hero(spec.product_name, spec.style, layout, palette, face),
            palette,
            [],
        )
    photos = [_analysed(path, number) for number, path in enumerate(paths, start=1)]
    first = photos[0]
    palette = brand.palette(spec, artwork.palette_for(spec.style, base, first.accent))
    if first.cutout.confident:
        hero = artwork.cutout_hero(first.cutout.image, layout, palette)
        return Look(LookKind.CUTOUT, hero, palette, photos)
    return Look(LookKind.PHOTO, artwork.photo_hero(first.image, layout), palette, photos)


def cta_fit(cta: str, spec: JobSpec, layout: Layout) -> FittedText:
    """The call-to-action as it is set on its button: up to two lines, the button's padding
    and height inside the CTA box (the captions draw the words, lit as they are said)."""
    face = brand.typography(spec).caption
    box = layout.end_cta
    return fit_text(cta, face, round(box.w * 0.8), round(box.h / 1.9), layout.cta_size, 2)


def name_fit(spec: JobSpec, layout: Layout) -> FittedText:
    """The end card's name as set in its box, up to two lines. libass sets lines a face's
    ascent and descent apart (its OS/2 win metrics), not LINE_SPACING ems: fitted to that."""
    face = brand.typography(spec).headline
    box = layout.end_name
    ascent, descent = win_metrics(face)
    lines_h = round(box.h * LINE_SPACING / (ascent + descent))
    return fit_text(spec.product_name, face, _name_width(layout), lines_h, layout.name_size, 2)


def _name_width(layout: Layout) -> int:
    """The width the name is set in: its box's, a little narrower (libass measures a line a
    few pixels wider than Pillow does); the Name style has no margins, so libass wraps no line
    of it that fits the frame (at 1080p it had re-wrapped 'Trailhead Dome Tent' to three)."""
    box = layout.end_name
    return box.w - round(box.w * 0.03)


def _name_height(fitted: FittedText) -> int:
    """How tall libass sets the name: its lines, a face's ascent and descent apart."""
    return len(fitted.lines) * libass_size(fitted)


def _ink_offset(fitted: FittedText) -> int:
    """How far below the top of its line box libass draws the first line's highest ink, so
    the name's letters, not its line box, start at the top of its box (the safe zone's top in
    portrait: the band above stays under 15% of the frame)."""
    ascent, _ = win_metrics(fitted.face)
    top = load(fitted.face, fitted.size).getbbox(fitted.lines[0], anchor="ls")[1]  # above: < 0
    return max(0, round(ascent * fitted.size + top))


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
    backings: Backings | None = None,
    name: FittedText | None = None,
) -> str:
    """The ASS document: captions for scenes 1-3, and on the end card the name and the
    call-to-action (on its button, at `cta_fit`'s size) lit word by word as they are said.
    The captions' and the name's inks are chosen from what they are laid over (`backings`;
    without it: white, outlined, as over any dark picture)."""
    typography = brand.typography(spec)
    # The end card's name and call-to-action at the size that fits their boxes (libass wraps
    # them the same way Pillow measures them).
    name = name or name_fit(spec, layout)
    cta_box = layout.end_cta
    under = backings or Backings(legibility.Backing(), legibility.Backing())
    name_ink = legibility.treatment(under.name)
    lit = artwork.lit_for_dark(look.palette.accent, 0.4)
    # Captions stand on a plate unless both their white and their lit words read over
    # everything under them.
    plain = legibility.treatment(under.captions)
    on_plate = plain.plate or plain.ink != legibility.WHITE
    if not on_plate:
        brightest, _ = under.captions.extremes()
        on_plate = legibility.ratio(luminance(lit), brightest) < artwork.READABLE
    caption_style = CaptionStyle(
        font=typography.caption.family,
        size=layout.caption_size,
        cta_font=typography.caption.family,
        cta_size=cta_fit.size,
        name_font=typography.headline.family,
        name_size=libass_size(name),
        # The captions' and the call-to-action's (set on its dark, opaque button).
        accent=lit,
        text="#ffffff",
        name_text=name_ink.ink,
        name_accent=legibility.accent_on(look.palette.accent, name_ink, under.name),
        name_halo=name_ink.halo,
        name_plate=name_ink.plate,
        plate=on_plate,
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
        name_top=(
            (layout.end_name.centre[0], layout.end_name.y - _ink_offset(name))
            if show_name
            else None
        ),
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
        shown = spec.product_name.upper() if typography.headline.upper else spec.product_name
        if frame.name_top is not None:
            said_name = lead if lead_is_name else []
            tokens = ass_tokens(shown, typography.headline, name.size, _name_width(layout))
            events += lit_events(
                tokens, said_name, caption_style, frame.name_top, "Name", start, end, anchor=8
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
        logo = await in_thread(brand.logo, spec)
        canvas = shots.Canvas(
            layout,
            spec.style,
            look.palette,
            look.kind,
            look.photos,
            look.hero,
            spec.product_name,
            logo,
        )
        moving = len(template.scenes) - 1
        counts = [shot_count((ends[i] - starts[i]) / spec.fps) for i in range(len(starts))]
        kinds = framings.sequence(look.kind, counts[:moving])
        # The end card spread by the product's shape; without a photo the hero is the name
        # itself, and the end card shows no second name.
        subject = shots.trimmed(look.photos[0].subject if look.photos else look.hero)
        named = name_fit(spec, layout)
        end_layout = arranged(
            layout,
            subject.width / max(1, subject.height),
            named=look.kind != LookKind.TYPE,
            priced=bool(spec.price),
            name_h=_name_height(named),
        )
        cta = cta_fit(script.cta, spec, end_layout)
        cta_width = max(text_width(line, cta.face, cta.size) for line in cta.lines)
        button = shots.button_rect(end_layout, cta_width, cta.size)
        end_canvas = replace(canvas, layout=end_layout)
        scenes, backings = await _draw_scenes(
            spec, canvas, end_canvas, script, kinds, counts, starts, ends, beats, button, out_dir
        )
        tag, tag_box = await in_thread(_price_tag, spec, end_canvas, scenes[-1], out_dir)
        await progress(85)
        scene_starts = [s / spec.fps for s in starts]
        ass = captions(
            script, voice, scene_starts, total_frames / spec.fps, spec, look, end_layout, cta,
            backings, named,
        )  # fmt: skip
        write_text_atomic(out_dir / CAPTIONS_FILE, ass)
        fonts_dir(out_dir, brand.faces(spec))  # the faces libass draws the captions with
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
            mark=await _mark(logo, layout, out_dir, spec, starts[-1]),
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


async def _mark(
    logo: Image.Image | None, layout: Layout, out_dir: Path, spec: JobSpec, until: int
) -> Mark | None:
    """The brand kit's logo as a small mark over the ad until the end card (which shows it
    large), or None without a logo."""
    if logo is None:
        return None
    image, x, y = brand.mark(logo, layout)
    path = out_dir / "mark.png"
    await in_thread(_save, image, path)
    return Mark(image=relative_to_work(path, spec.work_dir), x=x, y=y, until_frame=until)


@dataclass(frozen=True)
class Backings:
    """What the captions and the end card's name are read over (pipeline.video.legibility)."""

    captions: legibility.Backing
    name: legibility.Backing


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
    end_canvas: shots.Canvas,
    script: AdScript,
    kinds: list[list[ShotKind]],
    counts: list[int],
    starts: list[int],
    ends: list[int],
    beats: list[float],
    button: Rect,
    out_dir: Path,
) -> tuple[list[ScenePlan], Backings]:
    """Every scene's shots and headline, the stills drawn on DRAWING_THREADS threads, and the
    pixels the captions and the end card's name are laid over."""
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

    layout = canvas.layout
    backings = [legibility.Backing() for _ in kinds]  # under each scene's headline
    under_captions = legibility.Backing()
    under_name = legibility.Backing()
    lock = threading.Lock()

    def draw(job: _Job) -> Shot:
        path = out_dir / f"shot_{job.scene + 1}_{job.frame}.jpg"
        product: Rect | None
        layer: Layer | None = None
        if job.kind == ShotKind.END:
            card = shots.end_card(end_canvas, job.variant, button, job.photo)
            still, start, end, product = card.image, (0, 0), (0, 0), card.product
            with lock:
                under_name.add(still, end_canvas.layout.end_name)
            photos = [job.photo] if job.photo is not None else []
        else:
            room = shots.text_free(canvas.layout, hook=job.scene == 0)
            drawn = framings.framing(job.kind, job.photo, job.variant).draw(
                shots.within(canvas, room)
            )
            still, start, end, product = drawn.image, drawn.start, drawn.end, drawn.product
            photos = list(drawn.photos)
            box = layout.hook if job.scene == 0 else layout.headline
            with lock:
                for window in (start, end):
                    backings[job.scene].add(still, box, window)
                    under_captions.add(still, layout.captions, window)
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

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(DRAWING_THREADS, thread_name_prefix="stills") as pool:
        # The shots first: each headline's ink (or plate) is chosen from the pixels of the
        # shots it is laid over (pipeline.video.legibility).
        shot_futures = asyncio.gather(*(loop.run_in_executor(pool, draw, job) for job in jobs))
        try:
            drawn_shots = await asyncio.shield(shot_futures)
        except asyncio.CancelledError:
            await asyncio.gather(shot_futures, return_exceptions=True)
            raise
        preferred = brand.text_ink(spec)
        headlines = [
            _headline(spec, canvas, script, position, ends[position] - starts[position],
                      out_dir, legibility.treatment(backings[position], preferred=preferred))
            for position in range(len(kinds))
        ]  # fmt: skip
        head_futures = asyncio.gather(*(loop.run_in_executor(pool, make) for make in headlines))
        try:
            drawn_heads = await asyncio.shield(head_futures)
        except asyncio.CancelledError:
            await asyncio.gather(head_futures, return_exceptions=True)
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
    return scenes, Backings(under_captions, under_name)


def _headline(
    spec: JobSpec,
    canvas: shots.Canvas,
    script: AdScript,
    position: int,
    frames: int,
    out_dir: Path,
    ink: legibility.Treatment,
) -> Callable[[], list[Step]]:
    """A call that draws one moving scene's headline steps (the opening's is the hook)."""
    scene = script.scenes[position]
    words = scene.on_screen_text
    if canvas.look == LookKind.TYPE and words == spec.product_name:
        # The hero is the name already: the headline says something else.
        words = PHRASEBOOKS[spec.style].headlines["hook"][0]
    layout = canvas.layout
    hook = position == 0
    face = brand.typography(spec).headline

    def make() -> list[Step]:
        headline = word_by_word(
            words,
            face,
            layout.hook if hook else layout.headline,
            layout.hook_size if hook else layout.headline_size,
            hex_rgba(ink.ink),
            spec.fps,
            frames,
            max_lines=3 if hook else 2,
            min_ink=round(layout.height * HOOK_INK) if hook else 0,
            halo=hex_rgba(ink.halo),
            plate=ink.plate_rgba if ink.plate else None,
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
