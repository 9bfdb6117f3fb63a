"""The progress event: one self-contained JSON message per job state change.

Self-contained so the API can deliver it to any number of subscribers without reading the
database per subscriber. `sequence` is per job and strictly increasing: it is taken from the job
row in the same transaction as the change it describes (db.queries.next_sequence).

Channels are per job (`job_events:<job id>`) rather than the prototype's two global channels:
an API process then receives only the events of jobs its own clients watch, so adding API
processes and jobs does not multiply the traffic every process must read and drop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from db.types import utcnow
from domain.enums import JobStatus, StageName, StageStatus
from domain.progress import StageProgress, job_progress

CHANNEL_PREFIX = "job_events:"


def channel_for(job_id: uuid.UUID | str) -> str:
    return f"{CHANNEL_PREFIX}{job_id}"


# weakref_slot: the API keeps one GraphQL view of each event while subscribers still hold it.
@dataclass(frozen=True, slots=True, weakref_slot=True)
class JobEvent:
    job_id: str
    sequence: int
    status: JobStatus
    progress: int
    at: datetime
    stage: StageName | None = None
    stage_status: StageStatus | None = None
    stage_progress: int | None = None
    message: str | None = None
    video_path: str | None = None  # relative to the media root (domain.media)
    error_message: str | None = None

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["at"] = self.at.isoformat()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> JobEvent:
        data = json.loads(raw)
        return cls(
            job_id=data["job_id"],
            sequence=int(data["sequence"]),
            status=JobStatus(data["status"]),
            progress=int(data["progress"]),
            at=datetime.fromisoformat(data["at"]),
            stage=StageName(data["stage"]) if data.get("stage") else None,
            stage_status=StageStatus(data["stage_status"]) if data.get("stage_status") else None,
            stage_progress=data.get("stage_progress"),
            message=data.get("message"),
            video_path=data.get("video_path"),
            error_message=data.get("error_message"),
        )

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


class JobState(Protocol):
    """What an event says of its job: a Job row, or the few columns a snapshot reads."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def status(self) -> JobStatus: ...
    @property
    def video_path(self) -> str | None: ...
    @property
    def error_message(self) -> str | None: ...


class StageState(StageProgress, Protocol):
    @property
    def stage_name(self) -> StageName: ...


def event_for(
    job: JobState,
    stages: Sequence[StageState],
    sequence: int,
    *,
    stage: StageState | None = None,
    message: str | None = None,
) -> JobEvent:
    return JobEvent(
        job_id=str(job.id),
        sequence=sequence,
        status=job.status,
        progress=job_progress(job.status, stages),
        at=utcnow(),
        stage=stage.stage_name if stage else None,
        stage_status=stage.status if stage else None,
        stage_progress=stage.progress if stage else None,
        message=message,
        video_path=job.video_path,
        error_message=job.error_message,
    )
