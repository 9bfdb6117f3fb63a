"""The Subscription root and the progress event type."""

from __future__ import annotations

import weakref
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from events.format import JobEvent
from resolvers.progress import refusal
from schema.enums import JobStatus, StageName, StageStatus
from schema.types import AppInfo
from storage import MediaStore


@strawberry.type(
    description="Self-contained: built from the published message alone, so delivering it to "
    "many subscribers costs no database read per subscriber."
)
class JobProgressEvent:
    job_id: strawberry.ID
    sequence: int = strawberry.field(description="Per job, strictly increasing.")
    status: JobStatus
    progress: int
    stage: StageName | None
    stage_status: StageStatus | None
    stage_progress: int | None
    message: str | None
    video_url: str | None
    error_message: str | None
    at: datetime

    @classmethod
    def shared(cls, event: JobEvent, media: MediaStore) -> JobProgressEvent:
        """One view per published event, whichever subscriber asks first; kept while any
        subscriber still holds the event."""
        view = _VIEWS.get(event)
        if view is None:
            view = _VIEWS[event] = cls.from_event(event, media)
        return view

    @classmethod
    def from_event(cls, event: JobEvent, media: MediaStore) -> JobProgressEvent:
        return cls(
            job_id=strawberry.ID(event.job_id),
            sequence=event.sequence,
            status=event.status,
            progress=event.progress,
            stage=event.stage,
            stage_status=event.stage_status,
            stage_progress=event.stage_progress,
            message=event.message,
            # Signed once per event, for the job's owner (the only one who may subscribe).
            video_url=media.url(event.video_path),
            error_message=event.error_message,
            at=event.at,
        )


_VIEWS: weakref.WeakKeyDictionary[JobEvent, JobProgressEvent] = weakref.WeakKeyDictionary()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Snapshot first, then live; completes after a terminal status."
    )
    async def job_progress(
        self, info: AppInfo, job_id: strawberry.ID
    ) -> AsyncGenerator[JobProgressEvent, None]:
        # Every jobProgress is delivered by the websocket fan-out (web/fanout.py), with
        # JobProgressEvent.shared; Strawberry runs this only for one it did not take, to say why.
        raise await refusal(info.context, str(job_id))
        yield  # a generator, as Strawberry requires of a subscription resolver
