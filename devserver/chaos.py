"""Chaos for the local stack: SIGKILL whole worker process groups at random while jobs run, then
read back from the database what happened to every job and every stage attempt.

Used by the chaos test (tests/worker/test_chaos.py, short) and `make bench-chaos` (longer, with
the figures). A kill takes a worker down with its ffmpeg and espeak children, as a machine
failure would; a fresh worker is started at once in its place, so the fleet size stays the same.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job, Stage, StageAttempt
from db.types import utcnow
from devserver.stack import Stack
from domain.enums import AttemptOutcome


@dataclass(frozen=True)
class Kill:
    pid: int
    at: datetime


async def kill_workers(
    stack: Stack,
    seconds: float,
    rng: random.Random,
    *,
    gap: tuple[float, float] = (1.5, 3.5),
    enough: Callable[[list[Kill]], Awaitable[bool]] | None = None,
) -> list[Kill]:
    """For `seconds`, every `gap` seconds SIGKILL a random worker and start another; sooner if
    `enough(kills)` says, after a kill, that the chaos has done what it was for (a test stops
    once it has the kills it must prove something about, instead of at a fixed time)."""
    kills: list[Kill] = []
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(remaining, rng.uniform(*gap)))
        if time.monotonic() >= deadline or not stack.workers:
            break
        victim: subprocess.Popen[bytes] = rng.choice(stack.workers)
        kills.append(Kill(victim.pid, utcnow()))
        await asyncio.to_thread(stack.kill_worker, victim)
        await asyncio.to_thread(stack.start_worker)
        if enough is not None and await enough(kills):
            break
    return kills


@dataclass
class Report:
    jobs: list[Job]
    stages: list[Stage]
    attempts: list[StageAttempt]
    kills: list[Kill]
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, outcome)
    overlaps: list[tuple[StageAttempt, StageAttempt]] = field(default_factory=list)
    recoveries: list[float] = field(default_factory=list)  # kill -> next attempt, seconds

    def attempts_of(self, job_id: uuid.UUID, stage: str) -> list[StageAttempt]:
        return sorted(
            (a for a in self.attempts if a.job_id == job_id and a.stage_name == stage),
            key=lambda a: a.started_at,
        )


async def report(engine: AsyncEngine, job_ids: list[uuid.UUID], kills: list[Kill]) -> Report:
    async with create_session_factory(engine)() as session:
        jobs = list((await session.scalars(select(Job).where(Job.id.in_(job_ids)))).all())
        stages = list((await session.scalars(select(Stage).where(Stage.job_id.in_(job_ids)))).all())
        attempts = list(
            (
                await session.scalars(select(StageAttempt).where(StageAttempt.job_id.in_(job_ids)))
            ).all()
        )
    result = Report(jobs, stages, attempts, kills)
    killed_at = {kill.pid: kill.at for kill in kills}
    for attempt in attempts:
        result.outcomes[(attempt.stage_name.value, attempt.outcome.value)] += 1
    for stage in stages:
        ordered = result.attempts_of(stage.job_id, stage.stage_name)
        for earlier, later in itertools.pairwise(ordered):
            if earlier.ended_at is None or earlier.ended_at > later.started_at:
                result.overlaps.append((earlier, later))
            if earlier.outcome == AttemptOutcome.CRASHED:
                pid = _pid_of(earlier.worker)
                if pid in killed_at:
                    result.recoveries.append((later.started_at - killed_at[pid]).total_seconds())
    return result


async def cut_short(engine: AsyncEngine, job_ids: list[uuid.UUID], kills: list[Kill]) -> bool:
    """Whether a kill has cut a running stage attempt short: one already closed as crashed, or
    one still open whose worker is among the killed (the next run will close it as crashed)."""
    killed = {kill.pid for kill in kills}
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            select(StageAttempt.worker, StageAttempt.outcome).where(
                StageAttempt.job_id.in_(job_ids),
                StageAttempt.outcome.in_([AttemptOutcome.CRASHED, AttemptOutcome.RUNNING]),
            )
        )
        return any(
            outcome == AttemptOutcome.CRASHED or _pid_of(worker) in killed
            for worker, outcome in rows
        )


def _pid_of(worker: str) -> int | None:
    """Worker ids are host/pid/random (worker.context.new_worker_id)."""
    parts = worker.split("/")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
