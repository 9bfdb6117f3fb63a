"""The music bed is decided once and handed on: the video stage cuts on its beats and stores it,
compositing mixes what was stored, a retry and a variant read it instead of deciding again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from domain.enums import MusicChoice, StageName, Style
from domain.music import NO_MUSIC, BedSource
from domain.outputs import Completed
from pipeline.music import tracks
from pipeline.music.beats import bundled_beats
from pipeline.music.bed import decide_bed
from pipeline.spec import JobSpec, Reuse, no_progress
from pipeline.stages import OFFLINE_STAGES
from pipeline.video.plan import RenderPlan
from tests.pipeline.conftest import make_spec

SECONDS = 16.0  # long enough for scenes of two or three shots, cut on beats


async def run_stages(spec: JobSpec, completed: Completed, *names: StageName) -> Completed:
    for name in names:
        result = await OFFLINE_STAGES[name](spec, completed, no_progress)
        completed.add(name, result.output)
    return completed


def another_table(style: Style, away_from: str) -> dict[Style, tuple[str, ...]]:
    """The style's picks with `away_from` gone: whatever was picked before cannot be now."""
    table = dict(tracks.STYLE_TRACKS)
    table[style] = tuple(t for t in table[style] if t != away_from)
    return table


def cuts_on(spec: JobSpec, completed: Completed) -> list[float]:
    """The beats the video stage cut on (every shot that moved to a beat)."""
    assert completed.video is not None
    plan = RenderPlan.model_validate_json((spec.work_dir / completed.video.plan).read_text())
    return [shot.beat for scene in plan.scenes for shot in scene.shots if shot.beat is not None]


def test_the_bed_is_the_styles_track_with_its_beats_on_the_ads_timeline(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, style=Style.LUXURY, total_seconds=SECONDS)
    bed = decide_bed(spec, SECONDS)
    assert bed.source == BedSource.BUNDLED and bed.track in tracks.STYLE_TRACKS[Style.LUXURY]
    assert bed.beats and all(0 < b < SECONDS for b in bed.beats)
    assert bed.beats[0] == pytest.approx(
        next(b - bed.start_seconds for b in bundled_beats(bed.track) if b > bed.start_seconds),
        abs=1e-3,
    )
    assert decide_bed(dataclasses.replace(spec, music=MusicChoice.NONE), SECONDS) == NO_MUSIC


@pytest.mark.slow(seconds=8)
async def test_a_retried_compositing_mixes_the_stored_bed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(tmp_path / "job", style=Style.LUXURY, total_seconds=SECONDS)
    done = await run_stages(spec, Completed(), *list(StageName)[:3])
    assert done.video is not None and done.video.music is not None
    stored = done.video.music
    assert set(cuts_on(spec, done)) <= set(stored.beats) and cuts_on(spec, done)

    # The bundled table changes (an upgrade) before compositing runs again (a retry).
    assert stored.track is not None
    monkeypatch.setattr(tracks, "STYLE_TRACKS", another_table(Style.LUXURY, stored.track))
    assert decide_bed(spec, SECONDS).track != stored.track  # deciding again would differ
    done = await run_stages(spec, done, StageName.COMPOSITING)
    assert done.compositing is not None and done.compositing.music == stored.track


@pytest.mark.slow(seconds=12)
async def test_a_variant_keeps_its_sources_stored_bed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_spec = make_spec(tmp_path / "source", style=Style.LUXURY, total_seconds=SECONDS)
    source = await run_stages(source_spec, Completed(), *StageName)
    assert source.video is not None and source.video.music is not None
    bed = source.video.music
    assert bed.track is not None

    monkeypatch.setattr(tracks, "STYLE_TRACKS", another_table(Style.LUXURY, bed.track))
    variant_spec = dataclasses.replace(
        source_spec,
        job_id="a-cta-variant",
        work_dir=tmp_path / "variant",
        cta_text="Reserve yours today",
        reuse=Reuse(
            source=source,
            files=source_spec.work_dir,
            music_seed=source_spec.job_id,
            music=True,
            picture=False,
            end_card=True,
        ),
    )
    variant = await run_stages(variant_spec, Completed(), *StageName)
    assert variant.video is not None and variant.compositing is not None
    assert variant.video.music == bed  # read, not decided again under the new table
    assert variant.compositing.music == bed.track
    cuts = cuts_on(variant_spec, variant)
    assert cuts and set(cuts) <= set(bed.beats)  # its cuts land on the beats of its bed
