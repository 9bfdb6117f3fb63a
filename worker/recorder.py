"""Every state change of a running job: written to the database first, then published.

Each write is its own short transaction that re-reads the job row (locked on PostgreSQL) and
only proceeds while the job is still PROCESSING, so a cancelJob committed by the API is never
overwritten by a worker that has not noticed it yet. Each takes the job's next event sequence
number in the same transaction, and the event is published after the commit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from db import queries
from db.models import Job, JobStatus, Stage, StageStatus
from db.types import utcnow
from events.format import event_for
from events.publisher import publish
from pipeline.templates import StageName
from worker.context import WorkerState

# At most ~10 progress events per second per job; status changes are never throttled.
PROGRESS_INTERVAL = 0.1


class JobGone(Exception):
    """The job was cancelled (or deleted) while we ran it: stop quietly."""


@dataclass
class Snapshot:
    job: Job
    stages: list[Stage]

    def stage(self, name: StageName) -> Stage:
        return next(s for s in self.stages if s.stage_name == name)


class JobRecorder:
    def __init__(self, state: WorkerState, job_id: uuid.UUID) -> None:
        self.state = state
        self.job_id = job_id
        self._last_progress_at = 0.0
        self._last_progress: dict[StageName, int] = {}

    @asynccontextmanager
    async def _change(self, *, require: tuple[JobStatus, ...]) -> AsyncIterator[Snapshot]:
        async with self.state.session_factory() as session, session.begin():
            job = await queries.get_job(session, self.job_id, owner=None, for_update=True)
            if job is None or job.status not in require:
                raise JobGone(str(self.job_id))
            stages = await queries.job_stages(session, self.job_id)
            yield Snapshot(job, stages)
            await queries.record_change(session, job)

    async def _commit_and_publish(
        self,
        require: tuple[JobStatus, ...],
        change: Callable[[Snapshot], Stage | None],
        message: str | None = None,
    ) -> Snapshot:
        async with self._change(require=require) as snapshot:
            stage = change(snapshot)
        await publish(
            self.state.redis,
            event_for(
                snapshot.job,
                snapshot.stages,
                snapshot.job.event_sequence,
                stage=stage,
                message=message,
            ),
        )
        return snapshot

    async def start_job(self) -> Snapshot:
        def change(s: Snapshot) -> None:
            s.job.status = JobStatus.PROCESSING
            s.job.error_message = None

        return await self._commit_and_publish(
            (JobStatus.PENDING, JobStatus.PROCESSING), change, "job started"
        )

    async def start_stage(self, name: StageName) -> None:
        def change(s: Snapshot) -> Stage:
            stage = s.stage(name)
            stage.status = StageStatus.PROCESSING
            stage.progress = 0
            stage.started_at = utcnow()
            stage.completed_at = None
            stage.error_message = None
            return stage

        self._last_progress[name] = 0
        await self._commit_and_publish((JobStatus.PROCESSING,), change, f"{name} started")

    async def progress(self, name: StageName, value: int) -> None:
        value = max(0, min(99, int(value)))  # 100 means completed, which complete_stage says
        now = time.monotonic()
        if (
            value <= self._last_progress.get(name, 0)
            or now - self._last_progress_at < PROGRESS_INTERVAL
        ):
            return
        self._last_progress_at = now
        self._last_progress[name] = value

        def change(s: Snapshot) -> Stage:
            stage = s.stage(name)
            stage.progress = value
            return stage

        await self._commit_and_publish((JobStatus.PROCESSING,), change)

    async def complete_stage(
        self, name: StageName, outputs: dict[str, Any], provider: str, cost_usd: float
    ) -> None:
        def change(s: Snapshot) -> Stage:
            stage = s.stage(name)
            stage.status = StageStatus.COMPLETED
            stage.progress = 100
            stage.completed_at = utcnow()
            stage.stage_data = outputs
            stage.provider = provider
            stage.cost_usd = Decimal(str(cost_usd))
            return stage

        await self._commit_and_publish((JobStatus.PROCESSING,), change, f"{name} completed")

    async def fail(self, name: StageName, message: str) -> None:
        def change(s: Snapshot) -> Stage:
            stage = s.stage(name)
            stage.status = StageStatus.FAILED
            stage.error_message = message
            stage.completed_at = utcnow()
            for other in s.stages:
                if other.status == StageStatus.PENDING:
                    other.status = StageStatus.SKIPPED
            s.job.status = JobStatus.FAILED
            s.job.error_message = f"{name} failed: {message}"
            return stage

        await self._commit_and_publish((JobStatus.PROCESSING,), change, f"{name} failed")

    async def complete_job(self, video_url: str) -> None:
        def change(s: Snapshot) -> None:
            s.job.status = JobStatus.COMPLETED
            s.job.video_url = video_url
            s.job.cost_usd = sum((stage.cost_usd for stage in s.stages), Decimal(0))

        await self._commit_and_publish((JobStatus.PROCESSING,), change, "job completed")
