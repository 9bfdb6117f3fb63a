"""The per-request (per-connection, on websockets) context and its DataLoaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db import queries
from db.models import Stage, StageAttempt, WebhookAttempt, WebhookEvent
from resolvers.services import Services
from settings import Settings
from storage import MediaStore


def _stages_loader(services: Services) -> DataLoader[uuid.UUID, list[Stage]]:
    async def load(job_ids: list[uuid.UUID]) -> list[list[Stage]]:
        # A short session per batch: on websockets a context lives as long as the connection.
        async with services.session_factory() as session:
            by_job = await queries.stages_for_jobs(session, job_ids)
        return [by_job[job_id] for job_id in job_ids]

    return DataLoader(load_fn=load)


Delivery = tuple[WebhookAttempt, WebhookEvent]


def _deliveries_loader(services: Services) -> DataLoader[uuid.UUID, list[Delivery]]:
    async def load(job_ids: list[uuid.UUID]) -> list[list[Delivery]]:
        async with services.session_factory() as session:
            by_job = await queries.webhook_attempts_for_jobs(session, job_ids)
        return [by_job[job_id] for job_id in job_ids]

    return DataLoader(load_fn=load)


def _attempts_loader(services: Services) -> DataLoader[uuid.UUID, list[StageAttempt]]:
    async def load(job_ids: list[uuid.UUID]) -> list[list[StageAttempt]]:
        async with services.session_factory() as session:
            by_job = await queries.attempts_for_jobs(session, job_ids)
        return [by_job[job_id] for job_id in job_ids]

    return DataLoader(load_fn=load)


@dataclass
class Context:
    services: Services
    owner: str
    request_id: str | None = None
    # Set by Strawberry from a websocket's connection_init payload.
    connection_params: dict[str, Any] | None = None
    stages: DataLoader[uuid.UUID, list[Stage]] = field(init=False)
    attempts: DataLoader[uuid.UUID, list[StageAttempt]] = field(init=False)
    deliveries: DataLoader[uuid.UUID, list[Delivery]] = field(init=False)

    def __post_init__(self) -> None:
        self.stages = _stages_loader(self.services)
        self.attempts = _attempts_loader(self.services)
        self.deliveries = _deliveries_loader(self.services)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def media(self) -> MediaStore:
        return self.services.media

    def session(self) -> AsyncSession:
        return self.services.session_factory()
