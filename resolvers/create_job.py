"""createJob: validate everything, store the image, commit the job with its stages, enqueue.

Order matters. Nothing is written until every field is valid. The job and its four stages are one
transaction; the arq job is enqueued only after that commit, so a worker never sees a job id the
database does not have. If Redis is down at that moment the job stays PENDING and is not lost:
the worker's sweep enqueues every PENDING job.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from db.models import MAX_CTA, MAX_PRODUCT_NAME, Job
from domain.enums import AspectRatio, Style
from domain.script import CTA_MAX_WORDS
from domain.text import TextError, clean_text, count_words
from lifecycle.queue import enqueue_or_defer
from resolvers import uploads
from resolvers.context import Context
from resolvers.errors import REQUIRED, TOO_LARGE, TOO_LONG, FieldError

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CreateJobRequest:
    product_name: str
    style: Style
    cta_text: str
    aspect_ratio: AspectRatio
    product_image: uploads.UploadLike | None


def _check_text(value: str, name: str, max_length: int) -> tuple[str, FieldError | None]:
    try:
        return clean_text(value, field=name, max_chars=max_length), None
    except TextError as error:
        return value, FieldError(error.code, error.message, ("input", name))


async def _check_upload(
    ctx: Context, upload: uploads.UploadLike
) -> uploads.CheckedImage | FieldError:
    field = ("input", "productImage")
    limit = ctx.settings.max_upload_bytes
    data = await uploads.read_limited(upload, limit)
    if data is None:
        return FieldError(TOO_LARGE, f"image is larger than {limit} bytes", field)
    if not data:
        return FieldError(REQUIRED, "image file is empty", field)
    return uploads.check_image(data, ctx.settings.max_image_pixels, field)


async def create_job(
    ctx: Context, request: CreateJobRequest
) -> tuple[Job | None, list[FieldError]]:
    errors: list[FieldError] = []
    product_name, error = _check_text(request.product_name, "productName", MAX_PRODUCT_NAME)
    errors += [error] if error else []
    cta_text, error = _check_text(request.cta_text, "ctaText", MAX_CTA)
    if error is None and count_words(cta_text) > CTA_MAX_WORDS:
        # The end card and the voiceover must carry the whole call-to-action.
        error = FieldError(
            TOO_LONG,
            f"ctaText has {count_words(cta_text)} words; at most {CTA_MAX_WORDS}",
            ("input", "ctaText"),
        )
    errors += [error] if error else []
    image: uploads.CheckedImage | None = None
    if request.product_image is not None:
        checked = await _check_upload(ctx, request.product_image)
        if isinstance(checked, FieldError):
            errors.append(checked)
        else:
            image = checked
    if errors:
        return None, errors

    media_root = ctx.settings.media_root
    image_path = uploads.store_image(media_root, image) if image else None
    job = Job.new(
        owner=ctx.owner,
        product_name=product_name,
        style=request.style,
        cta_text=cta_text,
        aspect_ratio=request.aspect_ratio,
        product_image_path=image_path,
    )
    try:
        async with ctx.session() as session, session.begin():
            session.add(job)
    except BaseException:
        if image_path:
            uploads.remove_stored(media_root, image_path)
        raise
    log.info("job.created", job_id=str(job.id), style=job.style, has_image=bool(image_path))

    await enqueue_or_defer(ctx.services.redis, job.id)
    return job, []
