"""run_job(job_id): the arq task that takes one job through its four stages.

Idempotent, because arq runs a job again after a crash: completed stages are skipped (their
stage_data holds the outputs the later stages need), a stage caught half-done is run again from
its start (stages overwrite their own outputs), and a job that is no longer PENDING/PROCESSING
(cancelled, finished) is left alone.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path
from typing import Any

import structlog
from arq import Retry

from db import queries
from db.models import Job, JobStatus, StageStatus
from pipeline.errors import StageError, TransientStageError
from pipeline.spec import JobSpec
from pipeline.templates import STAGE_ORDER, StageName
from worker.context import WorkerState, state_of
from worker.lease import LeaseTaken, hold_lease
from worker.recorder import JobGone, JobRecorder, Snapshot

log = structlog.get_logger("worker")

JOBS_DIR = "jobs"


def backoff_seconds(attempt: int, *, base: float = 2.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter: spreads retries of many jobs hitting one outage."""
    return random.uniform(0, min(cap, base * 2 ** max(0, attempt - 1)))  # noqa: S311


def job_dir(state: WorkerState, job_id: uuid.UUID) -> Path:
    return state.settings.media_root / JOBS_DIR / str(job_id)


def build_spec(state: WorkerState, job: Job) -> JobSpec:
    media_root = state.settings.media_root
    return JobSpec(
        job_id=str(job.id),
        product_name=job.product_name,
        style=job.style,
        cta_text=job.cta_text,
        aspect_ratio=job.aspect_ratio,
        product_image=(media_root / job.product_image_path) if job.product_image_path else None,
        work_dir=job_dir(state, job.id),
        total_seconds=state.settings.ad_seconds,
    )


async def run_job(ctx: dict[str, Any], job_id: str) -> None:
    state = state_of(ctx)
    structlog.contextvars.bind_contextvars(job_id=job_id)
    try:
        uid = uuid.UUID(job_id)
    except ValueError:
        log.error("job.bad_id")
        return
    async with state.session_factory() as session:
        job = await queries.get_job(session, uid, owner=None)
    if job is None or job.status not in (JobStatus.PENDING, JobStatus.PROCESSING):
        log.info("job.skipped", status=job.status if job else None)
        return
    try:
        async with hold_lease(
            state.redis, job_id, state.worker_id, state.settings.worker_lease_seconds
        ):
            await _run(state, uid, int(ctx.get("job_try", 1)))
    except LeaseTaken:
        log.info("job.already_running_elsewhere")
    except JobGone:
        log.info("job.stopped", reason="no longer processing (cancelled)")
    finally:
        structlog.contextvars.unbind_contextvars("job_id", "stage")


async def _run(state: WorkerState, job_id: uuid.UUID, attempt: int) -> None:
    recorder = JobRecorder(state, job_id)
    snapshot: Snapshot = await recorder.start_job()
    spec = build_spec(state, snapshot.job)
    spec.work_dir.mkdir(parents=True, exist_ok=True)
    log.info("job.started", attempt=attempt)
    completed: dict[str, dict[str, Any]] = {}
    for name in STAGE_ORDER:
        stage = snapshot.stage(name)
        if stage.status == StageStatus.COMPLETED:
            completed[name.value] = stage.stage_data
            log.info("job.stage.reused", stage=name.value)
            continue
        outputs = await _run_stage(state, recorder, spec, name, completed, attempt)
        if outputs is None:
            return  # failed permanently; recorded
        completed[name.value] = outputs
    final = completed[StageName.COMPOSITING.value]["path"]
    await recorder.complete_job(f"/media/{JOBS_DIR}/{job_id}/{final}")
    log.info("job.completed")


async def _run_stage(
    state: WorkerState,
    recorder: JobRecorder,
    spec: JobSpec,
    name: StageName,
    completed: dict[str, dict[str, Any]],
    attempt: int,
) -> dict[str, Any] | None:
    structlog.contextvars.bind_contextvars(stage=name.value)
    await recorder.start_stage(name)
    log.info("job.stage.started")

    async def progress(value: int) -> None:
        await recorder.progress(name, value)

    try:
        result = await state.stages[name](spec, completed, progress)
    except asyncio.CancelledError:
        log.info("job.stage.cancelled")
        raise
    except TransientStageError as exc:
        if attempt < state.settings.job_max_tries:
            defer = backoff_seconds(attempt)
            log.warning("job.stage.retrying", error=str(exc), defer_s=round(defer, 2))
            raise Retry(defer=defer) from exc
        await recorder.fail(name, f"{exc} (gave up after {attempt} tries)")
        log.error("job.stage.failed", error=str(exc))
        return None
    except StageError as exc:
        await recorder.fail(name, str(exc))
        log.error("job.stage.failed", error=str(exc))
        return None
    except Exception as exc:  # a bug: fail the job with a safe message, log everything
        log.exception("job.stage.crashed")
        await recorder.fail(name, f"internal error ({type(exc).__name__})")
        return None
    await recorder.complete_stage(name, result.outputs, result.provider, result.cost_usd)
    log.info("job.stage.completed", provider=result.provider, cost_usd=result.cost_usd)
    return result.outputs
