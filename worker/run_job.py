"""run_job(job_id): the arq task that takes one job through its four stages.

Idempotent, because arq runs a job again after a crash: completed stages are skipped (their
stage_data holds the outputs the later stages need), a stage caught half-done is run again from
its start (stages overwrite their own outputs), and a job that is no longer PENDING/PROCESSING
(cancelled, finished) is left alone.

One run per job, fleet-wide: each call is a new run with its own token. It must take the job's
lease (refused while another run lives, in this process or any other) and then the job itself
(`start_job` writes the run's token as the job's fencing token), and every later write checks
that token, so a run that lost the job stops at its next step.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog
from arq import Retry

from db import queries
from db.models import Job
from domain import media
from domain.backoff import backoff_seconds
from domain.brand import BUNDLED_FONTS, BrandFont, BrandSnapshot
from domain.enums import (
    STAGE_ORDER,
    AttemptOutcome,
    JobStatus,
    StageName,
    StageStatus,
    VariantAxis,
)
from domain.length import render_seconds
from domain.outputs import Completed, StageOutput, read_output
from domain.pricing import to_micro
from lifecycle.change import Change, JobGone, Superseded
from pipeline.errors import StageError, TransientStageError
from pipeline.providers.usage import BILLING, Call
from pipeline.shared.heartbeat import HEARTBEAT
from pipeline.shared.memory import release_memory
from pipeline.spec import Brand, BrandFace, JobSpec, Reuse
from worker import artefacts
from worker.context import WorkerState, state_of
from worker.lease import LeaseTaken, hold_lease
from worker.recorder import JobRecorder, Run
from worker.watchdog import Slot, watch

log = structlog.get_logger("worker")


def job_dir(state: WorkerState, job_id: uuid.UUID) -> Path:
    return state.settings.media_root / media.job_dir(job_id)


def _face(font: BrandFont | None, media_root: Path, bundled: int) -> BrandFace | None:
    """A kit's font for the render: its uploaded file (brought into MEDIA_DIR before the run)
    or the bundled family's heading (0) or body (1) file."""
    if font is None:
        return None
    if font.key is not None:
        return BrandFace(font.family, str(media_root / font.key))
    return BrandFace(font.family, BUNDLED_FONTS[font.family][bundled])


def brand_of(job: Job, media_root: Path) -> Brand | None:
    """The job's snapshot of its brand kit, as the render takes it."""
    if not job.brand:
        return None
    kit = BrandSnapshot.from_json(job.brand)
    return Brand(
        primary=kit.primary,
        accent=kit.accent,
        text=kit.text_used,
        logo=media_root / kit.logo if kit.logo else None,
        heading=_face(kit.heading, media_root, 0),
        body=_face(kit.body, media_root, 1),
    )


def build_spec(state: WorkerState, job: Job) -> JobSpec:
    media_root = state.settings.media_root
    photos = tuple(media_root / path for path in job.product_image_paths or ())
    return JobSpec(
        job_id=str(job.id),
        product_name=job.product_name,
        style=job.style,
        cta_text=job.cta_text,
        aspect_ratio=job.aspect_ratio,
        product_image=photos[0] if photos else None,
        product_images=photos,
        work_dir=job_dir(state, job.id),
        total_seconds=render_seconds(job.duration_seconds, state.settings.ad_seconds),
        resolution=state.settings.ad_resolution,
        description=job.product_description,
        benefits=tuple(job.key_benefits or ()),
        price=job.product_price,
        facts=tuple((str(fact["field"]), str(fact["source"])) for fact in job.product_facts or ()),
        music=job.music,
        music_track=(media_root / job.music_track_path) if job.music_track_path else None,
        music_beats=tuple(job.music_track_beats) if job.music_track_beats is not None else None,
        language=job.language.split("-", 1)[0],
        voice=job.voice,
        hook_variant=job.hook_variant,
        music_variant=job.music_variant,
        brand=brand_of(job, media_root),
    )


async def run_job(ctx: dict[str, Any], job_id: str) -> None:
    state = state_of(ctx)
    run = Run(worker=state.worker_id)
    structlog.contextvars.bind_contextvars(job_id=job_id, run_id=run.id)
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
        async with hold_lease(state.redis, job_id, run.token, state.settings.worker_lease_seconds):
            await _run(state, JobRecorder(state, uid, run))
    except LeaseTaken:
        log.info("job.refused", reason="another run holds the job's lease")
    except Superseded:
        log.warning("job.superseded", reason="another run took the job over")
    except JobGone:
        log.info("job.stopped", reason="no longer processing (cancelled)")
    finally:
        structlog.contextvars.unbind_contextvars("job_id", "run_id", "stage")


async def _run(state: WorkerState, recorder: JobRecorder) -> None:
    settings = state.settings
    snapshot: Change = await recorder.start_job(settings.job_max_tries)
    if snapshot.job.status != JobStatus.PROCESSING:
        log.error("job.gave_up", error=snapshot.job.error_message)
        return
    spec = build_spec(state, snapshot.job)
    spec.work_dir.mkdir(parents=True, exist_ok=True)
    log.info("job.started", attempt=snapshot.job.tries)
    deadline = asyncio.get_running_loop().time() + settings.job_timeout_seconds
    inputs = [
        (key, settings.media_root / key)
        for key in (
            *(snapshot.job.product_image_paths or ()),
            snapshot.job.music_track_path,
            # The kit's files as the job keeps them: logo and uploaded fonts.
            *(BrandSnapshot.from_json(snapshot.job.brand).keys if snapshot.job.brand else ()),
        )
        if key
    ]
    done = [n for n in STAGE_ORDER if snapshot.stage_named(n).status == StageStatus.COMPLETED]
    try:
        # A job another machine started: its photos, music and finished stages' files.
        await artefacts.bring_in(state.store, spec.job_id, spec.work_dir, done, inputs)
        if snapshot.job.variant_of is not None:
            spec = await _with_source(state, spec, snapshot.job, done)
        await _stages(state, recorder, snapshot, spec, deadline)
    finally:
        if spec.reuse is not None:
            shutil.rmtree(spec.reuse.files, ignore_errors=True)
        artefacts.clear(state.store, spec.work_dir, [path for _, path in inputs])


async def _with_source(
    state: WorkerState, spec: JobSpec, job: Job, done: list[StageName]
) -> JobSpec:
    """A variant's spec: its source's outputs and the source files its stages may reuse (the
    voice tracks, and for a music-only variant the source's ad), and its original's music seed."""
    source_id = job.variant_of
    assert source_id is not None
    root = source_id
    async with state.session_factory() as session:
        source = await queries.get_job(session, source_id, owner=None)
        stages = await queries.job_stages(session, source_id) if source else []
        for _ in range(20):  # the original: variants of variants keep its music
            above = await queries.get_job(session, root, owner=None)
            if above is None or above.variant_of is None:
                break
            root = above.variant_of
    outputs = Completed.from_data(
        {s.stage_name: s.stage_data for s in stages if s.status == StageStatus.COMPLETED}
    )
    source_dir = spec.work_dir / "source"
    axes = set(job.variant_axes or [])
    remix = axes == {VariantAxis.MUSIC.value}
    end_card = axes == {VariantAxis.CTA.value}
    wanted: list[str] = []
    if StageName.VOICE_GEN not in done:
        wanted += await state.store.list(media.job_file(source_id, artefacts.VOICE_FILES))
    if (remix or end_card) and StageName.COMPOSITING not in done:
        wanted.append(media.job_file(source_id, artefacts.AD_FILE))
    if end_card and StageName.COMPOSITING not in done:
        wanted += [media.job_file(source_id, name) for name in artefacts.PLAN_FILES]
    prefix = media.job_dir(source_id) + "/"
    for key in wanted:
        with contextlib.suppress(FileNotFoundError):  # nothing to reuse: the stage makes it all
            await state.store.fetch(key, source_dir / key.removeprefix(prefix))
    reuse = Reuse(
        source=outputs,
        files=source_dir,
        music_seed=str(root),
        # Its source's bed, as stored, unless the music or the style (its beds) changes.
        music=not axes & {VariantAxis.MUSIC.value, VariantAxis.STYLE.value},
        picture=remix,
        end_card=end_card,
    )
    return dataclasses.replace(spec, reuse=reuse)


async def _stages(
    state: WorkerState, recorder: JobRecorder, snapshot: Change, spec: JobSpec, deadline: float
) -> None:
    completed = Completed()
    for name in STAGE_ORDER:
        stage = snapshot.stage_named(name)
        if stage.status == StageStatus.COMPLETED:
            completed.add(name, read_output(name, stage.stage_data))
            log.info("job.stage.reused", stage=name.value)
            continue
        output = await _run_stage(
            state, recorder, spec, name, completed, snapshot.job.tries, deadline
        )
        if output is None:
            return  # failed permanently; recorded
        completed.add(name, output)
    final = completed.compositing
    assert final is not None  # the loop ran every stage
    await recorder.complete_job(media.job_file(recorder.job_id, final.path))
    log.info("job.completed")


@dataclass
class Spending:
    """Hosted calls billed during one attempt, recorded as they happen (see recorder.bill)."""

    recorder: JobRecorder
    stage: StageName
    exact: Decimal = Decimal(0)
    writes: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def total(self) -> Decimal:
        return to_micro(self.exact)

    def __call__(self, call: Call) -> None:
        self.exact += call.cost
        task = asyncio.create_task(self.recorder.bill(self.stage, self.total))
        self.writes.add(task)
        task.add_done_callback(self.writes.discard)

    async def settle(self) -> None:
        """Wait for the writes in flight (their failures are logged, never raised)."""
        if self.writes:
            for result in await asyncio.gather(*self.writes, return_exceptions=True):
                if isinstance(result, Exception) and not isinstance(result, JobGone):
                    log.warning("job.billing_write_failed", error=type(result).__name__)


async def _run_stage(
    state: WorkerState,
    recorder: JobRecorder,
    spec: JobSpec,
    name: StageName,
    completed: Completed,
    attempt: int,
    deadline: float,
) -> StageOutput | None:
    structlog.contextvars.bind_contextvars(stage=name.value)
    await recorder.start_stage(name)
    log.info("job.stage.started")
    slot = state.slots.busy[recorder.run.id] = Slot(str(recorder.job_id), name)

    async def progress(value: int) -> None:
        slot.touch()
        await recorder.progress(name, value)

    spending = Spending(recorder, name)
    billing = BILLING.set(spending)
    heartbeat = HEARTBEAT.set(slot.touch)
    try:
        try:
            async with asyncio.timeout_at(deadline):
                stage = state.stages[name](spec, completed, progress)
                stall = state.settings.stage_stall_seconds
                result = await watch(stage, slot, stall, state.slots)
                try:
                    # In the store before the stage counts as done (resuming elsewhere needs it).
                    await artefacts.keep(state.store, spec.job_id, spec.work_dir, name)
                except OSError as exc:
                    raise TransientStageError(f"could not store the stage's files: {exc}") from exc
        finally:
            release_memory()  # before the next stage's ffmpeg children add theirs
    except TimeoutError:
        await spending.settle()
        timeout = state.settings.job_timeout_seconds
        await recorder.fail(
            name, f"timed out: the job took longer than {timeout:g} s", spending.total
        )
        log.error("job.stage.timed_out", timeout_s=timeout)
        return None
    except asyncio.CancelledError:
        # cancelJob (the API has closed the attempt already) or the worker shutting down: the
        # job stays PROCESSING and another run picks the stage up again.
        log.info("job.stage.interrupted")
        await asyncio.shield(_end_attempt(recorder, spending, AttemptOutcome.INTERRUPTED))
        raise
    except Superseded:
        await _end_attempt(recorder, spending, AttemptOutcome.SUPERSEDED)
        raise
    except JobGone:
        raise
    except TransientStageError as exc:
        await spending.settle()
        if attempt < state.settings.job_max_tries:
            defer = backoff_seconds(attempt - 1, base=2.0, cap=60.0)
            log.warning("job.stage.retrying", error=str(exc), defer_s=round(defer, 2))
            await recorder.attempt_failed(name, str(exc), spending.total, defer)
            raise Retry(defer=defer) from exc
        await recorder.fail(name, f"{exc} (gave up after {attempt} tries)", spending.total)
        log.error("job.stage.failed", error=str(exc))
        return None
    except StageError as exc:
        await spending.settle()
        await recorder.fail(name, str(exc), spending.total)
        log.error("job.stage.failed", error=str(exc))
        return None
    except Exception as exc:  # a bug: fail the job with a safe message, log everything
        log.exception("job.stage.crashed")
        await spending.settle()
        await recorder.fail(name, f"internal error ({type(exc).__name__})", spending.total)
        return None
    finally:
        BILLING.reset(billing)
        HEARTBEAT.reset(heartbeat)
        state.slots.busy.pop(recorder.run.id, None)
    await spending.settle()
    cost = max(Decimal(str(result.cost_usd)), spending.total)
    await recorder.complete_stage(name, result.output.to_data(), result.provider, cost)
    log.info("job.stage.completed", provider=result.provider, cost_usd=result.cost_usd)
    return result.output


async def _end_attempt(recorder: JobRecorder, spending: Spending, outcome: AttemptOutcome) -> None:
    try:
        await spending.settle()
        reason = {
            AttemptOutcome.INTERRUPTED: "the run was stopped (worker shutdown or cancelJob)",
            AttemptOutcome.SUPERSEDED: "another run took the job over",
        }[outcome]
        await recorder.end_attempt(spending.stage, outcome, reason, spending.total)
    except Exception:
        log.exception("job.stage.attempt_not_closed")
