"""Job and Stage, as DESIGN.md describes them.

A job always has exactly four stages, created with it in one transaction. Relationships are
`lazy="raise"`: code that needs stages loads them explicitly (a DataLoader, `selectinload`), so a
forgotten batch fails loudly in tests instead of quietly adding a query per row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import JSONType, UTCDateTime, str_enum, utcnow
from domain.enums import (
    STAGE_ORDER,
    AdDuration,
    AspectRatio,
    AttemptOutcome,
    JobStatus,
    MusicChoice,
    StageName,
    StageStatus,
    Style,
)
from domain.length import ad_seconds
from domain.text import max_code_points

# Named constraints, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_PRODUCT_NAME = 120
MAX_CTA = 60
MAX_DESCRIPTION = 500
MAX_BENEFITS = 3
MAX_BENEFIT = 80
MAX_PRODUCT_IMAGES = 8
MAX_WEBHOOK_URL = 2048
MAX_PRODUCT_URL = 2048
MAX_PRICE = 32
Money = Numeric(12, 6)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner: Mapped[str] = mapped_column(String(64))
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), default=JobStatus.PENDING
    )
    # Limits count characters as people see them (domain.text); columns hold their code points.
    product_name: Mapped[str] = mapped_column(String(max_code_points(MAX_PRODUCT_NAME)))
    style: Mapped[Style] = mapped_column(str_enum(Style, "ad_style"))
    cta_text: Mapped[str] = mapped_column(String(max_code_points(MAX_CTA)))
    aspect_ratio: Mapped[AspectRatio] = mapped_column(
        str_enum(AspectRatio, "aspect_ratio"), default=AspectRatio.PORTRAIT
    )
    # What the product is and does, in the maker's words: the copy is built from these.
    product_description: Mapped[str | None] = mapped_column(
        String(max_code_points(MAX_DESCRIPTION))
    )
    key_benefits: Mapped[list[str]] = mapped_column(JSONType, default=list)
    music: Mapped[MusicChoice] = mapped_column(
        str_enum(MusicChoice, "music_choice"), default=MusicChoice.AUTO
    )
    # How long the ad is: what was asked (AUTO, or a forced length) and the seconds decided
    # from it when the job was made (domain.length), which retries and variants keep.
    duration: Mapped[AdDuration] = mapped_column(
        str_enum(AdDuration, "ad_duration"), default=AdDuration.AUTO
    )
    duration_seconds: Mapped[float] = mapped_column(Float, default=30.0)
    # Relative to MEDIA_DIR, so the media root can move without rewriting rows. Every photo in
    # the order given; product_image_path is the first, for readers that know of only one.
    product_image_path: Mapped[str | None] = mapped_column(String(255))
    product_image_paths: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The shop's page the job was made from (productUrl), and the price it shows ("$24.00").
    product_url: Mapped[str | None] = mapped_column(String(MAX_PRODUCT_URL))
    product_price: Mapped[str | None] = mapped_column(String(MAX_PRICE))
    # Where each of the page's facts came from: [{"field": "price", "source": "microdata",
    # "note": null}, ...] (domain.product_page.Fact), so a user can see why the ad says it.
    product_facts: Mapped[list[dict[str, str | None]]] = mapped_column(JSONType, default=list)
    music_track_path: Mapped[str | None] = mapped_column(String(255))
    # The track's beats (seconds from its start), found at upload; None: no track of one's own.
    music_track_beats: Mapped[list[float] | None] = mapped_column(JSONType)
    # The finished ad, relative to MEDIA_DIR like the image (domain.media); the API makes URLs.
    video_path: Mapped[str | None] = mapped_column(String(512))
    # BCP 47 tag (normalised: primary subtag lower case) and the voice id (domain.voices);
    # voice None: the language's default, or the style's hosted voice.
    language: Mapped[str] = mapped_column(String(35), default="en")
    voice: Mapped[str | None] = mapped_column(String(64))
    # A variant (createVariants): its source, what it changes, and which alternative it takes
    # on the hook and music axes (0: the writer's and picker's first choice).
    variant_of: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    variant_axes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    hook_variant: Mapped[int] = mapped_column(Integer, default=0)
    music_variant: Mapped[int] = mapped_column(Integer, default=0)
    # The brand kit the job was made with, as it was then (domain.brand.BrandSnapshot: its
    # values and copies of its files), so editing or deleting the kit never changes the ad.
    brand: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Told of every status change (signed POSTs, lifecycle.webhooks); checked at createJob.
    webhook_url: Mapped[str | None] = mapped_column(String(MAX_WEBHOOK_URL))
    error_message: Mapped[str | None] = mapped_column(Text)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    # Last sequence number published for this job's progress events (strictly increasing).
    event_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The run that holds the job: every write a worker makes checks it (a fencing token), so a
    # run that lost the job to another can never change it again.
    run_id: Mapped[str | None] = mapped_column(String(32))
    # Runs started since the job was created or retried; JOB_MAX_TRIES caps it.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="job",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Stage.position",
        passive_deletes=True,
    )

    __table_args__ = (
        CheckConstraint("cost_usd >= 0", name="cost_non_negative"),
        # The `jobs` listing: one owner's jobs, newest first, keyset-paginated.
        Index("ix_jobs_owner_created_at_id", "owner", "created_at", "id"),
        Index("ix_jobs_status", "status"),
    )

    @classmethod
    def new(cls, **fields: Any) -> Job:
        """A PENDING job with its four PENDING stages, ready to add to a session. Photos are
        given once, as `product_image_paths`; the first becomes `product_image_path`. The ad's
        length is decided here from `duration` and the brief, unless `duration_seconds` is
        given (a variant keeps its source's)."""
        photos = list(fields.pop("product_image_paths", None) or [])
        duration = fields.pop("duration", None) or AdDuration.AUTO
        benefits = fields.pop("key_benefits", None) or []
        job = cls(
            id=fields.pop("id", None) or uuid.uuid4(),
            status=JobStatus.PENDING,
            cost_usd=Decimal(0),
            event_sequence=0,
            tries=0,
            key_benefits=benefits,
            product_facts=fields.pop("product_facts", None) or [],
            product_image_paths=photos,
            product_image_path=photos[0] if photos else None,
            music=fields.pop("music", None) or MusicChoice.AUTO,
            duration=duration,
            duration_seconds=fields.pop("duration_seconds", None)
            or ad_seconds(duration, fields.get("product_description"), benefits),
            language=fields.pop("language", None) or "en",
            variant_axes=fields.pop("variant_axes", None) or [],
            hook_variant=fields.pop("hook_variant", None) or 0,
            music_variant=fields.pop("music_variant", None) or 0,
            **fields,
        )
        now = utcnow()
        job.created_at = job.updated_at = now
        job.stages = [
            Stage(stage_name=name, position=position, status=StageStatus.PENDING, progress=0)
            for position, name in enumerate(STAGE_ORDER, 1)
        ]
        return job


class Stage(Base):
    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    stage_name: Mapped[StageName] = mapped_column(str_enum(StageName, "stage_name"))
    position: Mapped[int] = mapped_column(SmallInteger)  # 1..4, pipeline order
    status: Mapped[StageStatus] = mapped_column(
        str_enum(StageStatus, "stage_status"), default=StageStatus.PENDING
    )
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The stage's outputs (JSON), so a retried or resumed job continues where it stopped.
    stage_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error_message: Mapped[str | None] = mapped_column(Text)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    provider: Mapped[str | None] = mapped_column(String(64))

    job: Mapped[Job] = relationship(back_populates="stages", lazy="raise")

    __table_args__ = (
        UniqueConstraint("job_id", "stage_name", name="uq_stages_job_id_stage_name"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("position >= 1 AND position <= 4", name="position_range"),
        CheckConstraint("cost_usd >= 0", name="cost_non_negative"),
    )


class StageAttempt(Base):
    """One run of one stage: who ran it, when, how it ended and what it cost.

    Rows are never rewritten once ended, so the ledger keeps what crashed and retried attempts
    spent: a stage's cost is the sum of its attempts, a job's the sum of its stages.
    """

    __tablename__ = "stage_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    stage_name: Mapped[StageName] = mapped_column(str_enum(StageName, "stage_name"))
    attempt: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per job and stage
    run_id: Mapped[str] = mapped_column(String(32))
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[AttemptOutcome] = mapped_column(
        str_enum(AttemptOutcome, "attempt_outcome"), default=AttemptOutcome.RUNNING
    )
    error: Mapped[str | None] = mapped_column(Text)
    cost_usd: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    __table_args__ = (
        UniqueConstraint("job_id", "stage_name", "attempt", name="uq_stage_attempts_number"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        CheckConstraint("cost_usd >= 0", name="cost_non_negative"),
        # An attempt is open exactly while it runs.
        CheckConstraint(
            "(outcome = 'running') = (ended_at IS NULL)", name="ended_when_not_running"
        ),
    )


class WebhookEvent(Base):
    """A status change to tell the job's webhook about: the outbox row, written in the same
    transaction as the change itself, so no event is ever lost; its id is the delivery id.

    Delivered in `sequence` order per job, at least once, until `delivered_at` or `gave_up_at`.
    """

    __tablename__ = "webhook_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("jobs.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)  # the job's event sequence at the change
    event: Mapped[str] = mapped_column(String(32))  # job.processing, job.completed, ...
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the job as it was then
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("job_id", "sequence", name="uq_webhook_events_job_sequence"),
        Index("ix_webhook_events_undelivered", "delivered_at", "gave_up_at", "next_attempt_at"),
    )


class WebhookAttempt(Base):
    """One POST of one event: what the receiver answered, or why it could not be reached."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("webhook_events.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per event
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


MAX_KIT_NAME = 80
MAX_FONT_FAMILY = 64


class BrandKit(Base):
    """A brand kit (createBrandKit), owned like jobs: a name, a logo, three colours and two
    fonts. Files are media keys (uploads/<hex>.<ext>) the kit owns: replaced or deleted with it,
    never shared with jobs, which keep copies (domain.brand)."""

    __tablename__ = "brand_kits"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(max_code_points(MAX_KIT_NAME)))
    primary_colour: Mapped[str] = mapped_column(String(7))  # "#rrggbb"
    accent_colour: Mapped[str] = mapped_column(String(7))
    text_colour: Mapped[str] = mapped_column(String(7))
    logo_path: Mapped[str | None] = mapped_column(String(255))
    # A font is a bundled family (its name, no path) or an uploaded file (its path and the
    # family its name table gives); neither: the style's own face.
    heading_family: Mapped[str | None] = mapped_column(String(MAX_FONT_FAMILY))
    heading_font_path: Mapped[str | None] = mapped_column(String(255))
    body_family: Mapped[str | None] = mapped_column(String(MAX_FONT_FAMILY))
    body_font_path: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_brand_kits_owner_created_at", "owner", "created_at"),)

    @property
    def paths(self) -> list[str]:
        return [p for p in (self.logo_path, self.heading_font_path, self.body_font_path) if p]


class AppSecret(Base):
    """Secrets the processes generate and share (the media signing key when not configured)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
