"""The ad as a viewer sees and hears it: one full 30 s portrait ad from the demo's brief (a real
photograph, a description, three benefits), rendered offline through OFFLINE_STAGES and probed
as a file; and the product's size on screen, from a photo with a plain background."""

from __future__ import annotations

import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from PIL import Image, ImageDraw

from devserver import sample
from domain.enums import STAGE_ORDER, Style
from domain.outputs import Completed
from pipeline.compositing.filtergraph import build_graph
from pipeline.shared.ffmpeg import ffmpeg_exe
from pipeline.spec import JobSpec, no_progress
from pipeline.stages import OFFLINE_STAGES
from pipeline.video.plan import RenderPlan
from tests.pipeline.conftest import make_spec, run_pipeline
from tests.probe import probe, temp_files

pytestmark = pytest.mark.slow


@dataclass
class Ad:
    spec: JobSpec
    outputs: Completed

    @property
    def mp4(self) -> Path:
        return self.spec.work_dir / "ad.mp4"

    @property
    def plan(self) -> RenderPlan:
        assert self.outputs.video is not None
        return RenderPlan.model_validate_json(
            (self.spec.work_dir / self.outputs.video.plan).read_text()
        )

    def scene_starts(self) -> list[float]:
        plan = self.plan
        return [s.start_frame / plan.fps for s in plan.scenes] + [plan.duration_seconds]


@pytest_asyncio.fixture(scope="module")
async def demo_ad(tmp_path_factory: pytest.TempPathFactory) -> Ad:
    spec = make_spec(
        tmp_path_factory.mktemp("demo") / "job",
        product_name=sample.NAME,
        style=Style.LUXURY,
        cta_text=sample.CTA,
        total_seconds=30.0,
        product_image=sample.PHOTO,
        description=sample.DESCRIPTION,
        benefits=sample.BENEFITS,
    )
    return Ad(spec, await run_pipeline(spec))


def silences(path: Path, noise_db: float, min_seconds: float) -> list[tuple[float, float]]:
    """(start, end) of every run quieter than `noise_db` for at least `min_seconds`, by ffmpeg's
    silencedetect on the file's audio."""
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path), "-map", "0:a:0",
            "-af", f"silencedetect=n={noise_db}dB:d={min_seconds}", "-f", "null", "-",
        ],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    starts = [float(v) for v in re.findall(r"silence_start: (-?[\d.]+)", done.stderr)]
    ends = [float(v) for v in re.findall(r"silence_end: (-?[\d.]+)", done.stderr)]
    ends += [float("inf")] * (len(starts) - len(ends))
    return list(zip(starts, ends, strict=True))


def envelope_db(path: Path, window: float = 0.01) -> np.ndarray:
    """Per `window` seconds: RMS level of a mono 16-bit WAV, dBFS."""
    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float64)
    step = max(1, round(rate * window))
    blocks = pcm[: len(pcm) // step * step].reshape(-1, step) / 32768
    return np.asarray(20 * np.log10(np.sqrt((blocks**2).mean(axis=1)) + 1e-9))


def longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for value in mask:
        run = run + 1 if value else 0
        best = max(best, run)
    return best


@pytest.mark.slow(seconds=11)
async def test_the_file_is_a_30_second_portrait_h264_aac_mp4(demo_ad: Ad) -> None:
    final = demo_ad.outputs.compositing
    assert final is not None and final.path == "ad.mp4"
    result = probe(demo_ad.mp4)
    assert result.duration == pytest.approx(30.0, abs=0.1)
    assert (result.width, result.height) == (1080, 1920)
    assert (result.video_codec, result.pix_fmt, result.audio_codec) == ("h264", "yuv420p", "aac")
    # Music under the voice, recorded on the job, mastered for the platforms.
    assert final.music is not None and final.music != "your track"
    assert final.loudness_lufs == pytest.approx(-14.0, abs=1.0)
    assert temp_files(demo_ad.spec.work_dir) == []


async def test_there_is_no_dead_air(demo_ad: Ad) -> None:
    """No run over 0.3 s below -50 dBFS anywhere in the ad (the prototype's had ~14 s of
    digital silence): the voice fills the scenes and the music carries the pauses."""
    assert silences(demo_ad.mp4, -50, 0.3) == []


async def test_the_voice_fills_scenes_1_to_3_without_long_gaps(demo_ad: Ad) -> None:
    voice = demo_ad.outputs.voice
    assert voice is not None
    assert all(scene.words for scene in voice.scenes)  # the neural voice reports its timings
    starts = demo_ad.scene_starts()
    for k, scene in enumerate(sorted(voice.scenes, key=lambda s: s.index)[:3]):
        level = envelope_db(demo_ad.spec.work_dir / scene.path)
        voiced = np.nonzero(level > -40)[0]
        spoken = (voiced[-1] - voiced[0] + 1) * 0.01
        length = starts[k + 1] - starts[k]
        assert spoken >= 0.7 * length, (scene.index, spoken, length)
        inside = level[voiced[0] : voiced[-1] + 1] <= -40
        assert longest_run(inside) * 0.01 <= 0.8, scene.index  # no dead air between phrases
        assert scene.offset_seconds + scene.duration_seconds <= length


def caption_events(ass: str) -> list[tuple[float, float, str, list[str], int | None]]:
    """(start, end, style, words, index of the lit word) of every Dialogue line."""

    def clock(value: str) -> float:
        h, m, s = value.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    out = []
    for line in ass.splitlines():
        if not line.startswith("Dialogue:"):
            continue
        fields = line.split(",", 9)
        text = re.sub(r"^\{\\an5\\pos\(\d+,\d+\)\}", "", fields[9])
        words = text.split(" ")
        lit = [i for i, w in enumerate(words) if w.startswith("{\\c")]
        plain = [re.sub(r"\{[^}]*\}", "", w) for w in words]
        out.append((clock(fields[1]), clock(fields[2]), fields[3], plain, lit[-1] if lit else None))
    return out


async def test_captions_follow_the_voice_word_by_word(demo_ad: Ad) -> None:
    voice = demo_ad.outputs.voice
    assert voice is not None
    plan = demo_ad.plan
    assert plan.captions is not None
    events = caption_events((demo_ad.spec.work_dir / plan.captions).read_text())
    captions = [e for e in events if e[2] == "Caption"]
    starts = demo_ad.scene_starts()
    said = [
        (
            starts[k] + scene.offset_seconds + w.start,
            starts[k] + scene.offset_seconds + w.end,
            w.text,
        )
        for k, scene in enumerate(sorted(voice.scenes, key=lambda s: s.index)[:3])
        for w in scene.words
    ]
    assert len(said) > 40
    # Every word is lit on screen within 100 ms of when it is said, in order.
    lit = [(start, words[i]) for start, _, _, words, i in captions if i is not None]
    assert len(lit) == len(said)
    for (shown, text), (start, _, word) in zip(lit, said, strict=True):
        assert text.replace("\\N", "") in word or word in text, (text, word)
        assert abs(shown - start) <= 0.1, (text, shown, start)
    # 1-4 words on screen, and a caption up whenever the voice speaks.
    assert all(1 <= len(words) <= 4 for _, _, _, words, _ in captions)
    for start, end, word in said:
        middle = (start + end) / 2
        assert any(a <= middle < b for a, b, *_ in captions), (word, middle)


async def test_the_end_card_shows_and_says_the_cta_once(demo_ad: Ad) -> None:
    script = demo_ad.outputs.script
    assert script is not None
    cta = sample.CTA
    assert sum(scene.voiceover_text.count(cta) for scene in script.script.scenes) == 1
    plan = demo_ad.plan
    assert plan.captions is not None
    events = caption_events((demo_ad.spec.work_dir / plan.captions).read_text())
    end_card = plan.scenes[-1].start_frame / plan.fps
    shown = {
        " ".join(" ".join(words).replace("\\N", " ").split())
        for a, _, _, words, _ in events
        if a >= end_card
    }
    assert shown == {cta, sample.NAME}  # the CTA once (lit as it is said), no caption repeating it
    assert not any(cta.split()[0] in words for _, _, s, words, _ in events if s == "Caption")


async def test_the_copy_on_screen_carries_the_benefits(demo_ad: Ad) -> None:
    plan = demo_ad.plan
    assert plan.captions is not None
    events = caption_events((demo_ad.spec.work_dir / plan.captions).read_text())
    read = " ".join(
        " ".join(words) for _, _, style, words, i in events if style == "Caption" and i == 0
    )
    for benefit in sample.BENEFITS:
        assert benefit.split()[0] in read
        assert all(word in read for word in benefit.split()), benefit


@pytest.fixture
def product_on_white(tmp_path: Path) -> Path:
    """A product photographed on a plain light background: an orange jar with a grey lid."""
    image = Image.new("RGB", (1200, 1200), "#f2f1ee")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((330, 450, 870, 1000), radius=60, fill="#e8702a")
    draw.rounded_rectangle((360, 380, 840, 470), radius=20, fill="#55585c")
    path = tmp_path / "jar.jpg"
    image.save(path, quality=92)
    return path


async def test_the_product_is_cut_out_and_spans_over_55_percent_of_the_width(
    tmp_path: Path, product_on_white: Path
) -> None:
    spec = make_spec(
        tmp_path / "job", style=Style.MINIMAL, total_seconds=8.0, product_image=product_on_white
    )
    completed = Completed()
    for name in STAGE_ORDER[:3]:
        completed.add(name, (await OFFLINE_STAGES[name](spec, completed, no_progress)).output)
    assert completed.video is not None
    plan = RenderPlan.model_validate_json((spec.work_dir / completed.video.plan).read_text())
    assert plan.look == "cutout" and plan.hero is not None
    # The hero is the jar, not the photo: its opaque part has the jar's proportions.
    with Image.open(spec.work_dir / plan.hero.path) as hero:
        left, top, right, bottom = (
            hero.getchannel("A").point(lambda a: 255 if a > 200 else 0).getbbox()
        )
    assert (right - left) / (bottom - top) == pytest.approx(540 / 620, rel=0.1)
    # The hero alone over black, through the real filter graph: its widest frame.
    black = spec.work_dir / "black.png"
    Image.new("RGB", (plan.width, plan.height), "black").save(black)
    bare = plan.model_copy(
        update={
            "captions": None,
            "scenes": [
                s.model_copy(update={"background": "black.png", "headline": None})
                for s in plan.scenes
            ],
        }
    )
    graph, video = build_graph(bare, spec.work_dir, None)
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-loglevel", "error", *graph.args(),
            "-filter_complex", f"{graph.script()};\n{video}fps=5,format=gray[gray]",
            "-map", "[gray]", "-f", "rawvideo", "-",
        ],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    frames = np.frombuffer(done.stdout, np.uint8).reshape(-1, plan.height, plan.width)
    widths = []
    for frame in frames:
        columns = np.nonzero((frame > 60).any(axis=0))[0]
        widths.append(columns[-1] - columns[0] + 1 if len(columns) else 0)
    assert max(widths) >= 0.55 * plan.width, max(widths)
