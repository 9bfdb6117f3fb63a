"""What an API process holds for its whole life: built once in the app's lifespan (server.py),
reached by resolvers through their context and by the HTTP edge (web/) directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.hub import EventHub
from settings import Settings
from storage import MediaStore

if TYPE_CHECKING:
    from resolvers.progress import Snapshots


def _new_snapshots() -> Snapshots:
    from resolvers.progress import Snapshots  # it reads through the context, which needs us

    return Snapshots()


@dataclass
class Services:
    """Process-wide handles, built once in the app's lifespan."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    hub: EventHub | None = None  # live progress; None where no subscriptions are served
    store: MediaStore | None = None  # opened in the lifespan (its signing key is in the database)
    # Shared snapshot reads for jobProgress (resolvers.progress).
    snapshots: Snapshots = field(default_factory=lambda: _new_snapshots())

    @property
    def media(self) -> MediaStore:
        if self.store is None:
            raise RuntimeError("the media store is opened in the app's lifespan")
        return self.store
