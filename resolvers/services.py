"""What an API process holds for its whole life: built once in the app's lifespan (server.py),
reached by resolvers through their context and by the HTTP edge (web/) directly."""

from __future__ import annotations

from dataclasses import dataclass, field

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.hub import EventHub
from resolvers.snapshots import Snapshots
from settings import Settings
from storage import MediaStore


@dataclass
class Services:
    """Process-wide handles, built once in the app's lifespan."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    hub: EventHub | None = None  # live progress; None where no subscriptions are served
    store: MediaStore | None = None  # opened in the lifespan (its signing key is in the database)
    # Batched snapshot reads for jobProgress (resolvers/snapshots.py).
    snapshots: Snapshots = field(init=False)

    def __post_init__(self) -> None:
        self.snapshots = Snapshots(self.session_factory)

    @property
    def media(self) -> MediaStore:
        if self.store is None:
            raise RuntimeError("the media store is opened in the app's lifespan")
        return self.store
