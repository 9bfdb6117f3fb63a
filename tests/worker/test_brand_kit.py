"""A job made with a brand kit, through a real worker: its colour, its logo and its font are in
the rendered ad (frames decoded with ffmpeg; the logo found by template matching; the headline
compared with one set in the kit's font with Pillow)."""

from __future__ import annotations

import io
import json

import cv2
import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.enums import AspectRatio, JobStatus, Style
from pipeline.script.lines import PHRASEBOOKS
from pipeline.shared.fonts import TYPOGRAPHY, Face
from pipeline.video import brand, legibility
from pipeline.video.headlines import word_by_word
from pipeline.video.layout import layout_for
from pipeline.video.textcards import hex_rgba
from settings import Settings
from tests.factories import gql, job_input
from tests.probe import decoded_frames
from tests.resolvers.test_brand_kits import CREATE, font_file, send
from tests.worker.conftest import load, run_worker

PRIMARY = (0x7A, 0x1F, 0xA2)  # a purple no style draws
KIT = {"name": "Violet", "primaryColor": "#7a1fa2", "accentColor": "#16c79a",
       "textColor": "#ffffff"}  # fmt: skip


def logo() -> Image.Image:
    """Opaque and full of edges (quadrants and a ring), so that a match is unmistakable."""
    image = Image.new("RGBA", (160, 120), (250, 250, 250, 255))
    image.paste((230, 120, 20, 255), (0, 0, 80, 60))
    image.paste((20, 90, 200, 255), (80, 60, 160, 120))
    ImageDraw.Draw(image).ellipse((50, 30, 110, 90), outline=(10, 10, 10, 255), width=8)
    return image


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def best_match(frame: np.ndarray, template: Image.Image) -> tuple[float, tuple[int, int]]:
    scores = cv2.matchTemplate(frame, np.asarray(template.convert("RGB")), cv2.TM_CCOEFF_NORMED)
    _, score, _, where = cv2.minMaxLoc(scores)
    return float(score), (int(where[0]), int(where[1]))


@pytest.mark.slow
async def test_the_ad_wears_the_kit(
    api: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    made = await send(
        api, CREATE, {"input": dict(KIT)},
        {"logo": png(logo()), "headingFontFile": font_file("XCharter/XCharter-Bold.otf")}, {},
    )  # fmt: skip
    kit_id = made["createBrandKit"]["brandKit"]["id"]
    created = await gql(
        api,
        "mutation($i: CreateJobInput!){ createJob(input: $i){ job { id } errors { code } } }",
        {"i": job_input(style="LUXURY", aspectRatio="PORTRAIT", brandKitId=kit_id)},
    )
    job_id = created["data"]["createJob"]["job"]["id"]
    await run_worker(settings)
    job, _ = await load(engine, job_id)
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert job.video_path is not None

    frames = decoded_frames(settings.media_root / job.video_path, fps=5)
    plan = json.loads((settings.media_root / f"jobs/{job_id}/video/plan.json").read_text())
    layout = layout_for(AspectRatio.PORTRAIT, settings.ad_resolution)

    # The backdrop is the kit's primary colour (graded lighter and darker around it).
    near = [float(np.mean(np.abs(f.astype(int) - PRIMARY).max(axis=2) < 24)) for f in frames]
    assert max(near) > 0.15, near

    # The logo on the end card, centred over the product, just above it (the product's box as
    # the plan records it: the end card is arranged by the product's shape).
    fitted, _, _ = brand.end_card_logo(logo(), layout.end_hero, layout)
    score, at = best_match(frames[-1], fitted)
    assert score > 0.85, score
    product = plan["scenes"][-1]["shots"][-1]["product"]
    assert abs(at[0] + fitted.width // 2 - (product["x"] + product["w"] // 2)) <= 3
    assert 0 <= product["y"] - (at[1] + fitted.height) <= round(layout.height * 0.05)
    # And as a small mark in the corner before it.
    mark, x, y = brand.mark(logo(), layout)
    score, at = best_match(frames[1], mark)
    assert score > 0.7 and abs(at[0] - x) <= 2 and abs(at[1] - y) <= 2, (score, at, (x, y))

    # The second scene's headline, set in the kit's font: exactly what Pillow draws with it,
    # and not what the style's own face would draw.
    script = await gql(api, "query($id: ID!){ job(id: $id){ productName script { scenes {"
                       " onScreenText } } } }", {"id": job_id})  # fmt: skip
    words = script["data"]["job"]["script"]["scenes"][1]["onScreenText"]
    if words == job.product_name:  # the wordmark is the name already (drawing._headline)
        words = PHRASEBOOKS[Style.LUXURY].headlines["hook"][0]
    scene = plan["scenes"][1]
    drawn = np.asarray(
        Image.open(settings.media_root / "jobs" / job_id / scene["headline"][-1]["path"])
    )
    assert job.brand is not None
    kit_font = Face(str(settings.media_root / job.brand["heading"]["key"]), "XCharter")

    # Its ink is the kit's text colour where that reads over the shots, else the legibility
    # rule's (white, near-black, or white on a plate): the font is what is checked here.
    inks = [
        legibility.Treatment(colour, halo, plate)
        for colour in (job.brand["text"], legibility.WHITE, legibility.DARK)
        for halo in (legibility.WHITE, legibility.DARK)
        for plate in (False, True)
    ]

    def set_in(face: Face, ink: legibility.Treatment) -> np.ndarray:
        box, size = layout.headline, layout.headline_size
        headline = word_by_word(
            words, face, box, size, hex_rgba(ink.ink), plan["fps"], scene["frames"],
            max_lines=2, halo=hex_rgba(ink.halo), plate=ink.plate_rgba if ink.plate else None,
        )  # fmt: skip
        return np.asarray(headline.steps[-1].image)

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and np.array_equal(a, b)

    assert any(same(drawn, set_in(kit_font, ink)) for ink in inks)
    own = TYPOGRAPHY[Style.LUXURY].headline
    assert not any(same(drawn, set_in(own, ink)) for ink in inks)
