"""Stages run again after a crash overwrite their own outputs and leave no temporary files."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import STAGE_ORDER
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
        assert first.output == second.output
        assert first.provider == second.provider
        completed.add(name, second.output)
    assert temp_files(spec.work_dir) == []
    result = probe(spec.work_dir / "ad.mp4")
    assert result.duration == pytest.approx(4.0, abs=0.1)
