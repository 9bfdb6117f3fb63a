"""A subscriber's mailbox (events/hub.py): a lagging watcher is shown the newest progress, never
loses a change of status or stage, and holds bounded memory whatever it falls behind by."""

from __future__ import annotations

import asyncio
from typing import Any

from db.types import utcnow
from domain.enums import JobStatus, StageName, StageStatus
from events.format import JobEvent
from events.hub import Mailbox, Signal


def _event(sequence: int, status: JobStatus, stage: StageName | None = None, **kw: Any) -> JobEvent:
    return JobEvent("job", sequence, status, sequence, at=utcnow(), stage=stage, **kw)


async def test_a_lagging_mailbox_keeps_every_change_and_only_the_newest_progress() -> None:
    mailbox = Mailbox(size=8)
    processing, completed = StageStatus.PROCESSING, StageStatus.COMPLETED
    offered = [
        _event(1, JobStatus.PROCESSING, StageName.SCRIPT_GEN, stage_status=processing),
        _event(2, JobStatus.PROCESSING, StageName.SCRIPT_GEN, stage_status=processing),
        _event(3, JobStatus.PROCESSING, StageName.SCRIPT_GEN, stage_status=processing),
        _event(4, JobStatus.PROCESSING, StageName.SCRIPT_GEN, stage_status=completed),
        _event(5, JobStatus.PROCESSING, StageName.VOICE_GEN, stage_status=processing),
        _event(6, JobStatus.PROCESSING, StageName.VOICE_GEN, stage_status=processing),
        _event(7, JobStatus.COMPLETED, StageName.VOICE_GEN, stage_status=processing),
    ]
    for event in offered:
        mailbox.offer(event)
    received = [await mailbox.get() for _ in range(mailbox.qsize())]
    # 2 and 6 gave way to the newer progress of the same state; every change is there.
    assert [e.sequence for e in received if isinstance(e, JobEvent)] == [3, 4, 6, 7]
    assert mailbox.conflated == 3 and mailbox.overflows == 0


async def test_a_full_mailbox_becomes_one_resync_and_wakes_its_reader() -> None:
    mailbox = Mailbox(size=4)
    reader = asyncio.create_task(mailbox.get())
    await asyncio.sleep(0)
    mailbox.offer(_event(1, JobStatus.PROCESSING, StageName.SCRIPT_GEN))
    assert (await asyncio.wait_for(reader, 1)).sequence == 1  # type: ignore[union-attr]
    stages = [StageName.SCRIPT_GEN, StageName.VOICE_GEN] * 3  # changes only: none conflate
    for sequence, stage in enumerate(stages, start=2):
        mailbox.offer(_event(sequence, JobStatus.PROCESSING, stage))
    assert mailbox.overflows == 1
    first, second = [await mailbox.get() for _ in range(mailbox.qsize())]
    assert first is Signal.RESYNC
    assert isinstance(second, JobEvent) and second.sequence == 7
