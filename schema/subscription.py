"""The Subscription root and the progress event type."""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import strawberry

from events.format import JobEvent
from resolvers.progress import job_progress
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
    # Results of executing this event, shared by its subscribers (see schema/executor.py).
    execution_memo: strawberry.Private[dict[Any, Any]] = dataclasses.field(default_factory=dict)

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
        media = info.context.media
        async for event in job_progress(info.context, str(job_id)):
            yield JobProgressEvent.shared(event, media)
