"""The lifecycle: every change is checked against the transition table, committed, then
published with the job's next sequence number; a refused change writes and publishes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_session_factory
from db.models import Job
from domain.enums import JobStatus, Style
from events.format import channel_for
from lifecycle.change import JobGone, Superseded, change_job
from lifecycle.transitions import ALLOWED, IllegalTransition, check


def test_finished_jobs_only_go_back_to_pending_by_retry() -> None:
    assert ALLOWED[JobStatus.COMPLETED] == frozenset()
    for status in (JobStatus.FAILED, JobStatus.CANCELLED):
        assert ALLOWED[status] == {JobStatus.PENDING}
    with pytest.raises(IllegalTransition):
        check(JobStatus.COMPLETED, JobStatus.PROCESSING)
    check(JobStatus.PROCESSING, JobStatus.PROCESSING)  # progress within a status is fine


async def _job(engine: AsyncEngine, status: JobStatus, run_id: str | None = None) -> Job:
    job = Job.new(owner="local", product_name="Kite", style=Style.MINIMAL, cta_text="Fly")
    job.status, job.run_id = status, run_id
    async with create_session_factory(engine)() as session, session.begin():
        session.add(job)
    return job


async def test_a_change_is_committed_then_published_in_sequence(
    engine: AsyncEngine, redis: aioredis.Redis
) -> None:
    job = await _job(engine, JobStatus.PENDING)
    factory = create_session_factory(engine)
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel_for(job.id))
    for status in (JobStatus.PROCESSING, JobStatus.COMPLETED):
        async with change_job(factory, redis, job.id, expect=tuple(JobStatus)) as change:
            change.job.status = status
            change.message = status.value
    messages: list[dict[str, object]] = []
    async with asyncio.timeout(5):
        while len(messages) < 2:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            if message:
                messages.append(json.loads(message["data"]))
    await pubsub.aclose()  # type: ignore[no-untyped-call]
    assert [(m["sequence"], m["status"], m["progress"]) for m in messages] == [
        (1, "processing", 0),
        (2, "completed", 100),
    ]


async def test_refused_changes_write_nothing(engine: AsyncEngine, redis: aioredis.Redis) -> None:
    factory = create_session_factory(engine)
    done = await _job(engine, JobStatus.COMPLETED)
    with pytest.raises(JobGone) as gone:
        async with change_job(factory, redis, done.id, expect=(JobStatus.PROCESSING,)):
            pytest.fail("a completed job is not processing")
    assert gone.value.job is not None and gone.value.job.status == JobStatus.COMPLETED
    with pytest.raises(IllegalTransition):
        async with change_job(factory, redis, done.id, expect=tuple(JobStatus)) as change:
            change.job.status = JobStatus.PROCESSING
    held = await _job(engine, JobStatus.PROCESSING, run_id="a" * 32)
    with pytest.raises(Superseded):
        async with change_job(
            factory, redis, held.id, expect=(JobStatus.PROCESSING,), fence="b" * 32
        ):
            pytest.fail("another run holds this job")
    async with factory() as session:
        rows = {
            j.id: j for j in [await session.get(Job, done.id), await session.get(Job, held.id)] if j
        }
    assert rows[done.id].status == JobStatus.COMPLETED and rows[done.id].event_sequence == 0
    assert rows[held.id].event_sequence == 0
