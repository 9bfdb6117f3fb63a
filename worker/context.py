"""What a worker process holds for its whole life, built in on_startup and closed in on_shutdown."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.enums import StageName
from pipeline.providers.choice import Providers
from pipeline.spec import StageFn
from settings import Settings
from storage import MediaStore
from worker.watchdog import Slots


def new_worker_id() -> str:
    """host/pid/random: says where to look, and stays unique when a pid is reused."""
    return f"{socket.gethostname()[:40]}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerState:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    stages: dict[StageName, StageFn]
    store: MediaStore
    # The hosted providers behind `stages` (HTTP clients to close at shutdown); None: all offline.
    providers: Providers | None = None
    worker_id: str = field(default_factory=new_worker_id)
    slots: Slots = field(default_factory=Slots)


def state_of(ctx: dict[str, Any]) -> WorkerState:
    state: WorkerState = ctx["state"]
    return state
