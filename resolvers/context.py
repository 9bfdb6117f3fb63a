"""The per-request (per-connection, on websockets) context and its DataLoaders."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db import queries
from db.models import Job, Stage, StageAttempt, WebhookAttempt, WebhookEvent
from resolvers.services import Services
from settings import Settings
from storage import MediaStore

Delivery = tuple[WebhookAttempt, WebhookEvent]
T = TypeVar("T")
ByJob = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, list[T]]]]


def _by_job(services: Services, query: ByJob[T]) -> DataLoader[uuid.UUID, list[T]]:
    """A loader that answers many jobs with one statement (`query`) per batch."""

    async def load(job_ids: list[uuid.UUID]) -> list[list[T]]:
        # A short session per batch: on websockets a context lives as long as the connection.
        async with services.session_factory() as session:
            by_job = await query(session, job_ids)
        return [by_job[job_id] for job_id in job_ids]

    return DataLoader(load_fn=load)


@dataclass
class Context:
    """Loaders are made on first use: most contexts (a websocket that only watches progress,
    thousands of them at once) never load anything through them."""

    services: Services
    owner: str
    request_id: str | None = None
    # Set by Strawberry from a websocket's connection_init payload.
    connection_params: dict[str, Any] | None = None

    @cached_property
    def stages(self) -> DataLoader[uuid.UUID, list[Stage]]:
        return _by_job(self.services, queries.stages_for_jobs)

    @cached_property
    def attempts(self) -> DataLoader[uuid.UUID, list[StageAttempt]]:
        return _by_job(self.services, queries.attempts_for_jobs)

    @cached_property
    def deliveries(self) -> DataLoader[uuid.UUID, list[Delivery]]:
        return _by_job(self.services, queries.webhook_attempts_for_jobs)

    @cached_property
    def jobs(self) -> DataLoader[uuid.UUID, list[Job]]:
        """[job] or [] (not the caller's)."""
        owner = self.owner
        return _by_job(self.services, lambda s, ids: queries.jobs_by_ids(s, ids, owner))

    @cached_property
    def variants(self) -> DataLoader[uuid.UUID, list[Job]]:
        owner = self.owner
        return _by_job(self.services, lambda s, ids: queries.variants_for_jobs(s, ids, owner))

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def media(self) -> MediaStore:
        return self.services.media

    def session(self) -> AsyncSession:
        return self.services.session_factory()
