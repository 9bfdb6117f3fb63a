"""The worker's report of its slots (lifecycle/workers.py), written every REPORT_SECONDS."""

from __future__ import annotations

import asyncio

import structlog

from lifecycle.workers import REPORT_SECONDS, SlotStatus, WorkerStatus, publish
from worker.context import WorkerState
from worker.watchdog import Slot

log = structlog.get_logger("worker.status")


def _slot(slot: Slot) -> SlotStatus:
    return SlotStatus(
        job_id=slot.job_id, stage=slot.stage.value, quiet_seconds=round(slot.quiet_seconds, 1)
    )


def status_of(state: WorkerState) -> WorkerStatus:
    slots = state.slots
    stuck = slots.stuck_slots(state.settings.stage_stall_seconds)
    return WorkerStatus(
        worker=state.worker_id,
        slots=state.settings.worker_max_jobs,
        busy=[_slot(slot) for slot in slots.busy.values()],
        stuck=[_slot(slot) for slot in stuck],
        recycling=slots.recycle.is_set(),
    )


async def report_forever(state: WorkerState) -> None:
    while True:
        try:
            await publish(state.redis, status_of(state))
        except Exception as exc:  # Redis away: the next report says it again
            log.warning("worker.status_not_written", error=type(exc).__name__)
        await asyncio.sleep(REPORT_SECONDS)
