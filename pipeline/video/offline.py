"""video_gen, offline provider: draws each scene's layers and writes the render plan.

Measured choice (bench/render.py, 30 s portrait on 2 cores): encoding scene clips here, even
with x264 ultrafast, costs a full extra encode (~3 s of the 8 s budget at 1080x1920) plus a
decode in compositing, and lossless intermediates run to gigabytes. So this stage encodes
nothing: it writes pre-sized PNG layers (background per scene, the product, headlines, caption
chunks, the end card) and `video/plan.json` (`pipeline.video.plan`), and compositing animates
and encodes them in its one ffmpeg graph. The camera motion is applied to the product layer, not
the full frame, so ffmpeg scales a product-sized image per frame instead of a 2-megapixel one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from domain.enums import AspectRatio
from domain.outputs import Completed, VideoOutput
from domain.script import AdScript
from domain.templates import get_template
from pipeline.errors import StageError
from pipeline.script.model import completed_script
from pipeline.shared.files import (
    atomic_output,
    relative_to_work,
    remove_temp_files,
    write_text_atomic,
)
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.video.artwork import background, end_card, product_card, product_photo, save_png
from pipeline.video.captions import caption_chunks
from pipeline.video.layout import Layout, layout_for
from pipeline.video.plan import (
    CaptionPlan,
    Placed,
    RenderPlan,
    ScenePlan,
    scene_frames,
    transition_frames,
)
from pipeline.video.textcards import hex_rgba, pill, place_in, text_in_box

PROVIDER = "ffmpeg-motion"
VIDEO_DIR = "video"
PLAN_FILE = "plan.json"
HEADLINE_SCALE = {"light": 0.82, "regular": 0.9, "bold": 1.0, "black": 1.0}
CAPTION_PLATE = (0, 0, 0, 165)
T = TypeVar("T")


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking Pillow work off the event loop. On cancellation, wait for the (short) call to
    end before re-raising, so no thread is still writing into work_dir after we clean up."""
    future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


def _save(image: Image.Image, path: Path) -> None:
    with atomic_output(path) as tmp:
        save_png(image, tmp)


def caption_words(aspect: AspectRatio) -> int:
    return 5 if aspect is AspectRatio.PORTRAIT else 7


class SceneArtist:
    """Draws and saves one job's layers; each method is one asset, run in a worker thread."""

    def __init__(self, spec: JobSpec, script: AdScript, layout: Layout, out_dir: Path) -> None:
        self.spec = spec
        self.script = script
        self.layout = layout
        self.out_dir = out_dir
        self.template = get_template(spec.style)
        self.palette = self.template.scenes[0].palette

    def rel(self, path: Path) -> str:
        return relative_to_work(path, self.spec.work_dir)

    def product(self) -> Image.Image:
        side = self.layout.product.w
        if self.spec.product_image is not None:
            try:
                return product_photo(self.spec.product_image, side)
            except (OSError, ValueError) as exc:
                raise StageError(f"the product image could not be read: {exc}") from exc
        weight = self.template.scenes[0].font_weight
        return product_card(self.spec.product_name, self.palette, weight, side)

    def save_product(self, image: Image.Image) -> Placed:
        path = self.out_dir / "product.png"
        _save(image, path)
        return Placed(path=self.rel(path), x=self.layout.product.x, y=self.layout.product.y)

    def save_background(self, index: int) -> str:
        path = self.out_dir / f"scene_{index}_bg.png"
        _save(background(self.layout, self.palette, index), path)
        return self.rel(path)

    def save_headline(self, index: int) -> Placed:
        scene = self.template.scenes[index - 1]
        size = round(self.layout.headline_size * HEADLINE_SCALE.get(scene.font_weight, 1.0))
        text = self.script.scenes[index - 1].on_screen_text
        image = text_in_box(
            text, self.layout.headline, size, scene.font_weight, hex_rgba(self.palette.text), 2
        )
        spot = place_in(image, self.layout.headline, "centre")
        path = self.out_dir / f"scene_{index}_headline.png"
        _save(image, path)
        return Placed(path=self.rel(path), x=spot.x, y=spot.y)

    def save_end_card(self, product: Image.Image) -> str:
        scene = self.template.scenes[-1]
        image = end_card(
            self.layout,
            self.palette,
            product,
            self.spec.product_name,
            self.script.cta,
            scene.font_weight,
        )
        path = self.out_dir / f"scene_{scene.index}_card.png"
        _save(image, path)
        return self.rel(path)

    def save_captions(self, index: int) -> list[CaptionPlan]:
        text = self.script.scenes[index - 1].voiceover_text
        box = self.layout.captions
        plans = []
        for k, chunk in enumerate(caption_chunks(text, caption_words(self.spec.aspect_ratio)), 1):
            image = pill(
                chunk.text,
                box,
                self.layout.caption_size,
                "bold",
                CAPTION_PLATE,
                (255, 255, 255, 255),
            )
            spot = place_in(image, box, "bottom")
            path = self.out_dir / f"caption_{index}_{k}.png"
            _save(image, path)
            plans.append(
                CaptionPlan(
                    scene_index=index,
                    image=Placed(path=self.rel(path), x=spot.x, y=spot.y),
                    start_fraction=chunk.start_fraction,
                    end_fraction=chunk.end_fraction,
                )
            )
        return plans


async def generate_video(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
    """video_gen stage: layers + plan under work_dir/video/. Re-running overwrites them."""
    script = completed_script(completed, "video_gen")
    layout = layout_for(spec.aspect_ratio)
    out_dir = spec.work_dir / VIDEO_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    artist = SceneArtist(spec, script, layout, out_dir)
    template = artist.template
    durations = [scene.duration_seconds for scene in script.scenes]
    starts, total_frames = scene_frames(durations, spec.fps)
    steps = 1 + 2 * len(template.scenes)
    done = 0

    async def step() -> None:
        nonlocal done
        done += 1
        await progress(min(99, 100 * done // steps))

    await progress(0)
    try:
        product = await in_thread(artist.product)
        placed_product = await in_thread(artist.save_product, product)
        await step()
        scenes: list[ScenePlan] = []
        captions: list[CaptionPlan] = []
        for i, scene in enumerate(template.scenes):
            last = i == len(template.scenes) - 1
            end = total_frames if last else starts[i + 1]
            overlap = transition_frames(scene, durations[i], spec.fps, last)
            if scene.is_static:
                bg = await in_thread(artist.save_end_card, product)
                headline = None
            else:
                bg = await in_thread(artist.save_background, scene.index)
                headline = await in_thread(artist.save_headline, scene.index)
            await step()
            scenes.append(
                ScenePlan(
                    index=scene.index,
                    start_frame=starts[i],
                    frames=end - starts[i] + overlap,
                    transition=scene.transition if overlap else "cut",
                    transition_frames=overlap,
                    background=bg,
                    motion="static" if scene.is_static else scene.camera_motion,
                    product=None if scene.is_static else placed_product,
                    product_side=layout.product.w,
                    headline=headline,
                )
            )
            captions += await in_thread(artist.save_captions, scene.index)
            await step()
        plan = RenderPlan(
            width=layout.width,
            height=layout.height,
            fps=spec.fps,
            total_frames=total_frames,
            scenes=scenes,
            captions=captions,
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
