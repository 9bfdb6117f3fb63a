"""Output types. Each wraps a row or plain data (`strawberry.Private`) and builds fields from it.

Field resolvers that need more data go through the per-request DataLoaders on the context, never
through SQL of their own.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from db.models import Job as JobRow
from db.models import Stage as StageRow
from db.models import StageAttempt as StageAttemptRow
from domain.enums import StageName as StageNameValue
from domain.enums import StageStatus as StageStatusValue
from domain.enums import VariantAxis as VariantAxisValue
from domain.length import render_seconds
from domain.outputs import CompositingOutput, ScriptOutput
from domain.progress import job_progress
from domain.script import AdScript as AdScriptData
from domain.templates import StyleTemplate as StyleTemplateData
from resolvers.context import Context
from resolvers.errors import FieldError
from resolvers.estimate_cost import CostEstimate as CostEstimateData
from schema.brand import JobBrand
from schema.enums import (
    AdDuration,
    AdStyle,
    AspectRatio,
    JobStatus,
    MusicChoice,
    StageName,
    StageStatus,
    VariantAxis,
)
from schema.preflight import Preflight

AppInfo = Info[Context, None]


@strawberry.type(description="One POST of one webhook event, whatever its outcome.")
class WebhookDelivery:
    delivery_id: strawberry.ID = strawberry.field(
        description="The Adreel-Delivery-Id header: the same for every attempt at one event."
    )
    event: str = strawberry.field(
        description="job.processing, job.completed, job.failed or job.cancelled."
    )
    attempt: int = strawberry.field(description="1, 2, ... per event.")
    at: datetime
    status_code: int | None = strawberry.field(description="Null when no answer came back.")
    error: str | None = strawberry.field(description="Why it did not count as delivered.")
    delivered: bool = strawberry.field(description="The receiver answered 2xx.")


@strawberry.type(description="One run of a stage, kept whatever its outcome.")
class StageAttempt:
    attempt: int = strawberry.field(description="1, 2, ... per stage of a job.")
    started_at: datetime
    ended_at: datetime | None = strawberry.field(description="Null while it runs.")
    outcome: str = strawberry.field(
        description="running, completed, failed, crashed (its worker died), cancelled, "
        "interrupted (its worker shut down) or superseded (another run took the job over)."
    )
    error: str | None
    cost_usd: float = strawberry.field(description="Hosted calls billed during this attempt.")
    worker: str | None = strawberry.field(description="The worker process that ran it.")

    @classmethod
    def from_row(cls, row: StageAttemptRow) -> StageAttempt:
        return cls(
            attempt=row.attempt,
            started_at=row.started_at,
            ended_at=row.ended_at,
            outcome=row.outcome.value,
            error=row.error,
            cost_usd=float(row.cost_usd),
            worker=row.worker,
        )


@strawberry.type
class Stage:
    row: strawberry.Private[StageRow]
    name: StageName
    status: StageStatus
    progress: int
    started_at: datetime | None
    completed_at: datetime | None
    error_message: str | None
    cost_usd: float = strawberry.field(
        description="What all its attempts spent on hosted calls (0 offline)."
    )
    provider: str | None = strawberry.field(
        description="Which provider ran it, e.g. espeak-ng or a hosted model."
    )

    @strawberry.field(description="Every run of this stage, oldest first.")
    async def attempts(self, info: AppInfo) -> list[StageAttempt]:
        rows = await info.context.attempts.load(self.row.job_id)
        return [StageAttempt.from_row(a) for a in rows if a.stage_name == self.row.stage_name]

    @classmethod
    def from_row(cls, row: StageRow) -> Stage:
        return cls(
            row=row,
            name=row.stage_name,
            status=row.status,
            progress=row.progress,
            started_at=row.started_at,
            completed_at=row.completed_at,
            error_message=row.error_message,
            cost_usd=float(row.cost_usd),
            provider=row.provider,
        )


@strawberry.type
class SceneScript:
    index: int
    duration_seconds: float
    voiceover_text: str
    on_screen_text: str
    visual_prompt: str


@strawberry.type
class AdScript:
    hook: str
    cta: str
    scenes: list[SceneScript]

    @classmethod
    def from_script(cls, script: AdScriptData) -> AdScript:
        return cls(
            hook=script.hook,
            cta=script.cta,
            scenes=[
                SceneScript(
                    index=s.index,
                    duration_seconds=s.duration_seconds,
                    voiceover_text=s.voiceover_text,
                    on_screen_text=s.on_screen_text,
                    visual_prompt=s.visual_prompt,
                )
                for s in script.scenes
            ],
        )


@strawberry.type(
    description="Where one fact of a product page came from, so a user can see why the ad "
    "says what it says."
)
class ProductFact:
    field: str = strawberry.field(description='"name", "description", "price" or "photos".')
    source: str = strawberry.field(
        description='Where the page says it: "json-ld", "microdata", "rdfa", "open-graph", '
        '"heading", "title", "page text", "page gallery" (the page\'s photos named after the '
        'product) or "page script".'
    )
    note: str | None = strawberry.field(
        default=None,
        description="For photos: how many were kept from there, and why any could not be used.",
    )


@strawberry.type
class Job:
    row: strawberry.Private[JobRow]  # for the fields that need loaders or settings
    id: strawberry.ID
    status: JobStatus
    product_name: str
    style: AdStyle
    cta_text: str
    aspect_ratio: AspectRatio
    product_description: str | None
    key_benefits: list[str]
    music: MusicChoice
    error_message: str | None
    cost_usd: float = strawberry.field(
        description="What was really spent: every attempt of every stage, crashed and retried "
        "ones included."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: JobRow) -> Job:
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            status=row.status,
            product_name=row.product_name,
            style=row.style,
            cta_text=row.cta_text,
            aspect_ratio=row.aspect_ratio,
            product_description=row.product_description,
            key_benefits=list(row.key_benefits or []),
            music=row.music,
            error_message=row.error_message,
            cost_usd=float(row.cost_usd),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="0-100 over all stages.")
    async def progress(self, info: AppInfo) -> int:
        return job_progress(self.row.status, await info.context.stages.load(self.row.id))

    @strawberry.field(description="The first photo: a signed URL, like productImageUrls.")
    def product_image_url(self, info: AppInfo) -> str | None:
        return info.context.media.url(self.row.product_image_path)

    @strawberry.field(
        description="Every photo of the product, in order: signed URLs that expire after "
        "MEDIA_URL_TTL_SECONDS."
    )
    def product_image_urls(self, info: AppInfo) -> list[str]:
        urls = (info.context.media.url(path) for path in self.row.product_image_paths or ())
        return [url for url in urls if url is not None]

    @strawberry.field(
        description="Set when COMPLETED: a signed URL that expires after MEDIA_URL_TTL_SECONDS "
        "(ask again for a fresh one); served with HTTP Range support."
    )
    def video_url(self, info: AppInfo) -> str | None:
        return info.context.media.url(self.row.video_path)

    @strawberry.field(description="The brand kit it was made with, as it was then; null: none.")
    def brand(self) -> JobBrand | None:
        return JobBrand.from_json(self.row.brand) if self.row.brand else None

    @strawberry.field
    def webhook_url(self) -> str | None:
        return self.row.webhook_url

    @strawberry.field(description="The shop's page the job was made from (productUrl).")
    def product_url(self) -> str | None:
        return self.row.product_url

    @strawberry.field(description='The price the product page shows, e.g. "$24.00".')
    def product_price(self) -> str | None:
        return self.row.product_price

    @strawberry.field(
        description="What was asked: AUTO (the length the brief needs) or a forced length."
    )
    def duration(self) -> AdDuration:
        return self.row.duration

    @strawberry.field(
        description="The ad's length in seconds: decided from duration and the brief when the "
        "job was made (15 to 30), no longer than this deployment's AD_SECONDS."
    )
    def duration_seconds(self, info: AppInfo) -> float:
        return render_seconds(self.row.duration_seconds, info.context.settings.ad_seconds)

    @strawberry.field(
        description="Where each fact the job took from its productUrl came from (empty for a "
        "job made without one), in the order they were read."
    )
    def product_facts(self) -> list[ProductFact]:
        return [
            ProductFact(field=str(fact["field"]), source=str(fact["source"]), note=fact.get("note"))
            for fact in self.row.product_facts or []
        ]

    @strawberry.field(description="BCP 47 tag of the ad's language.")
    def language(self) -> str:
        return self.row.language

    @strawberry.field(description="The voice asked for; null: the language's or style's own.")
    def voice(self) -> str | None:
        return self.row.voice

    @strawberry.field(description="The job this one is a variant of (createVariants).")
    async def variant_of(self, info: AppInfo) -> Job | None:
        if self.row.variant_of is None:
            return None
        rows = await info.context.jobs.load(self.row.variant_of)
        return Job.from_row(rows[0]) if rows else None

    @strawberry.field(description="What this variant changes from its source.")
    def variant_axes(self) -> list[VariantAxis]:
        return [VariantAxisValue(a) for a in self.row.variant_axes or []]

    @strawberry.field(description="The variants made of this job, oldest first.")
    async def variants(self, info: AppInfo) -> list[Job]:
        return [Job.from_row(r) for r in await info.context.variants.load(self.row.id)]

    @strawberry.field(
        description="Every webhook POST made for this job, oldest first; retried with backoff "
        "for up to WEBHOOK_RETRY_HOURS until the receiver answers 2xx."
    )
    async def webhook_deliveries(self, info: AppInfo) -> list[WebhookDelivery]:
        return [
            WebhookDelivery(
                delivery_id=strawberry.ID(str(event.id)),
                event=event.event,
                attempt=attempt.attempt,
                at=attempt.at,
                status_code=attempt.status_code,
                error=attempt.error,
                delivered=attempt.status_code is not None and 200 <= attempt.status_code < 300,
            )
            for attempt, event in await info.context.deliveries.load(self.row.id)
        ]

    @strawberry.field(description="Always the four, in pipeline order.")
    async def stages(self, info: AppInfo) -> list[Stage]:
        return [Stage.from_row(row) for row in await info.context.stages.load(self.row.id)]

    @strawberry.field(
        description="The music under the voice, once COMPOSITING has completed: a bundled "
        'track\'s name, "your track" (musicTrack), or null (no music).'
    )
    async def music_track(self, info: AppInfo) -> str | None:
        for row in await info.context.stages.load(self.row.id):
            if (
                row.stage_name == StageNameValue.COMPOSITING
                and row.status == StageStatusValue.COMPLETED
            ):
                return CompositingOutput.model_validate(row.stage_data).music
        return None

    @strawberry.field(
        description="Once COMPOSITING has completed: the ad measured against its placements "
        "(aspectRatio's). Its video is there whether or not every check passed."
    )
    async def preflight(self, info: AppInfo) -> Preflight | None:
        for row in await info.context.stages.load(self.row.id):
            if (
                row.stage_name == StageNameValue.COMPOSITING
                and row.status == StageStatusValue.COMPLETED
            ):
                found = CompositingOutput.model_validate(row.stage_data).preflight
                return Preflight.from_data(found) if found is not None else None
        return None

    @strawberry.field(description="Once SCRIPT_GEN has completed.")
    async def script(self, info: AppInfo) -> AdScript | None:
        for row in await info.context.stages.load(self.row.id):
            if row.stage_name == StageNameValue.SCRIPT_GEN:
                if row.status != StageStatusValue.COMPLETED:
                    return None
                return AdScript.from_script(ScriptOutput.model_validate(row.stage_data).script)
        return None


@strawberry.type
class JobEdge:
    cursor: str
    node: Job


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class JobConnection:
    edges: list[JobEdge]
    page_info: PageInfo


@strawberry.type
class UserError:
    field: list[str] | None
    code: str
    message: str

    @classmethod
    def from_error(cls, error: FieldError) -> UserError:
        return cls(
            field=list(error.field) if error.field else None, code=error.code, message=error.message
        )


@strawberry.type(description="A voice this deployment can speak with.")
class Voice:
    id: strawberry.ID
    name: str
    language: str = strawberry.field(description='BCP 47 primary subtag, or "mul" (many).')
    gender: str | None
    provider: str = strawberry.field(description="neural-offline, espeak-ng or hosted.")
    engine: str = strawberry.field(
        description="What synthesises it: piper, kokoro (neural, offline), espeak-ng (formant "
        "synthesis: robotic) or openai (hosted)."
    )
    is_default: bool = strawberry.field(
        description="The voice a job in its language gets when it names none."
    )
    note: str | None = strawberry.field(description="What to know before choosing it.")


@strawberry.type
class CreateVariantsPayload:
    jobs: list[Job]
    errors: list[UserError]


@strawberry.type
class CreateJobPayload:
    job: Job | None
    errors: list[UserError]


@strawberry.type
class JobPayload:
    job: Job | None
    errors: list[UserError]


@strawberry.type
class SceneTemplate:
    index: int
    duration_seconds: float
    purpose: str
    visual_direction: str
    camera_motion: str
    transition: str
    is_static: bool


@strawberry.type
class StyleTemplate:
    style: AdStyle
    name: str
    description: str
    duration_seconds: float
    scenes: list[SceneTemplate]

    @classmethod
    def from_template(cls, template: StyleTemplateData) -> StyleTemplate:
        return cls(
            style=template.style,
            name=template.name,
            description=template.description,
            duration_seconds=template.duration_seconds,
            scenes=[
                SceneTemplate(
                    index=s.index,
                    duration_seconds=s.duration_seconds,
                    purpose=s.purpose,
                    visual_direction=s.visual_direction,
                    camera_motion=s.camera_motion,
                    transition=s.transition,
                    is_static=s.is_static,
                )
                for s in template.scenes
            ],
        )


@strawberry.type(description="A stage's expected cost with the provider it would run (0 offline).")
class StageCostEstimate:
    name: StageName
    provider: str
    cost_usd: float
    detail: str


@strawberry.type(description="What a job would cost with the configured providers and prices.")
class CostEstimate:
    total_usd: float
    stages: list[StageCostEstimate]

    @classmethod
    def from_estimate(cls, estimate: CostEstimateData) -> CostEstimate:
        return cls(
            total_usd=float(estimate.total),
            stages=[
                StageCostEstimate(
                    name=s.stage, provider=s.provider, cost_usd=float(s.cost), detail=s.detail
                )
                for s in estimate.stages
            ],
        )
