"""Motion in layers, on decoded frames of a real 20 s ad: the cut-out product moves against its
backdrop (and stays inside the rect the plan claims for it), a cut on a beat lands with a scale
punch, shots slide into each other and the last scene zooms through into the end card, whose
price tag slides in; the headline's words rise into place; the frame count stays exact and the
end card still starts on an IDR frame.

The product is pure green photographed on white (so it is cut out); the picture is read from
the real filter graph without headlines and captions (rawvideo, no encode in between), except
where the encoded ad itself is the point.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from domain.enums import Style
from pipeline.compositing.filtergraph import build_graph
from pipeline.shared.ffmpeg import ffmpeg_exe
from pipeline.video.plan import (
    CUT,
    LayerMotion,
    RenderPlan,
    ScenePlan,
    Shot,
    TransitionKind,
)
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.pipeline.video.test_nothing_over_the_product import green, product_photo

pytestmark = pytest.mark.slow(seconds=12)


class Ad:
    def __init__(self, work_dir: Path, plan: RenderPlan) -> None:
        self.work_dir = work_dir
        self.plan = plan

    def shot(self, test: Callable[[Shot], bool]) -> Shot:
        found = [s for s in self.plan.shots if test(s)]
        assert found, [(s.kind, s.enter.kind, s.punch, s.layer) for s in self.plan.shots]
        return found[0]


@pytest.fixture(scope="module")
def ad(tmp_path_factory: pytest.TempPathFactory) -> Ad:
    folder = tmp_path_factory.mktemp("motion")
    spec = make_spec(
        folder / "job",
        style=Style.MINIMAL,
        total_seconds=20.0,
        product_image=product_photo(folder / "photo.jpg", busy=False),
        product_name="Verdant Bottle",
        price="$19",
        description="A steel bottle that keeps drinks cold for a day. It fits every cup holder.",
    )
    done = asyncio.run(run_pipeline(spec))
    assert done.video is not None
    plan = RenderPlan.model_validate_json((spec.work_dir / done.video.plan).read_text())
    return Ad(spec.work_dir, plan)


def bare(plan: RenderPlan, work_dir: Path, first: int, last: int) -> np.ndarray:
    """Frames `first`..`last` (inclusive) of the picture, without headlines and captions, RGB."""
    scenes = [scene.model_copy(update={"headline": []}) for scene in plan.scenes]
    plain = plan.model_copy(update={"scenes": scenes, "captions": None})
    graph, video = build_graph(plain, work_dir, None)
    trim = f"trim=start_frame={first}:end_frame={last + 1},setpts=PTS-STARTPTS"
    chain = f"{video}{trim},format=rgb24[out]"
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", *graph.args(),
            "-filter_complex", f"{graph.script()};\n{chain}",
            "-map", "[out]", "-f", "rawvideo", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    frames = np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width, 3)
    assert len(frames) == last - first + 1
    return frames


def centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize("motion", [LayerMotion.PARALLAX, LayerMotion.FLOAT])
def test_the_product_moves_against_its_backdrop(
    ad: Ad, tmp_path: Path, motion: LayerMotion
) -> None:
    """The shot alone through the real graph, its backdrop still swapped for a texture (the
    style's backdrops are too smooth to track): the backdrop's shift between the shot's first
    and last frames (phase correlation, over rows the product never reaches) and the product's
    (its mask's centroid) differ, and every frame's product stays inside the plan's rect."""
    shot = ad.shot(lambda s: s.layer is not None and s.layer.motion == motion)
    still = Image.open(ad.work_dir / shot.image)
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 255, (still.height // 6, still.width // 6), dtype=np.uint8)
    texture = cv2.resize(noise, still.size, interpolation=cv2.INTER_CUBIC)
    Image.fromarray(texture).convert("RGB").save(tmp_path / "texture.jpg", quality=95)
    alone = shot.model_copy(
        update={"frame": 0, "image": str(tmp_path / "texture.jpg"), "punch": None, "enter": CUT}
    )
    scene = ScenePlan(index=1, start_frame=0, frames=shot.frames, shots=[alone])
    plan = ad.plan.model_copy(
        update={"scenes": [scene], "total_frames": shot.frames, "end_card": None}
    )
    frames = bare(plan, ad.work_dir, 0, shot.frames - 1)
    a, b = frames[1], frames[-2]
    assert shot.product is not None
    band = slice(0, max(8, shot.product.y - 4))  # backdrop only, above the product's path
    grey = [cv2.cvtColor(f[band], cv2.COLOR_RGB2GRAY).astype(np.float32) for f in (a, b)]
    (dx, dy), response = cv2.phaseCorrelate(grey[0], grey[1])
    assert response > 0.2, response
    backdrop = np.array([dx, dy])
    product = centroid(green(b)) - centroid(green(a))
    relative = float(np.linalg.norm(product - backdrop))
    assert relative > 0.02 * plan.height, (product, backdrop)
    if motion == LayerMotion.PARALLAX:  # against the backdrop's drift
        assert float(np.dot(product, backdrop)) < 0, (product, backdrop)
    else:  # rising
        assert product[1] < -0.01 * plan.height, product
    rect = shot.product
    for frame in frames:
        ys, xs = np.nonzero(green(frame))
        assert xs.min() >= rect.x - 2 and xs.max() <= rect.x + rect.w + 2, (xs.min(), rect)
        assert ys.min() >= rect.y - 2 and ys.max() <= rect.y + rect.h + 2, (ys.min(), rect)


def test_a_cut_on_a_beat_lands_with_a_punch(ad: Ad) -> None:
    shot = ad.shot(lambda s: s.punch is not None and s.layer is not None)
    assert shot.punch is not None and shot.beat is not None
    frames = bare(ad.plan, ad.work_dir, shot.frame, shot.frame + shot.punch.frames + 1)
    areas = [int(green(f).sum()) for f in frames]
    # Enlarged on the beat (by up to zoom², minus the first frame's easing), then at rest.
    assert areas[0] > 1.08 * areas[-1], areas
    assert areas[0] > areas[2] > areas[-1] * 0.99, areas


def test_a_shot_slides_in(ad: Ad) -> None:
    """Mid-slide, the frame is the shot before pushed left and the next one coming in from the
    right: its left part matches the one before shifted by some offset, its right part the
    next one's left edge, and it is neither whole."""
    shot = ad.shot(lambda s: s.enter.kind == TransitionKind.SLIDE)
    t = shot.enter.frames
    frames = bare(ad.plan, ad.work_dir, shot.frame - 1, shot.frame + t).astype(np.int16)
    before, mid, after = frames[0], frames[1 + t // 2], frames[-1]
    width = ad.plan.width
    assert np.abs(mid - before).mean() > 12 and np.abs(mid - after).mean() > 12
    errors = {}
    for s in range(width // 10, width - width // 10):
        left = np.abs(mid[:, : width - s] - before[:, s:]).mean()
        right = np.abs(mid[:, width - s :] - after[:, :s]).mean()
        errors[s] = (left * (width - s) + right * s) / width
    offset = min(errors, key=errors.__getitem__)
    assert errors[offset] < 6, (offset, errors[offset])


def test_the_last_scene_zooms_through_into_the_end_card(ad: Ad) -> None:
    end = ad.plan.scenes[-1]
    enter = end.shots[0].enter
    assert enter.kind == TransitionKind.ZOOM
    t = enter.frames
    frames = bare(ad.plan, ad.work_dir, end.start_frame - 1, end.start_frame + t + 1)
    frames = frames.astype(np.int16)
    before, start, mid, after = frames[0], frames[1], frames[1 + t // 2], frames[-1]
    assert np.abs(start - before).mean() < 4  # it starts from the scene before's last frame
    assert np.abs(after - before).mean() > 15  # and ends on the end card
    assert np.abs(mid - before).mean() > 8 and np.abs(mid - after).mean() > 8


def test_the_price_tag_slides_in(ad: Ad) -> None:
    card = ad.plan.end_card
    assert card is not None and card.tag is not None and card.tag_box is not None
    end = ad.plan.scenes[-1]
    tag, box = card.tag, card.tag_box
    first = end.start_frame + tag.delay
    frames = bare(ad.plan, ad.work_dir, first, first + tag.frames + 2).astype(np.int16)
    rows = slice(box.y + 2, box.y + box.h - 2)
    empty = frames[0][rows]
    lefts = []
    for frame in frames:
        changed = np.abs(frame[rows] - empty).max(axis=(0, 2)) > 40
        columns = np.nonzero(changed)[0]
        lefts.append(int(columns.min()) if len(columns) else ad.plan.width)
    assert lefts[0] == ad.plan.width  # not in yet
    assert len(set(lefts)) >= 4, lefts  # moving
    assert abs(lefts[-1] - box.x) <= 3, (lefts, box)  # landed where the plan says
    landed = frames[-1][box.y : box.y + box.h, box.x : box.x + box.w]
    assert np.abs(landed - frames[-2][box.y : box.y + box.h, box.x : box.x + box.w]).mean() < 2


def test_headline_words_rise_into_place(ad: Ad) -> None:
    steps = ad.plan.scenes[0].headline
    alphas = [np.asarray(Image.open(ad.work_dir / s.path).getchannel("A")) for s in steps[:3]]
    # The first word faint and low, then higher and firmer, then in place.
    heights = [float(np.nonzero(a > 8)[0].mean()) for a in alphas]
    ink = [int(a.astype(np.int64).sum()) for a in alphas]
    assert heights[0] > heights[1] > heights[2], heights
    assert ink[0] < ink[1] < ink[2], ink
    assert [s.frame for s in steps[:3]] == [0, 1, 2]


def test_the_frame_count_is_exact_and_the_end_card_starts_on_an_idr(ad: Ad) -> None:
    ad_file = ad.work_dir / "ad.mp4"
    counted = subprocess.run(
        [ffmpeg_exe(), "-nostdin", "-i", str(ad_file), "-map", "0:v:0", "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stderr  # fmt: skip
    assert int(re.findall(r"frame=\s*(\d+)", counted)[-1]) == ad.plan.total_frames
    keys = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-skip_frame", "nokey", "-i", str(ad_file),
            "-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-",
        ],
        capture_output=True, text=True, check=True, timeout=60,
    ).stderr  # fmt: skip
    times = [float(t) for t in re.findall(r"pts_time:([0-9.]+)", keys)]
    end_card = ad.plan.scenes[-1].start_frame / ad.plan.fps
    assert any(abs(t - end_card) < 0.5 / ad.plan.fps for t in times), (end_card, times)
