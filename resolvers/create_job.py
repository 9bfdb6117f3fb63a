"""createJob: validate everything, store the uploads, commit the job with its stages, enqueue.

Order matters. Nothing is written until every field is valid. A productUrl is read only after
every other field is (a typo costs no network), and its page fills in only what the caller left
out: the caller's name, description and photos win, the price is the page's. The job and its
four stages are one transaction; the arq job is enqueued only after that commit, so a worker
never sees a job id the database does not have. If Redis is down at that moment the job stays
PENDING and is not lost: the worker's sweep enqueues every PENDING job.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import structlog

from db.models import (
    MAX_BENEFIT,
    MAX_BENEFITS,
    MAX_CTA,
    MAX_DESCRIPTION,
    MAX_PRODUCT_NAME,
    MAX_PRODUCT_URL,
    BrandKit,
    Job,
)
from domain.enums import AdDuration, AspectRatio, MusicChoice, Style
from domain.script import CTA_MAX_WORDS
from domain.text import TextError, clean_text, count_words, has_visible
from lifecycle.queue import enqueue_or_defer
from lifecycle.webhooks import WebhookUrlError, check_webhook_url
from resolvers import brand_kits, uploads
from resolvers.audio import CheckedAudio, check_audio
from resolvers.context import Context
from resolvers.errors import (
    CONFLICT,
    INVALID_URL,
    NOT_CONFIGURED,
    REQUIRED,
    TOO_LONG,
    FieldError,
)
from resolvers.language import check_language
from resolvers.photos import check_photos
from resolvers.product_url import read_page

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CreateJobRequest:
    product_name: str | None
    style: Style
    cta_text: str
    aspect_ratio: AspectRatio
    product_image: uploads.UploadLike | None
    product_images: list[uploads.UploadLike] | None = None
    product_url: str | None = None
    product_description: str | None = None
    key_benefits: list[str] | None = None
    music: MusicChoice = MusicChoice.AUTO
    music_track: uploads.UploadLike | None = None
    duration: AdDuration = AdDuration.AUTO
    webhook_url: str | None = None
    language: str = "en"
    voice: str | None = None
    brand_kit_id: str | None = None


@dataclass
class Checked:
    """What createJob keeps of a request once every field is valid."""

    product_name: str = ""
    cta_text: str = ""
    language: str = "en"
    description: str | None = None
    benefits: list[str] = field(default_factory=list)
    photos: list[uploads.CheckedImage] = field(default_factory=list)
    track: CheckedAudio | None = None
    product_url: str | None = None
    price: str | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)
    kit: BrandKit | None = None


def _check_text(value: str, name: str, max_length: int) -> tuple[str, FieldError | None]:
    try:
        return clean_text(value, field=name, max_chars=max_length), None
    except TextError as error:
        return value, FieldError(error.code, error.message, ("input", name))


def _check_copy(request: CreateJobRequest, checked: Checked) -> list[FieldError]:
    """The description and key benefits: optional, each cleaned like every text input."""
    errors: list[FieldError] = []
    if request.product_description is not None and has_visible(request.product_description):
        description, error = _check_text(
            request.product_description, "productDescription", MAX_DESCRIPTION
        )
        errors += [error] if error else []
        checked.description = description
    benefits = request.key_benefits or []
    if len(benefits) > MAX_BENEFITS:
        errors.append(
            FieldError(
                TOO_LONG,
                f"keyBenefits has {len(benefits)} items; at most {MAX_BENEFITS}",
                ("input", "keyBenefits"),
            )
        )
        return errors
    for index, benefit in enumerate(benefits):
        try:
            checked.benefits.append(
                clean_text(benefit, field=f"keyBenefits[{index}]", max_chars=MAX_BENEFIT)
            )
        except TextError as error:
            errors.append(
                FieldError(error.code, error.message, ("input", "keyBenefits", str(index)))
            )
    return errors


async def _check_track(ctx: Context, upload: uploads.UploadLike) -> CheckedAudio | FieldError:
    field = ("input", "musicTrack")
    data = await uploads.read_upload(upload, ctx.settings.max_music_bytes, "music track", field)
    if isinstance(data, FieldError):
        return data
    return await check_audio(data, ctx.settings.max_music_seconds, field)


async def _check_webhook(ctx: Context, url: str) -> FieldError | None:
    field = ("input", "webhookUrl")
    if ctx.owner not in ctx.settings.webhook_secret_by_owner:
        return FieldError(
            NOT_CONFIGURED,
            "webhookUrl needs a signing secret for your account: this deployment has none in "
            "WEBHOOK_SECRETS",
            field,
        )
    try:
        await check_webhook_url(
            url.strip(), allow_private=ctx.settings.webhook_allow_private_networks
        )
    except WebhookUrlError as error:
        return FieldError(INVALID_URL, f"webhookUrl {error}", field)
    return None


def _check_names(request: CreateJobRequest, checked: Checked) -> list[FieldError]:
    """The product name (which a productUrl's page may give instead) and the call-to-action,
    cleaned; the CTA must fit the end card."""
    errors: list[FieldError] = []
    name, url = request.product_name, request.product_url
    if name is not None and (url is None or has_visible(name)):
        checked.product_name, error = _check_text(name, "productName", MAX_PRODUCT_NAME)
        errors += [error] if error else []
    elif url is None:
        message = "productName is required (or a productUrl to read it from)"
        errors.append(FieldError(REQUIRED, message, ("input", "productName")))
    if url is not None and len(url.strip()) > MAX_PRODUCT_URL:
        message = f"productUrl is longer than {MAX_PRODUCT_URL} characters"
        errors.append(FieldError(TOO_LONG, message, ("input", "productUrl")))
    checked.cta_text, error = _check_text(request.cta_text, "ctaText", MAX_CTA)
    if error is None and count_words(checked.cta_text) > CTA_MAX_WORDS:
        # The end card and the voiceover must carry the whole call-to-action.
        error = FieldError(
            TOO_LONG,
            f"ctaText has {count_words(checked.cta_text)} words; at most {CTA_MAX_WORDS}",
            ("input", "ctaText"),
        )
    return errors + ([error] if error else [])


async def _check_music(
    ctx: Context, request: CreateJobRequest, checked: Checked
) -> list[FieldError]:
    if request.music_track is None:
        return []
    if request.music is MusicChoice.NONE:
        message = "musicTrack was given with music: NONE; send one or the other"
        return [FieldError(CONFLICT, message, ("input", "musicTrack"))]
    track = await _check_track(ctx, request.music_track)
    if isinstance(track, FieldError):
        return [track]
    checked.track = track
    return []


async def _check_fields(
    ctx: Context, request: CreateJobRequest, checked: Checked
) -> list[FieldError]:
    """Every field's errors, in the order of the input; `checked` holds what is valid."""
    errors = _check_names(request, checked)
    errors += _check_copy(request, checked)
    checked.photos, photo_errors = await check_photos(
        ctx.settings, request.product_image, request.product_images
    )
    errors += photo_errors
    errors += await _check_music(ctx, request, checked)
    if request.webhook_url is not None:
        error = await _check_webhook(ctx, request.webhook_url)
        errors += [error] if error else []
    checked.language, language_errors = check_language(
        ctx.settings, request.language, request.voice
    )
    if request.brand_kit_id is not None and not language_errors:
        kit = await brand_kits.check_kit_for_job(ctx, request.brand_kit_id, checked.language)
        if isinstance(kit, FieldError):
            errors.append(kit)
        else:
            checked.kit = kit
    return errors + language_errors


async def _fill_from_page(ctx: Context, url: str, checked: Checked) -> list[FieldError]:
    """What the caller left out, from the page at `url`; its photos are fetched only when the
    caller sent none."""
    page = await read_page(ctx.settings, url, want_photos=not checked.photos)
    if isinstance(page, FieldError):
        return [page]
    # Only the facts the job takes from the page: the caller's own name, text and photos win.
    taken = {"price"}
    if not checked.product_name:
        taken.add("name")
    if not checked.description:
        taken.add("description")
    if not checked.photos:
        taken.add("photos")
    checked.product_name = checked.product_name or page.name or ""
    if not checked.product_name:
        message = "productName is required: the page at productUrl does not name its product"
        return [FieldError(REQUIRED, message, ("input", "productName"))]
    checked.description = checked.description or page.description
    checked.photos = checked.photos or list(page.photos)
    checked.price = page.price
    checked.product_url = url.strip()
    checked.facts = [fact for fact in page.facts if fact["field"] in taken]
    return []


def _beats(track: CheckedAudio | None) -> list[float] | None:
    return list(track.beats) if track and track.beats is not None else None


async def _store_job(ctx: Context, request: CreateJobRequest, checked: Checked) -> Job:
    """Store the uploads, then commit the job with its stages; if anything fails, no upload
    stays behind."""
    store = ctx.media
    stored: list[str] = []
    try:
        for photo in checked.photos:
            stored.append(await uploads.store_upload(store, photo.data, photo.extension))
        photo_paths = list(stored)
        track_path = None
        if checked.track:
            track_path = await uploads.store_upload(
                store, checked.track.data, checked.track.extension
            )
            stored.append(track_path)
        brand = await brand_kits.snapshot(ctx, checked.kit, stored) if checked.kit else None
        job = Job.new(
            owner=ctx.owner,
            product_name=checked.product_name,
            style=request.style,
            cta_text=checked.cta_text,
            aspect_ratio=request.aspect_ratio,
            product_image_paths=photo_paths,
            product_url=checked.product_url,
            product_price=checked.price,
            product_facts=checked.facts,
            product_description=checked.description,
            key_benefits=checked.benefits,
            duration=request.duration,  # its seconds are decided from the brief as it is now
            music=request.music,
            music_track_path=track_path,
            music_track_beats=_beats(checked.track),
            webhook_url=request.webhook_url.strip() if request.webhook_url else None,
            language=checked.language,
            voice=request.voice,
            brand=brand.to_json() if brand else None,
        )
        async with ctx.session() as session, session.begin():
            session.add(job)
    except BaseException:
        for path in stored:
            await asyncio.shield(uploads.remove_stored(store, path))
        raise
    return job


async def create_job(
    ctx: Context, request: CreateJobRequest
) -> tuple[Job | None, list[FieldError]]:
    checked = Checked()
    errors = await _check_fields(ctx, request, checked)
    if not errors and request.product_url is not None:
        errors = await _fill_from_page(ctx, request.product_url, checked)
    if errors:
        return None, errors
    job = await _store_job(ctx, request, checked)
    log.info(
        "job.created",
        job_id=str(job.id),
        style=job.style,
        seconds=job.duration_seconds,
        photos=len(checked.photos),
        from_page=checked.product_url is not None,
        brand_kit=checked.kit and str(checked.kit.id),
    )
    await enqueue_or_defer(ctx.services.redis, job.id)
    return job, []
