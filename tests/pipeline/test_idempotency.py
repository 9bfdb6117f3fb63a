"""Stages run again after a crash overwrite their own outputs and leave no temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import STAGE_ORDER, StageName
from domain.outputs import Completed
from pipeline.shared.files import TEMP_PREFIX
from pipeline.spec import no_progress
from pipeline.stages import OFFLINE_STAGES
from tests.pipeline.conftest import make_spec
from tests.probe import probe, temp_files


@pytest.mark.slow
async def test_every_stage_can_run_twice(tmp_path: Path) -> None:
    spec = make_spec(tmp_path / "job", total_seconds=4.0)
    spec.work_dir.mkdir(parents=True)
    # Debris of a crashed earlier attempt: a half-written output under a temporary name.
    (spec.work_dir / f"{TEMP_PREFIX}deadbeef-ad.mp4").write_bytes(b"partial")
    completed = Completed()
    for name in STAGE_ORDER:
        first = await OFFLINE_STAGES[name](spec, completed, no_progress)
        second = await OFFLINE_STAGES[name](spec, completed, no_progress)
        assert first.provider == second.provider
        if name is StageName.VOICE_GEN:
            # A neural voice is a new take each time (its durations are sampled): the same
            # files and words, timings within a few percent.
            assert first.output is not None and second.output is not None
            takes = zip(first.output.scenes, second.output.scenes, strict=True)  # type: ignore[attr-defined]
            for a, b in takes:
                assert (a.index, a.path, [w.text for w in a.words]) == (
                    b.index,
                    b.path,
                    [w.text for w in b.words],
                )
                assert b.duration_seconds == pytest.approx(a.duration_seconds, rel=0.15)
        else:
            assert first.output == second.output
        completed.add(name, second.output)
    assert temp_files(spec.work_dir) == []
    result = probe(spec.work_dir / "ad.mp4")
    assert result.duration == pytest.approx(4.0, abs=0.1)
