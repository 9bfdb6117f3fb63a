"""createVariants: new jobs that differ from a finished one on the chosen axes only.

Each variant is a job of its own (same lifecycle: progress, cancel, retry, webhooks), linked to
its source (`variant_of`). The stages its axes leave alone are copied from the source as
COMPLETED, with their files, and never run; the worker runs the rest, reusing inside them what
did not change (domain.variants).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from db import queries
from db.models import Job, Stage
from db.types import utcnow
from domain import media
from domain.enums import STAGE_ORDER, JobStatus, MusicChoice, StageName, StageStatus, VariantAxis
from domain.variants import MAX_VARIANTS, cta_alternatives, other_styles, stages_to_rerun
from domain.voices import default_voice, voices_for
from lifecycle.queue import enqueue_or_defer
from resolvers.context import Context
from resolvers.errors import INVALID_STATE, NOT_FOUND, REQUIRED, TOO_LARGE, FieldError
from resolvers.jobs import parse_job_id
from settings import hosted_voice

log = structlog.get_logger(__name__)

HOOK_CHOICES = 5  # intros - 1, for the smallest phrase book (tests/pipeline/script)


@dataclass(frozen=True)
class VariantRequest:
    job_id: str
    count: int
    vary: list[VariantAxis]


def _options(ctx: Context, source: Job, axes: list[VariantAxis]) -> dict[VariantAxis, list[object]]:
    """Per axis, the alternatives to the source, in the order variants take them."""
    hosted = hosted_voice(ctx.settings)
    options: dict[VariantAxis, list[object]] = {}
    for axis in axes:
        if axis is VariantAxis.HOOK:
            options[axis] = list(range(1, HOOK_CHOICES + 1))
        elif axis is VariantAxis.CTA:
            options[axis] = list(cta_alternatives(source.language.split("-")[0], source.cta_text))
        elif axis is VariantAxis.STYLE:
            options[axis] = list(other_styles(source.style))
        elif axis is VariantAxis.VOICE:
            language = source.language.split("-")[0]
            current = source.voice or getattr(default_voice(language, hosted), "id", None)
            options[axis] = [v.id for v in voices_for(language, hosted) if v.id != current]
        elif axis is VariantAxis.MUSIC:
            bundled = source.music is MusicChoice.AUTO and source.music_track_path is None
            options[axis] = list(range(1, 6)) if bundled else []
    return options


def _check(
    ctx: Context, request: VariantRequest, source: Job | None
) -> tuple[dict[VariantAxis, list[object]], list[FieldError]]:
    if source is None:
        return {}, [FieldError(NOT_FOUND, "job not found", ("input", "jobId"))]
    errors: list[FieldError] = []
    if source.status is not JobStatus.COMPLETED:
        errors.append(
            FieldError(
                INVALID_STATE,
                f"variants are made of COMPLETED jobs; this one is {source.status.name}",
                ("input", "jobId"),
            )
        )
    if not 1 <= request.count <= MAX_VARIANTS:
        errors.append(
            FieldError(
                TOO_LARGE,
                f"count must be 1 to {MAX_VARIANTS}, not {request.count}",
                ("input", "count"),
            )
        )
    if not request.vary:
        errors.append(FieldError(REQUIRED, "vary needs at least one axis", ("input", "vary")))
    axes = list(dict.fromkeys(request.vary))
    options = _options(ctx, source, axes)
    for axis, choices in options.items():
        if not choices:
            why = {
                VariantAxis.MUSIC: "the job has no bundled music (music NONE or its own track)",
                VariantAxis.VOICE: "no other voice here speaks the job's language",
                VariantAxis.CTA: "there are no stock calls-to-action in the job's language",
            }.get(axis, "nothing to vary")
            message = f"cannot vary {axis.name}: {why}"
            errors.append(FieldError(INVALID_STATE, message, ("input", "vary")))
    most = max((len(c) for c in options.values()), default=0)
    if options and all(options.values()) and MAX_VARIANTS >= request.count > most:
        errors.append(
            FieldError(
                TOO_LARGE,
                f"count {request.count}: {', '.join(a.name for a in axes)} can make at most "
                f"{most} different variants",
                ("input", "count"),
            )
        )
    return options, errors


def _variant(source: Job, axes: set[VariantAxis], choice: dict[VariantAxis, object]) -> Job:
    """The source's job with this variant's choice on each of its axes (HOOK and MUSIC choices
    are how many alternatives further along to go)."""
    style = choice.get(VariantAxis.STYLE, source.style)
    hook_shift = choice.get(VariantAxis.HOOK, 0)
    music_shift = choice.get(VariantAxis.MUSIC, 0)
    assert isinstance(hook_shift, int) and isinstance(music_shift, int)
    return Job.new(
        owner=source.owner,
        product_name=source.product_name,
        style=style,
        cta_text=choice.get(VariantAxis.CTA, source.cta_text),
        aspect_ratio=source.aspect_ratio,
        product_image_paths=list(source.product_image_paths or []),
        product_url=source.product_url,
        product_price=source.product_price,
        product_facts=list(source.product_facts or []),
        product_description=source.product_description,
        key_benefits=list(source.key_benefits or []),
        duration=source.duration,
        duration_seconds=source.duration_seconds,  # reused stages were made at this length
        music=source.music,
        music_track_path=source.music_track_path,
        music_track_beats=source.music_track_beats,
        language=source.language,
        voice=choice.get(VariantAxis.VOICE, source.voice),
        webhook_url=source.webhook_url,
        brand=source.brand,  # the same kit, as it was: its copies of the files are shared
        variant_of=source.id,
        variant_axes=sorted(a.value for a in axes),
        hook_variant=source.hook_variant + hook_shift,
        music_variant=source.music_variant + music_shift,
    )


def _reuse(variant: Job, source_stages: list[Stage], rerun: frozenset[StageName]) -> None:
    """Copy the source's stages the axes leave alone: COMPLETED, never run, nothing spent."""
    now = utcnow()
    by_name = {s.stage_name: s for s in source_stages}
    for stage in variant.stages:
        if stage.stage_name in rerun:
            continue
        original = by_name[stage.stage_name]
        stage.status = StageStatus.COMPLETED
        stage.progress = 100
        stage.stage_data = dict(original.stage_data)
        stage.provider = f"reused:{original.provider or ''}"[:64]
        stage.started_at = stage.completed_at = now


async def _copy_files(ctx: Context, source: Job, variant: Job, rerun: frozenset[StageName]) -> None:
    store = ctx.media
    for name, folder in media.STAGE_FILES.items():
        if name in rerun or folder is None:
            continue
        prefix = media.job_file(source.id, folder)
        for key in await store.list(prefix):
            target = media.job_file(variant.id, key.removeprefix(media.job_dir(source.id) + "/"))
            await store.copy(key, target)


async def create_variants(
    ctx: Context, request: VariantRequest
) -> tuple[list[Job], list[FieldError]]:
    job_id = parse_job_id(request.job_id)
    source = None
    source_stages: list[Stage] = []
    if job_id is not None:
        async with ctx.session() as session:
            source = await queries.get_job(session, job_id, ctx.owner)
            if source is not None:
                source_stages = await queries.job_stages(session, job_id)
    options, errors = _check(ctx, request, source)
    if errors or source is None:
        return [], errors
    axes = set(options)
    rerun = stages_to_rerun(axes)
    variants = []
    for n in range(request.count):
        choice = {axis: values[n % len(values)] for axis, values in options.items()}
        variant = _variant(source, axes, choice)
        _reuse(variant, source_stages, rerun)
        variants.append(variant)
    try:
        for variant in variants:
            await _copy_files(ctx, source, variant, rerun)
        async with ctx.session() as session, session.begin():
            session.add_all(variants)
    except BaseException:
        for variant in variants:
            await asyncio.shield(_remove_files(ctx, variant))
        raise
    log.info(
        "job.variants_created",
        source=str(source.id),
        variants=[str(v.id) for v in variants],
        axes=sorted(a.value for a in axes),
        reused=[n.value for n in STAGE_ORDER if n not in rerun],
    )
    for variant in variants:
        await enqueue_or_defer(ctx.services.redis, variant.id)
    return variants, []


async def _remove_files(ctx: Context, variant: Job) -> None:
    for key in await ctx.media.list(media.job_dir(variant.id)):
        await ctx.media.delete(key)


__all__ = ["VariantRequest", "create_variants"]
