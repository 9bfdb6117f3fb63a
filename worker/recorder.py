"""Every state change of a running job: written to the database first, then published.

Each write is its own short transaction that re-reads the job row (locked on PostgreSQL) and
checks the whole state it claims before changing anything:
- the job is still in a status the change applies to, so a cancelJob committed by the API is
  never overwritten by a worker that has not noticed it yet (JobGone);
- the job is still held by this run (`jobs.run_id`, a fencing token taken by `start_job`), so a
  run that lost the job to another can never write again (Superseded);
- the stage and its attempt are in the state the change starts from, and a job is COMPLETED
  only when all four stages are.
Each change takes the job's next event sequence number in the same transaction, and the event is
published after the commit.

Every stage run is an attempt (`stage_attempts`): opened by start_stage, closed as completed,
failed, crashed (found by the next run), cancelled (by the API), interrupted (worker shut down)
or superseded. Hosted calls are billed to the open attempt as they are made (`bill`), so money
spent by an attempt that later crashes stays on the ledger; a stage's cost is the sum of its
attempts and a job's the sum of its stages.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.models import AttemptOutcome, Job, JobStatus, Stage, StageAttempt, StageStatus
from db.types import utcnow
from events.format import event_for
from events.publisher import publish
from pipeline.templates import STAGE_ORDER, StageName
from worker.context import WorkerState

# At most ~10 progress events per second per job; status changes are never throttled.
PROGRESS_INTERVAL = 0.1
LIVE = (JobStatus.PENDING, JobStatus.PROCESSING)


class JobGone(Exception):
    """The job was cancelled (or deleted) while we ran it: stop quietly."""


class Superseded(JobGone):
    """Another run holds the job now: this run must stop without writing anything more."""


@dataclass(frozen=True)
class Run:
    """One execution of run_job: its fencing token and the worker it runs in."""

    worker: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def token(self) -> str:
        """The lease value: unique per run, and says which worker holds it."""
        return f"{self.worker}:{self.id}"


@dataclass
class Snapshot:
    """The job and its stages as one transaction sees them (`session`, valid inside it)."""

    job: Job
    stages: list[Stage]
    session: AsyncSession

    def stage(self, name: StageName) -> Stage:
        return next(s for s in self.stages if s.stage_name == name)


class JobRecorder:
    def __init__(self, state: WorkerState, job_id: uuid.UUID, run: Run) -> None:
        self.state = state
        self.job_id = job_id
        self.run = run
        self._last_progress_at = 0.0
        self._last_progress: dict[StageName, int] = {}
        self._attempts: dict[StageName, int] = {}  # stage -> id of this run's open attempt

    # --- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def _change(
        self, *, require: tuple[JobStatus, ...], fenced: bool = True
    ) -> AsyncIterator[Snapshot]:
        async with self.state.session_factory() as session, session.begin():
            job = await queries.get_job(session, self.job_id, owner=None, for_update=True)
            if job is None or job.status not in require:
                raise JobGone(str(self.job_id))
            if fenced and job.run_id != self.run.id:
                raise Superseded(str(self.job_id))
            stages = await queries.job_stages(session, self.job_id)
            snapshot = Snapshot(job, stages, session)
            yield snapshot
            await queries.record_change(session, job)

    async def _commit_and_publish(
        self,
        change: Callable[[Snapshot], Stage | None],
        message: str | None = None,
        *,
        require: tuple[JobStatus, ...] = (JobStatus.PROCESSING,),
    ) -> Snapshot:
        async with self._change(require=require) as snapshot:
            stage = change(snapshot)
            await self._settle_costs(snapshot)
        await self._publish(snapshot, stage, message)
        return snapshot

    async def _publish(self, snapshot: Snapshot, stage: Stage | None, message: str | None) -> None:
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

    @staticmethod
    async def _settle_costs(snapshot: Snapshot) -> None:
        """Stage costs are the sums of their attempts; the job's is the sum of its stages."""
        session = snapshot.session
        await session.flush()
        by_stage = await queries.attempt_costs(session, snapshot.job.id)
        for stage in snapshot.stages:
            stage.cost_usd = by_stage.get(stage.stage_name, Decimal(0))
        snapshot.job.cost_usd = sum((s.cost_usd for s in snapshot.stages), Decimal(0))

    async def _load_attempt(self, snapshot: Snapshot, name: StageName) -> StageAttempt:
        attempt_id = self._attempts.get(name)
        attempt = await snapshot.session.get(StageAttempt, attempt_id) if attempt_id else None
        if attempt is None or attempt.outcome != AttemptOutcome.RUNNING:
            raise Superseded(f"{self.job_id}: {name} attempt is no longer this run's")
        return attempt

    # --- the job ---------------------------------------------------------------------------

    async def start_job(self, max_tries: int) -> Snapshot:
        """Take the job for this run. A run that finds another run's attempts still open knows
        that run died (it holds the lease, so nobody else lives): they are closed as crashed.
        Past `max_tries` runs the job fails instead, naming the stage its workers died in."""
        async with self._change(require=LIVE, fenced=False) as snapshot:
            session = snapshot.session
            job = snapshot.job
            crashed = await queries.close_open_attempts(
                session,
                job.id,
                AttemptOutcome.CRASHED,
                "its worker stopped (no lease renewal) before the stage ended",
            )
            job.run_id = self.run.id
            job.error_message = None
            if job.tries >= max_tries:
                stage = self._give_up(snapshot, crashed, max_tries)
                message = "job failed"
            else:
                job.tries += 1
                job.status = JobStatus.PROCESSING
                stage, message = None, "job started"
            await self._settle_costs(snapshot)
        await self._publish(snapshot, stage, message)
        return snapshot

    @staticmethod
    def _give_up(snapshot: Snapshot, crashed: list[StageAttempt], max_tries: int) -> Stage:
        running = [s for s in snapshot.stages if s.status == StageStatus.PROCESSING]
        stage = (
            running[0]
            if running
            else next(s for s in snapshot.stages if s.status != StageStatus.COMPLETED)
        )
        last = crashed[-1].worker if crashed else "unknown"
        reason = (
            f"gave up after {max_tries} tries: the worker running it stopped before it "
            f"finished every time (JOB_MAX_TRIES={max_tries}; last worker {last})"
        )
        _fail_stage(snapshot, stage, reason)
        return stage

    async def complete_job(self, video_url: str) -> None:
        def change(s: Snapshot) -> None:
            unfinished = [
                st.stage_name.value for st in s.stages if st.status != StageStatus.COMPLETED
            ]
            if len(s.stages) != len(STAGE_ORDER) or unfinished:
                raise RuntimeError(f"cannot complete job {self.job_id}: {unfinished} not completed")
            s.job.status = JobStatus.COMPLETED
            s.job.video_url = video_url

        await self._commit_and_publish(change, "job completed")

    # --- stages ----------------------------------------------------------------------------

    async def start_stage(self, name: StageName) -> None:
        async with self._change(require=(JobStatus.PROCESSING,)) as snapshot:
            session = snapshot.session
            stage = snapshot.stage(name)
            if stage.status == StageStatus.COMPLETED:
                raise RuntimeError(f"{name} is already completed; it is never run again")
            number = await session.scalar(
                select(func.coalesce(func.max(StageAttempt.attempt), 0)).where(
                    StageAttempt.job_id == self.job_id, StageAttempt.stage_name == name
                )
            )
            now = utcnow()
            attempt = StageAttempt(
                job_id=self.job_id,
                stage_name=name,
                attempt=int(number or 0) + 1,
                run_id=self.run.id,
                worker=self.run.worker,
                started_at=now,
                outcome=AttemptOutcome.RUNNING,
                cost_usd=Decimal(0),
            )
            session.add(attempt)
            stage.status = StageStatus.PROCESSING
            stage.progress = 0
            stage.started_at = now
            stage.completed_at = None
            stage.error_message = None
            await session.flush()
            self._attempts[name] = attempt.id
        self._last_progress[name] = 0
        await self._publish(snapshot, stage, f"{name} started")

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
            if stage.status != StageStatus.PROCESSING:
                raise Superseded(f"{self.job_id}: {name} is {stage.status}, not processing")
            stage.progress = value
            return stage

        async with self._change(require=(JobStatus.PROCESSING,)) as snapshot:
            stage = change(snapshot)
        await self._publish(snapshot, stage, None)

    async def complete_stage(
        self, name: StageName, outputs: dict[str, Any], provider: str, cost_usd: Decimal
    ) -> None:
        async with self._change(require=(JobStatus.PROCESSING,)) as snapshot:
            attempt = await self._load_attempt(snapshot, name)
            stage = snapshot.stage(name)
            if stage.status != StageStatus.PROCESSING:
                raise Superseded(f"{self.job_id}: {name} is {stage.status}, not processing")
            now = utcnow()
            attempt.outcome = AttemptOutcome.COMPLETED
            attempt.ended_at = now
            attempt.cost_usd = max(attempt.cost_usd, cost_usd)
            # The stage's times are its completed attempt's.
            stage.status = StageStatus.COMPLETED
            stage.progress = 100
            stage.started_at = attempt.started_at
            stage.completed_at = now
            stage.stage_data = outputs
            stage.provider = provider
            await self._settle_costs(snapshot)
        self._attempts.pop(name, None)
        await self._publish(snapshot, stage, f"{name} completed")

    async def fail(self, name: StageName, message: str, cost_usd: Decimal) -> None:
        """The stage failed for good: so does the job."""
        async with self._change(require=(JobStatus.PROCESSING,)) as snapshot:
            attempt = await self._load_attempt(snapshot, name)
            _close(attempt, AttemptOutcome.FAILED, message, cost_usd)
            stage = snapshot.stage(name)
            _fail_stage(snapshot, stage, message)
            await self._settle_costs(snapshot)
        self._attempts.pop(name, None)
        await self._publish(snapshot, stage, f"{name} failed")

    async def attempt_failed(
        self, name: StageName, message: str, cost_usd: Decimal, retry_in: float
    ) -> None:
        """A transient failure: this attempt is over, the job stays PROCESSING and a later run
        tries the stage again."""
        async with self._change(require=(JobStatus.PROCESSING,)) as snapshot:
            attempt = await self._load_attempt(snapshot, name)
            _close(attempt, AttemptOutcome.FAILED, message, cost_usd)
            stage = snapshot.stage(name)
            await self._settle_costs(snapshot)
        self._attempts.pop(name, None)
        await self._publish(
            snapshot,
            stage,
            f"{name} attempt {attempt.attempt} failed; retrying in {retry_in:.0f} s",
        )

    async def end_attempt(
        self, name: StageName, outcome: AttemptOutcome, error: str, cost_usd: Decimal
    ) -> None:
        """Close this run's attempt at `name` without touching the job (interrupted by a
        shutdown, or superseded): only the attempt row, and only while it is ours and open
        (or was closed as crashed by a run that thought this one dead)."""
        attempt_id = self._attempts.pop(name, None)
        if attempt_id is None:
            return
        async with self.state.session_factory() as session, session.begin():
            await session.execute(
                update(StageAttempt)
                .where(
                    StageAttempt.id == attempt_id,
                    StageAttempt.outcome.in_([AttemptOutcome.RUNNING, AttemptOutcome.CRASHED]),
                )
                .values(outcome=outcome, ended_at=utcnow(), error=error)
            )
            await queries.raise_attempt_cost(session, attempt_id, cost_usd)

    async def bill(self, name: StageName, spent: Decimal) -> None:
        """Record what this run's open attempt at `name` has spent so far (never less than
        before), with the stage's and the job's totals. Not fenced: money spent is on the
        ledger whoever holds the job now."""
        attempt_id = self._attempts.get(name)
        if attempt_id is None:
            return
        async with self.state.session_factory() as session, session.begin():
            job = await queries.get_job(session, self.job_id, owner=None, for_update=True)
            if job is None:
                return
            await queries.raise_attempt_cost(session, attempt_id, spent)
            stages = await queries.job_stages(session, self.job_id)
            await self._settle_costs(Snapshot(job, stages, session))


def _close(attempt: StageAttempt, outcome: AttemptOutcome, error: str, cost: Decimal) -> None:
    attempt.outcome = outcome
    attempt.ended_at = utcnow()
    attempt.error = error
    attempt.cost_usd = max(attempt.cost_usd, cost)


def _fail_stage(snapshot: Snapshot, stage: Stage, message: str) -> None:
    stage.status = StageStatus.FAILED
    stage.error_message = message
    stage.completed_at = utcnow()
    for other in snapshot.stages:
        if other.status == StageStatus.PENDING:
            other.status = StageStatus.SKIPPED
    snapshot.job.status = JobStatus.FAILED
    snapshot.job.error_message = f"{stage.stage_name} failed: {message}"
