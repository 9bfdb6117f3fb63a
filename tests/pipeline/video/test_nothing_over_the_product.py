"""Nothing is laid over the product: on decoded frames of real renders, no headline or caption
pixel falls on the product, through every framing of scenes 1-3, in every frame shape.

The product is pure green, photographed on white (cut out) and in a busy scene (shown as the
photo is). The ad takes its accent from the product, so its lit words are green too: the
product's pixels are read from the picture rendered through the real filter graph without its
text, and the text's pixels are the headline images where the plan shows them and the captions
as libass draws them for that moment.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from domain.enums import AspectRatio, Style
from pipeline.compositing.filtergraph import build_graph
from pipeline.shared.ffmpeg import ffmpeg_exe
from pipeline.video.plan import RenderPlan
from tests.pipeline.conftest import make_spec, run_pipeline, text_frames

FPS = 4
RESOLUTION = 540


def product_photo(path: Path, busy: bool) -> Path:
    rng = np.random.default_rng(7)
    if busy:  # a scene: mottled greys and browns, the product standing in it
        noise = rng.integers(60, 200, (90, 120, 3), dtype=np.uint8)
        noise[..., 1] = noise[..., 0] // 2 + 40  # no green in the scene itself
        image = Image.fromarray(noise).resize((1200, 900), Image.Resampling.BICUBIC)
    else:
        image = Image.new("RGB", (1200, 900), "#f4f4f2")
    ImageDraw.Draw(image).rounded_rectangle((460, 180, 760, 780), radius=50, fill=(0, 230, 0))
    image.save(path, quality=95)
    return path


def bare_frames(plan: RenderPlan, work_dir: Path, end: float) -> list[np.ndarray]:
    """The picture without its headlines and captions, FPS frames a second up to `end`."""
    scenes = [scene.model_copy(update={"headline": []}) for scene in plan.scenes]
    bare = plan.model_copy(update={"scenes": scenes, "captions": None})
    graph, video = build_graph(bare, work_dir, None)
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", *graph.args(),
            "-filter_complex", f"{graph.script()};\n{video}fps={FPS},format=rgb24[out]",
            "-map", "[out]", "-t", f"{end:.3f}", "-f", "rawvideo", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return list(np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width, 3))


def green(frame: np.ndarray) -> np.ndarray:
    """The product's pixels: green areas, less thin green lines (a style's accent rule in its
    backdrop is the product's colour too, and is no product)."""
    r, g, b = (frame[..., k].astype(np.int16) for k in range(3))
    mask = ((g > 150) & (g - r > 90) & (g - b > 90)).astype(np.uint8)
    kernel = np.ones((7, 7), np.uint8)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel).astype(bool)


def headline_mask(spec_dir: Path, plan: RenderPlan, frame_no: int) -> np.ndarray:
    """The headline image shown at `frame_no` (alpha > 0), in frame pixels."""
    mask = np.zeros((plan.height, plan.width), bool)
    for scene in plan.scenes:
        if not scene.start_frame <= frame_no < scene.start_frame + scene.frames:
            continue
        shown = [s for s in scene.headline if scene.start_frame + s.frame <= frame_no]
        if shown:
            step = shown[-1]
            alpha = np.asarray(Image.open(spec_dir / step.path).getchannel("A")) > 24
            h = min(alpha.shape[0], plan.height - step.y)
            w = min(alpha.shape[1], plan.width - step.x)
            mask[step.y : step.y + h, step.x : step.x + w] |= alpha[:h, :w]
    return mask


@pytest.mark.slow(seconds=10)
@pytest.mark.parametrize("aspect", list(AspectRatio))
@pytest.mark.parametrize("busy", [False, True], ids=["on-white", "in-a-scene"])
async def test_no_text_pixel_on_the_product(
    tmp_path: Path, aspect: AspectRatio, busy: bool
) -> None:
    photo = product_photo(tmp_path / "photo.jpg", busy)
    spec = make_spec(
        tmp_path / "job",
        style=Style.MINIMAL,
        aspect_ratio=aspect,
        total_seconds=10.0,
        resolution=RESOLUTION,
        product_image=photo,
        product_name="Verdant Bottle",
        description="A steel bottle that keeps drinks cold for a day. It fits every cup holder.",
    )
    done = await run_pipeline(spec)
    assert done.video is not None
    plan = RenderPlan.model_validate_json((spec.work_dir / done.video.plan).read_text())
    end_card = plan.scenes[-1].start_frame / plan.fps
    frames = bare_frames(plan, spec.work_dir, end_card - 0.05)
    captions = text_frames(spec, plan, fps=FPS)
    seen = 0
    for k, frame in enumerate(frames):
        product = green(frame)
        if product.sum() < 50:
            continue
        seen += 1
        frame_no = round(k / FPS * plan.fps)
        text = headline_mask(spec.work_dir, plan, frame_no) | (captions[k] > 60)
        assert not (text & product).any(), (k / FPS, int((text & product).sum()))
    # The product was on screen, so the check looked at it (in a scene, a close-up may still
    # frame the scene around it).
    assert seen >= (0.5 if busy else 0.8) * len(frames)
