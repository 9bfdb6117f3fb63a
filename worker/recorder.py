"""Every state change of a running job, recorded through the job's lifecycle (lifecycle.change):
written to the database first, then published.

Each write is one short transaction that checks the whole state it claims before changing
anything: the job is still in a status the change applies to (a cancelJob committed by the API
is never overwritten: JobGone), the job is still held by this run (`jobs.run_id`, a fencing
token taken by `start_job`: Superseded otherwise), the stage and its attempt are in the state the
change starts from, and a job is COMPLETED only when all four stages are.

Every stage run is an attempt (`stage_attempts`): opened by start_stage, closed as completed,
failed, crashed (found by the next run), cancelled (by the API), interrupted (worker shut down)
or superseded. Hosted calls are billed to the open attempt as they are made (`bill`), so money
spent by an attempt that later crashes stays on the ledger; a stage's cost is the sum of its
attempts and a job's the sum of its stages.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import func, select, update

from db import queries
from db.models import Stage, StageAttempt
from db.types import utcnow
from domain.enums import STAGE_ORDER, AttemptOutcome, JobStatus, StageName, StageStatus
from lifecycle.change import Change, Superseded, change_job, skip_unfinished
from lifecycle.transitions import LIVE
from worker.context import WorkerState

# At most 4 progress events per second per job; status changes are never throttled. A bar moving
# 4 times a second looks live, and each step is a commit, a publish and a message to every
# watcher of the job.
PROGRESS_INTERVAL = 0.25
PROCESSING = (JobStatus.PROCESSING,)


P = ParamSpec("P")
T = TypeVar("T")


def _whole(write: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """A write that a cancellation (cancelJob, a shutdown, the job's time-out) does not cut in
    the middle: the caller is cancelled at once, the transaction runs to its commit or rollback.
    Cut mid-statement, the statement would run on in aiosqlite's thread after SQLAlchemy gave the
    connection up, holding SQLite's write lock from every other writer until it ended."""

    @functools.wraps(write)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.shield(write(*args, **kwargs))

    return run


@dataclass(frozen=True)
class Run:
    """One execution of run_job: its fencing token and the worker it runs in."""

    worker: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def token(self) -> str:
        """The lease value: unique per run, and says which worker holds it."""
        return f"{self.worker}:{self.id}"


class JobRecorder:
    def __init__(self, state: WorkerState, job_id: uuid.UUID, run: Run) -> None:
        self.state = state
        self.job_id = job_id
        self.run = run
        self._last_progress_at = 0.0
        self._last_progress: dict[StageName, int] = {}
        self._attempts: dict[StageName, int] = {}  # stage -> id of this run's open attempt

    @asynccontextmanager
    async def _change(
        self, expect: tuple[JobStatus, ...] = PROCESSING, *, fenced: bool = True
    ) -> AsyncIterator[Change]:
        async with change_job(
            self.state.session_factory,
            self.state.redis,
            self.job_id,
            expect=expect,
            fence=self.run.id if fenced else None,
        ) as change:
            yield change
            await _settle_costs(change)

    async def _open_attempt(self, change: Change, name: StageName) -> StageAttempt:
        attempt_id = self._attempts.get(name)
        attempt = await change.session.get(StageAttempt, attempt_id) if attempt_id else None
        if attempt is None or attempt.outcome != AttemptOutcome.RUNNING:
            raise Superseded(self.job_id, change.job)
        return attempt

    # --- the job ---------------------------------------------------------------------------

    @_whole
    async def start_job(self, max_tries: int) -> Change:
        """Take the job for this run. A run that finds another run's attempts still open knows
        that run died (it holds the lease, so nobody else lives): they are closed as crashed.
        Past `max_tries` runs the job fails instead, naming the stage its workers died in."""
        async with self._change(LIVE, fenced=False) as change:
            job = change.job
            crashed = await queries.close_open_attempts(
                change.session,
                job.id,
                AttemptOutcome.CRASHED,
                "its worker stopped (no lease renewal) before the stage ended",
            )
            job.run_id = self.run.id
            job.error_message = None
            if job.tries >= max_tries:
                change.stage = _give_up(change, crashed, max_tries)
                change.message = "job failed"
            else:
                job.tries += 1
                job.status = JobStatus.PROCESSING
                change.message = "job started"
        return change

    @_whole
    async def complete_job(self, video_path: str) -> None:
        async with self._change() as change:
            done = StageStatus.COMPLETED
            unfinished = [s.stage_name.value for s in change.stages if s.status != done]
            if len(change.stages) != len(STAGE_ORDER) or unfinished:
                raise RuntimeError(f"cannot complete {self.job_id}: {unfinished} not completed")
            change.job.status = JobStatus.COMPLETED
            change.job.video_path = video_path
            change.message = "job completed"

    # --- stages ----------------------------------------------------------------------------

    @_whole
    async def start_stage(self, name: StageName) -> None:
        async with self._change() as change:
            stage = change.stage = change.stage_named(name)
            if stage.status == StageStatus.COMPLETED:
                raise RuntimeError(f"{name} is already completed; it is never run again")
            number = await change.session.scalar(
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
            change.session.add(attempt)
            stage.status = StageStatus.PROCESSING
            stage.progress = 0
            stage.started_at = now
            stage.completed_at = None
            stage.error_message = None
            await change.session.flush()
            self._attempts[name] = attempt.id
            change.message = f"{name} started"
        self._last_progress[name] = 0

    @_whole
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
        async with self._change() as change:
            stage = change.stage = change.stage_named(name)
            if stage.status != StageStatus.PROCESSING:
                raise Superseded(self.job_id, change.job)
            stage.progress = value

    @_whole
    async def complete_stage(
        self, name: StageName, outputs: dict[str, Any], provider: str, cost_usd: Decimal
    ) -> None:
        async with self._change() as change:
            attempt = await self._open_attempt(change, name)
            stage = change.stage = change.stage_named(name)
            if stage.status != StageStatus.PROCESSING:
                raise Superseded(self.job_id, change.job)
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
            change.message = f"{name} completed"
        self._attempts.pop(name, None)

    @_whole
    async def fail(self, name: StageName, message: str, cost_usd: Decimal) -> None:
        """The stage failed for good: so does the job."""
        async with self._change() as change:
            attempt = await self._open_attempt(change, name)
            _close(attempt, AttemptOutcome.FAILED, message, cost_usd)
            change.stage = change.stage_named(name)
            _fail_stage(change, change.stage, message)
            change.message = f"{name} failed"
        self._attempts.pop(name, None)

    @_whole
    async def attempt_failed(
        self, name: StageName, message: str, cost_usd: Decimal, retry_in: float
    ) -> None:
        """A transient failure: this attempt is over, the job stays PROCESSING and a later run
        tries the stage again."""
        async with self._change() as change:
            attempt = await self._open_attempt(change, name)
            _close(attempt, AttemptOutcome.FAILED, message, cost_usd)
            change.stage = change.stage_named(name)
            change.message = (
                f"{name} attempt {attempt.attempt} failed; retrying in {retry_in:.0f} s"
            )
        self._attempts.pop(name, None)

    @_whole
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

    @_whole
    async def bill(self, name: StageName, spent: Decimal) -> None:
        """Record what this run's open attempt at `name` has spent so far (never less than
        before), with the stage's and the job's totals. Not fenced and not announced: money
        spent is on the ledger whoever holds the job now."""
        attempt_id = self._attempts.get(name)
        if attempt_id is None:
            return
        async with change_job(
            self.state.session_factory,
            self.state.redis,
            self.job_id,
            expect=tuple(JobStatus),
            publish_event=False,
        ) as change:
            await queries.raise_attempt_cost(change.session, attempt_id, spent)
            await _settle_costs(change)


async def _settle_costs(change: Change) -> None:
    """Stage costs are the sums of their attempts; the job's is the sum of its stages."""
    await change.session.flush()
    by_stage = await queries.attempt_costs(change.session, change.job.id)
    for stage in change.stages:
        stage.cost_usd = by_stage.get(stage.stage_name, Decimal(0))
    change.job.cost_usd = sum((s.cost_usd for s in change.stages), Decimal(0))


def _close(attempt: StageAttempt, outcome: AttemptOutcome, error: str, cost: Decimal) -> None:
    attempt.outcome = outcome
    attempt.ended_at = utcnow()
    attempt.error = error
    attempt.cost_usd = max(attempt.cost_usd, cost)


def _fail_stage(change: Change, stage: Stage, message: str) -> None:
    stage.status = StageStatus.FAILED
    stage.error_message = message
    stage.completed_at = utcnow()
    skip_unfinished(change.stages)
    change.job.status = JobStatus.FAILED
    change.job.error_message = f"{stage.stage_name} failed: {message}"


def _give_up(change: Change, crashed: list[StageAttempt], max_tries: int) -> Stage:
    running = [s for s in change.stages if s.status == StageStatus.PROCESSING]
    stage = (
        running[0]
        if running
        else next(s for s in change.stages if s.status != StageStatus.COMPLETED)
    )
    last = crashed[-1].worker if crashed else "unknown"
    reason = (
        f"gave up after {max_tries} tries: the worker running it stopped before it "
        f"finished every time (JOB_MAX_TRIES={max_tries}; last worker {last})"
    )
    _fail_stage(change, stage, reason)
    return stage
